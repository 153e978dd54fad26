/**
 * The data-access contract of the connector. The embedded implementation is
 * SQLite (better-sqlite3); a PostgreSQL one will pass the same tests later.
 */
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
}

/**
 * What a case is created from, after validation and after the call's fields were
 * merged in: a record without what the store assigns (number, time, the account,
 * which follows the contact), plus an optional contact to create with it.
 */
export type NewCase = Omit<CaseRecord, 'number' | 'createdAt' | 'accountId' | 'firstResponseAt' | 'firstResponseBy'> & {
  /** Create this contact in the same transaction and attach it (unknown caller). */
  newContact: NewContact | null;
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
  limit?: number;
  offset?: number;
}

export type CreateCaseResult =
  | { kind: 'created'; record: CaseRecord }
  /** Same Idempotency-Key and same body as an earlier save: the earlier case. */
  | { kind: 'replayed'; record: CaseRecord }
  /** Same Idempotency-Key with a different body: rejected, nothing written. */
  | { kind: 'key-reused' };

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
   * (empty: nothing was written).
   */
  update(number: string, patch: CasePatch, response: { at: string; by: string } | null): { record: CaseRecord; changed: Array<keyof CasePatch> } | null;
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
