/**
 * The synchronous data-access contract of the connector (SQLite, better-sqlite3),
 * and the record types both stores share. The asynchronous layer that SQLite and
 * PostgreSQL both implement is in `data-layer.ts`.
 */
import type { CountryCode } from '../phone/normalize.js';
import type {
  AccountSummary,
  CasePriority,
  CaseStatus,
  CaseSummary,
  CaseType,
  ContactSummary,
  IvrStep,
  LookupResult,
} from '../protocol.js';

export type CaseOrigin = 'phone' | 'web' | 'email';
export type Disposition = 'resolved' | 'follow-up' | 'escalated' | 'callback-requested' | 'wrong-number' | 'no-action';

/** A stored case, as the REST API returns it. */
export interface CaseRecord {
  /** Sequential, zero-padded to 8 digits: `00001001`. */
  number: string;
  subject: string;
  type: CaseType;
  priority: CasePriority;
  status: CaseStatus;
  origin: CaseOrigin;
  description: string;
  disposition: Disposition | null;
  contactId: number | null;
  accountId: number | null;
  callId: string | null;
  ani: string | null;
  aniE164: string | null;
  dnis: string | null;
  queue: string | null;
  ivrPath: IvrStep[];
  waitSeconds: number | null;
  talkSeconds: number | null;
  agent: string;
  createdAt: string;
  /**
   * The first agent action on the case (`PATCH /api/cases/:number`), not counting a change
   * its creator makes at the moment of creating it; null until then. The reports' response
   * time is `createdAt` -> `firstResponseAt`.
   */
  firstResponseAt: string | null;
  /** Who made that first action. */
  firstResponseBy: string | null;
  /**
   * The agent now responsible for the case; null: waiting in its `queue` for an agent to
   * take it (after an escalation). A new case is its creator's unless created otherwise.
   */
  assignee: string | null;
}

/** What happened to a case; see {@link CaseEvent}. */
export type CaseEventKind = 'created' | 'updated' | 'escalated' | 'assigned';

/** One entry of a case's history, written in the same transaction as the change it records. */
export interface CaseEvent {
  /** ISO time. */
  at: string;
  /** The agent (or `ivr`) who did it. */
  by: string;
  kind: CaseEventKind;
  /** `escalated`: the queue it left. */
  fromQueue: string | null;
  /** `created`: the case's queue; `escalated`: the queue it went to. */
  toQueue: string | null;
  /** `created`: the first assignee; `assigned`: the agent who took it. */
  assignee: string | null;
  /** `escalated`: why, as the agent wrote it. */
  note: string | null;
  /** `updated`: the fields changed (never empty); otherwise empty. */
  fields: string[];
}

/** An escalation to another tier: the case goes to `toQueue`, unassigned. */
export interface EscalateInput {
  toQueue: string;
  by: string;
  note: string | null;
  /** ISO time. */
  at: string;
}

/** Taking an unassigned case. */
export interface AssignInput {
  assignee: string;
  by: string;
  /** ISO time. */
  at: string;
}

export type EscalateResult =
  | { kind: 'escalated'; record: CaseRecord }
  /** A closed case cannot be escalated; nothing was written. */
  | { kind: 'closed'; record: CaseRecord };

export type AssignResult =
  | { kind: 'assigned'; record: CaseRecord }
  /** Someone has the case already (`record.assignee`); nothing was written. */
  | { kind: 'taken'; record: CaseRecord }
  /** A closed case is not taken; nothing was written. */
  | { kind: 'closed'; record: CaseRecord };

/** Who made a change and when, for the `updated` event. */
export interface ChangeAuthor {
  at: string;
  by: string;
}

/**
 * What a case is created from, after validation and after the call's fields were
 * merged in: a record without what the store assigns (number, time, the account,
 * which follows the contact), plus an optional contact to create with it.
 */
export type NewCase = Omit<CaseRecord, 'number' | 'createdAt' | 'accountId' | 'firstResponseAt' | 'firstResponseBy' | 'assignee'> & {
  /** Create this contact in the same transaction and attach it (unknown caller). */
  newContact: NewContact | null;
  /** Who is responsible at first; absent: `agent`. Null: the case waits in its queue. */
  assignee?: string | null | undefined;
};

export interface NewContact {
  firstName: string;
  lastName: string;
  email: string | null;
  phoneRaw: string;
  accountId: number | null;
}

export interface CaseFilter {
  contactId?: number;
  /** Any written form; normalized before matching the case's ANI or its contact's numbers. */
  phone?: string;
  type?: CaseType;
  status?: CaseStatus;
  agent?: string;
  /** Cases this agent is responsible for now. */
  assignee?: string;
  queue?: string;
  /** true: only cases nobody has taken (assignee null); false: only taken ones. */
  unassigned?: boolean;
  limit?: number;
  offset?: number;
}

export type CreateCaseResult =
  | { kind: 'created'; record: CaseRecord }
  /** Same Idempotency-Key and same body as an earlier save: the earlier case. */
  | { kind: 'replayed'; record: CaseRecord }
  /** Same Idempotency-Key with a different body: rejected, nothing written. */
  | { kind: 'key-reused' };

/** Which column of a contact a number came from. */
export type PhoneKind = 'phone' | 'mobile';

/** An already normalized number of a contact (normalizing is the caller's job, so it happens once). */
export interface ContactPhoneInput {
  kind: PhoneKind;
  /** As written. */
  raw: string;
  e164: string | null;
  extension: string | null;
  /** The region `raw` was read under. */
  region: CountryCode | null;
}

export interface ContactInput {
  firstName: string;
  lastName: string;
  email: string | null;
  accountId: number | null;
  /** The first `phone` entry (else the first entry) is the one summaries show. */
  phones: ContactPhoneInput[];
  /** ISO time; defaults to the store's clock. */
  createdAt?: string;
}

export interface AccountInput {
  name: string;
  accountNumber: string;
  tier: AccountSummary['tier'];
}

/** One row of a contact import: the contact, and the number a duplicate is recognized by. */
export interface ContactBatchRow {
  input: ContactInput;
  /** Normalized; usually the contact's first number. */
  e164: string;
}

/**
 * What became of one import row: written, or skipped because a contact with the same
 * name (ASCII letters compared without case), the same account and this number exists,
 * in the store or earlier in the same batch.
 */
export type ContactBatchOutcome = { kind: 'inserted'; id: number } | { kind: 'duplicate'; id: number };

export interface ContactStore {
  /** Contacts whose normalized number equals `e164` (index lookup), with their accounts. */
  findByE164(e164: string): Array<{ contact: ContactSummary; account: AccountSummary | null }>;
  getContact(id: number): ContactSummary | null;
  getAccount(id: number): AccountSummary | null;
  count(): number;
}

export interface CaseStore {
  /**
   * Atomic: the case, its new contact and the idempotency record are written together
   * or not at all. A key is matched by `hashOfRequest` when given (what the client
   * sent), else by a hash of `input`: server-derived fields such as the talk time
   * change between a save and its retry, and MUST NOT make a retry a conflict.
   */
  create(input: NewCase, idempotencyKey: string | null, hashOfRequest?: string): CreateCaseResult;
  get(number: string): CaseRecord | null;
  list(filter: CaseFilter): CaseRecord[];
  /** Open (status not `closed`) cases of these contacts, newest first. */
  openCasesFor(contactIds: number[], limit: number): CaseSummary[];
  /**
   * Atomic: applies the fields of `patch` that differ from the case; when something
   * changed and `response` is given, records it as the first response unless one is
   * recorded already. Returns null for no such case; `changed` lists the fields changed
   * (empty: nothing was written). A change writes an `updated` event by `author`, else
   * by `response`, else by the case's creator (a change made as part of logging it), at
   * the store's clock when neither gives a time.
   */
  update(
    number: string,
    patch: CasePatch,
    response: { at: string; by: string } | null,
    author?: ChangeAuthor,
  ): { record: CaseRecord; changed: Array<keyof CasePatch> } | null;
  /**
   * Atomic: moves the case to `toQueue`, unassigned (`assignee` null), `new` becomes
   * `open`, and writes an `escalated` event. Null: no such case; `closed`: nothing written.
   */
  escalate(number: string, input: EscalateInput): EscalateResult | null;
  /**
   * Atomic: gives an unassigned case to `assignee` and writes an `assigned` event. Of two
   * concurrent assigns exactly one gets `assigned`, the other `taken`. Null: no such case.
   */
  assign(number: string, input: AssignInput): AssignResult | null;
  /** The case's history, oldest first; null: no such case. */
  events(number: string): CaseEvent[] | null;
}

/** What an agent may change on a case. */
export interface CasePatch {
  subject?: string | undefined;
  description?: string | undefined;
  status?: CaseStatus | undefined;
  priority?: CasePriority | undefined;
  disposition?: Disposition | null | undefined;
}

export type { LookupResult };
