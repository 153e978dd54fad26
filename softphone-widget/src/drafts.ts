/**
 * Case drafts, one per call, in localStorage: written on every input so a reload
 * (or a crash) loses nothing. The Idempotency-Key is generated with the draft
 * and stored in it, so every retry of the same draft sends the same key and the
 * server never makes two cases from one draft.
 */
import type { CasePriority, CaseStatus, CaseType, ScreenPop } from '../../connector/protocol.js';
import type { Disposition } from '../../connector/store/types.js';
import { defaultPriority, defaultSubject, isWithheld, matchesOf } from './caller.js';

/**
 * Who the case is about: `''` not chosen yet, a contact id as a string, `new`
 * (create the contact from `newContact`) or `none` (no contact).
 */
export type ContactChoice = '' | 'new' | 'none' | `${number}`;

export interface CaseDraft {
  version: 1;
  callId: string;
  /** The agent who owns the draft; another agent signing in on this PC never sees it. */
  username: string;
  idempotencyKey: string;
  subject: string;
  /** False until the agent edits the subject: until then it follows the contact choice. */
  subjectTouched: boolean;
  type: CaseType;
  priority: CasePriority;
  /** False until the agent picks a priority: until then it follows the account's tier. */
  priorityTouched: boolean;
  status: CaseStatus;
  description: string;
  disposition: Disposition | '';
  contact: ContactChoice;
  newContact: { firstName: string; lastName: string; email: string; phone: string };
  updatedAt: string;
}

const PREFIX = 'switchboard.draft.v1.';
/** Drafts of calls no longer in wrap-up are dropped after this. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

function key(callId: string): string {
  return PREFIX + callId;
}

/** A random RFC 4122 v4 UUID; `crypto.randomUUID` needs a secure context, this does not. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The contact preselected for a pop: the only match, or a new contact when nobody matched. */
function initialContact(pop: ScreenPop): ContactChoice {
  if (pop.lookup.outcome === 'one') return `${pop.lookup.contact.id}`;
  if (pop.lookup.outcome === 'none') return pop.lookup.reason === 'withheld' ? 'none' : 'new';
  return '';
}

export function contactIdOf(choice: ContactChoice): number | null {
  return /^\d+$/.test(choice) ? Number(choice) : null;
}

export function newDraft(pop: ScreenPop, username: string): CaseDraft {
  const contact = initialContact(pop);
  const id = contactIdOf(contact);
  return {
    version: 1,
    callId: pop.callId,
    username,
    idempotencyKey: uuid(),
    subject: defaultSubject(pop, id),
    subjectTouched: false,
    type: pop.suggestedCaseType,
    priority: defaultPriority(pop, id),
    priorityTouched: false,
    status: 'new',
    description: '',
    disposition: '',
    contact,
    newContact: { firstName: '', lastName: '', email: '', phone: pop.aniE164 ?? (isWithheld(pop) ? '' : pop.aniRaw) },
    updatedAt: new Date().toISOString(),
  };
}

export function loadDraft(callId: string, username: string): CaseDraft | null {
  try {
    const raw = localStorage.getItem(key(callId));
    if (!raw) return null;
    const d = JSON.parse(raw) as CaseDraft;
    return d.version === 1 && d.callId === callId && d.username === username ? d : null;
  } catch {
    return null;
  }
}

/** The stored draft for this call, or a fresh one (stored at once, so its key is fixed). */
export function draftFor(pop: ScreenPop, username: string): CaseDraft {
  const existing = loadDraft(pop.callId, username);
  if (existing) return existing;
  const draft = newDraft(pop, username);
  saveDraft(draft);
  return draft;
}

export function saveDraft(draft: CaseDraft): void {
  try {
    localStorage.setItem(key(draft.callId), JSON.stringify({ ...draft, updatedAt: new Date().toISOString() }));
  } catch {
    // Storage full or disabled: the form still works, only reload-survival is lost.
  }
}

export function deleteDraft(callId: string): void {
  try {
    localStorage.removeItem(key(callId));
  } catch {
    // Nothing to do.
  }
}

/**
 * Records the agent's pick among several matches (from the pop, before the form
 * exists). Subject and priority follow the pick unless the agent edited them.
 */
export function chooseContact(pop: ScreenPop, username: string, choice: ContactChoice): CaseDraft {
  const draft = { ...draftFor(pop, username), contact: choice };
  const id = contactIdOf(choice);
  if (!draft.subjectTouched) draft.subject = defaultSubject(pop, id);
  if (!draft.priorityTouched) draft.priority = defaultPriority(pop, id);
  saveDraft(draft);
  return draft;
}

/** The contact id picked on the pop for a call with several matches, if any. */
export function pickedContactId(pop: ScreenPop, username: string): number | null {
  if (matchesOf(pop).length < 2) return null;
  const draft = loadDraft(pop.callId, username);
  return draft ? contactIdOf(draft.contact) : null;
}

/** Drops drafts older than a week, except `keepCallId`'s. */
export function pruneDrafts(keepCallId: string | null): void {
  try {
    const now = Date.now();
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (!k?.startsWith(PREFIX) || k === key(keepCallId ?? '')) continue;
      const d = JSON.parse(localStorage.getItem(k) ?? '{}') as Partial<CaseDraft>;
      if (!d.updatedAt || now - Date.parse(d.updatedAt) > MAX_AGE_MS) localStorage.removeItem(k);
    }
  } catch {
    // Nothing to do.
  }
}
