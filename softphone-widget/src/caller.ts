/**
 * What the widget derives from a ScreenPop: who is calling, which contacts could
 * be meant, and the case defaults. Pure functions, no DOM.
 */
import type { AccountSummary, CasePriority, CaseSummary, ContactSummary, ScreenPop } from '../../connector/protocol.js';
import { queueLabel } from './labels.js';

export interface CallerMatch {
  contact: ContactSummary;
  account: AccountSummary | null;
}

export function fullName(c: Pick<ContactSummary, 'firstName' | 'lastName'>): string {
  return `${c.firstName} ${c.lastName}`.trim();
}

export function isWithheld(pop: ScreenPop): boolean {
  return pop.lookup.outcome === 'none' && pop.lookup.reason === 'withheld';
}

/** Every contact the number matched (zero, one or several). */
export function matchesOf(pop: ScreenPop): CallerMatch[] {
  switch (pop.lookup.outcome) {
    case 'none':
      return [];
    case 'one':
      return [{ contact: pop.lookup.contact, account: pop.lookup.account }];
    case 'many':
      return pop.lookup.matches;
  }
}

export function openCasesOf(pop: ScreenPop): CaseSummary[] {
  return pop.lookup.outcome === 'none' ? [] : pop.lookup.openCases.slice(0, 5);
}

/** The caller's number for display: E.164 when valid, else as received. */
export function displayNumber(pop: ScreenPop): string {
  if (isWithheld(pop)) return 'Withheld number';
  return pop.aniE164 ?? (pop.aniRaw || 'No number');
}

/**
 * The name to show. `chosenContactId` is the agent's pick among several matches.
 * Falls back to "Withheld number" / "Unknown caller".
 */
export function callerName(pop: ScreenPop, chosenContactId?: number | null): string {
  const matches = matchesOf(pop);
  const chosen = matches.find((m) => m.contact.id === chosenContactId);
  if (chosen) return fullName(chosen.contact);
  if (pop.lookup.outcome === 'one') return fullName(pop.lookup.contact);
  if (pop.callerName) return pop.callerName;
  return isWithheld(pop) ? 'Withheld number' : 'Unknown caller';
}

/** Who the screen reader announces: a name when known, else the number. */
export function announceName(pop: ScreenPop): string {
  const name = callerName(pop);
  if (name === 'Unknown caller') return pop.aniE164 ?? (pop.aniRaw || 'an unknown number');
  if (name === 'Withheld number') return 'a withheld number';
  return name;
}

/** The account to show: the single match's, the chosen match's, or the one all matches share. */
export function accountOf(pop: ScreenPop, chosenContactId?: number | null): AccountSummary | null {
  const matches = matchesOf(pop);
  const chosen = matches.find((m) => m.contact.id === chosenContactId);
  if (chosen) return chosen.account;
  const ids = new Set(matches.map((m) => m.account?.id ?? null));
  return ids.size === 1 ? (matches[0]?.account ?? null) : null;
}

/** "Phone call from Ada Lovelace – Support". */
export function defaultSubject(pop: ScreenPop, chosenContactId?: number | null): string {
  const name = callerName(pop, chosenContactId);
  const who = name === 'Unknown caller' || name === 'Withheld number' ? displayNumber(pop) : name;
  return `Phone call from ${who} – ${queueLabel(pop.queue)}`;
}

/** High for priority-tier accounts, medium otherwise. */
export function defaultPriority(pop: ScreenPop, chosenContactId?: number | null): CasePriority {
  return accountOf(pop, chosenContactId)?.tier === 'priority' ? 'high' : 'medium';
}
