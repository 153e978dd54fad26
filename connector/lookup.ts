/**
 * Who is calling: the ANI looked up against the contacts, once per call while
 * the caller is still in the IVR, so the screen-pop is ready when an agent is.
 */
import { normalizePhone, type CountryCode, type NormalizedPhone } from './phone/normalize.js';
import type { LookupResult } from './protocol.js';
import type { CaseRepo, ContactRepo } from './store/data-layer.js';
import type { CaseStore, ContactStore } from './store/types.js';

/** Open cases shown on a pop; more would not fit and are one click away. */
export const MAX_OPEN_CASES = 5;

export interface LookupDeps {
  contacts: ContactStore;
  cases: CaseStore;
  /** Region for reading an ANI without a country code. */
  defaultRegion: CountryCode;
}

/**
 * Looks the caller up by the number the PBX sent.
 *
 * - withheld (empty, `anonymous`, ...): `{ outcome: 'none', reason: 'withheld' }`
 * - not a real number: `reason: 'invalid-number'`
 * - no contact has it: `reason: 'not-found'`
 * - one contact: `one`, with its account and up to 5 open cases
 * - several (a shared main line): `many`, every match, up to 5 open cases across them
 */
export function lookupCaller(aniRaw: string, deps: LookupDeps, normalized?: NormalizedPhone): LookupResult {
  // The caller may have normalized the ANI already (it keeps the E.164 form too): not twice.
  const phone = normalized ?? normalizePhone(aniRaw, deps.defaultRegion);
  if (phone.status === 'withheld') return { outcome: 'none', reason: 'withheld' };
  if (phone.e164 === null) return { outcome: 'none', reason: 'invalid-number' };

  const matches = deps.contacts.findByE164(phone.e164);
  const first = matches[0];
  if (!first) return { outcome: 'none', reason: 'not-found' };

  const openCases = deps.cases.openCasesFor(
    matches.map((m) => m.contact.id),
    MAX_OPEN_CASES,
  );
  if (matches.length === 1) {
    return { outcome: 'one', contact: first.contact, account: first.account, openCases };
  }
  return { outcome: 'many', matches, openCases };
}

export interface AsyncLookupDeps {
  contacts: Pick<ContactRepo, 'findByE164'>;
  cases: Pick<CaseRepo, 'openCasesFor'>;
  /** Region for reading an ANI without a country code. */
  defaultRegion: CountryCode;
}

/**
 * {@link lookupCaller} over the asynchronous data layer (either store): the same
 * outcomes, two indexed queries (contacts by number, then their open cases).
 */
export async function lookupCallerAsync(aniRaw: string, deps: AsyncLookupDeps, normalized?: NormalizedPhone): Promise<LookupResult> {
  const phone = normalized ?? normalizePhone(aniRaw, deps.defaultRegion);
  if (phone.status === 'withheld') return { outcome: 'none', reason: 'withheld' };
  if (phone.e164 === null) return { outcome: 'none', reason: 'invalid-number' };

  const matches = await deps.contacts.findByE164(phone.e164);
  const first = matches[0];
  if (!first) return { outcome: 'none', reason: 'not-found' };

  const openCases = await deps.cases.openCasesFor(
    matches.map((m) => m.contact.id),
    MAX_OPEN_CASES,
  );
  if (matches.length === 1) {
    return { outcome: 'one', contact: first.contact, account: first.account, openCases };
  }
  return { outcome: 'many', matches, openCases };
}
