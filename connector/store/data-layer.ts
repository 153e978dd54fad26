/**
 * The asynchronous data-access layer: contacts, cases and calls behind one set of
 * Promise-returning interfaces, implemented twice with the same semantics:
 *
 * - `sqlite/` over the embedded better-sqlite3 stores (one process, the default);
 * - `pg/` over PostgreSQL (scale-out: several connector processes share one database).
 *
 * Both pass `test/store-contract.ts`. The synchronous `ContactStore` / `CaseStore`
 * in `types.ts` remain for the callers not switched over yet.
 */
import type { CallRecord } from '../calls/call-record.js';
import type { AccountSummary, CaseSummary, ContactSummary } from '../protocol.js';
import type { Reports } from '../reports/report-store.js';
import type { CallStats } from '../supervisor/call-stats.js';
import type {
  AccountInput,
  AssignInput,
  AssignResult,
  CaseEvent,
  CaseFilter,
  CasePatch,
  CaseRecord,
  ChangeAuthor,
  ContactBatchOutcome,
  ContactBatchRow,
  ContactInput,
  CreateCaseResult,
  EscalateInput,
  EscalateResult,
  NewCase,
} from './types.js';

/** A contact matched by number, with its account. */
export interface ContactMatch {
  contact: ContactSummary;
  account: AccountSummary | null;
}

/**
 * Contacts and accounts.
 *
 * A contact is written by {@link ContactRepo.addContact} (seed, admin),
 * {@link ContactRepo.upsertBatch} (the CSV import), or together with a case by
 * {@link CaseRepo.create} (`newContact`: an unknown caller), never any other way.
 */
export interface ContactRepo {
  /**
   * Contacts with a number equal to `e164` (already normalized: the caller normalizes
   * once, with `connector/phone/normalize.ts`), each once, by id, the matching number
   * shown (the contact's `phone` entry before its `mobile`), with their accounts.
   * MUST be answered from an index on the normalized number, never a scan: it runs on
   * every incoming call.
   */
  findByE164(e164: string): Promise<ContactMatch[]>;
  /** The contact, showing its first `phone` number (else its first number); null if none. */
  getContact(id: number): Promise<ContactSummary | null>;
  getAccount(id: number): Promise<AccountSummary | null>;
  /** The account with this account number (exact match), or null. */
  findAccountByNumber(accountNumber: string): Promise<AccountSummary | null>;
  /** Every account, by id. */
  listAccounts(): Promise<AccountSummary[]>;
  /** How many contacts there are. */
  count(): Promise<number>;
  /** Inserts an account; resolves to its id. An account number already taken MUST reject. */
  addAccount(input: AccountInput): Promise<number>;
  /**
   * Inserts a contact and its numbers (normalized by the caller) atomically; resolves to
   * its id. An unknown `accountId` MUST reject and write nothing.
   */
  addContact(input: ContactInput): Promise<number>;
  /**
   * The CSV import's write: in ONE transaction, each row is inserted unless a contact with
   * the same name (ASCII case-insensitive), the same account and the row's `e164` exists,
   * in the store or earlier in `rows`; outcomes are in the order of `rows`. Concurrent
   * batches MUST NOT both insert the same contact. On an error nothing of the batch is
   * written.
   */
  upsertBatch(rows: readonly ContactBatchRow[]): Promise<ContactBatchOutcome[]>;
}

/** The result of {@link CaseRepo.update}: null for no such case. */
export type UpdateCaseResult = { record: CaseRecord; changed: Array<keyof CasePatch> } | null;

/**
 * Cases, their idempotency keys and their history.
 *
 * Numbers are sequential from `00001001`, zero-padded to 8 digits, and never handed out
 * twice; a number MAY be skipped (PostgreSQL sequences do not roll back). A `number`
 * argument may be padded or not; one that is not a number finds nothing (null).
 */
export interface CaseRepo {
  /**
   * Saves a case. MUST be atomic: the case, its new contact (`newContact`), the
   * idempotency record and the `created` event are written together or not at all (a
   * failing contact or case insert writes nothing and does not burn the key).
   *
   * With an `idempotencyKey`, the key is matched by `hashOfRequest` when given, else by
   * `requestHash(input)`: the same key and hash resolves `replayed` with the earlier case,
   * the same key with another hash `key-reused`; neither writes anything. Concurrent
   * creates with one key MUST NOT make two cases: one is `created`, every other is
   * `replayed` or `key-reused`.
   *
   * `assignee` defaults to `agent`. `aniE164` absent but `ani` given: normalized with the
   * store's default region.
   *
   * @throws ContactNotFoundError, AccountNotFoundError, CaseContactConflictError; the
   * database's constraint error for values outside the schema's enums.
   */
  create(input: NewCase, idempotencyKey: string | null, hashOfRequest?: string): Promise<CreateCaseResult>;
  get(number: string): Promise<CaseRecord | null>;
  /**
   * Cases matching every given filter, newest (highest number) first, a page of
   * `limit` (default 50, at most 500) from `offset`. `phone` is normalized and matches
   * the case's ANI or any number of its contact; a blank phone matches everything, one
   * that does not normalize matches nothing.
   */
  list(filter: CaseFilter): Promise<CaseRecord[]>;
  /**
   * Open (status not `closed`) cases of these contacts, newest first, at most `limit`.
   * MUST be answered from indexes: it runs on every incoming call that matched.
   */
  openCasesFor(contactIds: readonly number[], limit: number): Promise<CaseSummary[]>;
  /**
   * Atomic: applies the fields of `patch` that differ from the case; when something
   * changed it writes an `updated` event listing them (by `author`, else `response`, else
   * the case's creator at the store's clock) and, when `response` is given, records it as
   * the first response unless one is recorded already. Nothing changed: nothing written,
   * `changed` empty.
   */
  update(number: string, patch: CasePatch, response: ChangeAuthor | null, author?: ChangeAuthor): Promise<UpdateCaseResult>;
  /**
   * Atomic: sets `queue` to `toQueue` and `assignee` to null, `new` becomes `open`, and
   * writes an `escalated` event (fromQueue, toQueue, note). A closed case MUST NOT be
   * escalated: `closed`, nothing written. Null: no such case.
   */
  escalate(number: string, input: EscalateInput): Promise<EscalateResult | null>;
  /**
   * Atomic: gives an unassigned case to `assignee` and writes an `assigned` event.
   * A case someone has already: `taken`, nothing written; of concurrent assigns exactly
   * one MUST resolve `assigned`. A closed case: `closed`. Null: no such case.
   */
  assign(number: string, input: AssignInput): Promise<AssignResult | null>;
  /** The case's history, oldest first (write order); null: no such case. */
  events(number: string): Promise<CaseEvent[] | null>;
}

/** Call records (the connector's memory of a call, kept for logging a case after a restart). */
export interface CallRepo {
  /**
   * Stores the record as it is now (insert or replace by `callId`). MUST resolve only once
   * it is committed; the record MAY be changed by the caller afterwards without effect.
   */
  save(record: CallRecord): Promise<void>;
  /**
   * Stores several records in one commit (the call center's batch); a `callId` given twice
   * keeps the later record. MUST be all or nothing.
   */
  saveMany(records: readonly CallRecord[]): Promise<void>;
  /** The record as last saved, JSON fields intact; null if none. */
  get(callId: string): Promise<CallRecord | null>;
}

/** An agent as the cluster has it: the row, the version PostgreSQL gave its last write, the config hash. */
export type SharedAgent = import('../agents/agent-store.js').StoredAgent & { version: number; configHash: string | null };

/**
 * Agents shared by a cluster's nodes (PostgreSQL only): each node's SQLite keeps its
 * copy; this is where the admin console's changes meet. Every write gets the next
 * version: the later write wins, whatever the nodes' clocks say.
 */
export interface SharedAgentRepo {
  all(): Promise<SharedAgent[]>;
  get(username: string): Promise<SharedAgent | null>;
  /** Writes the agent (its whole row) and resolves with it and its new version. */
  put(agent: import('../agents/agent-store.js').StoredAgent, configHash: string | null): Promise<SharedAgent>;
}

/** The three repositories over one database, and the figures read from it. */
export interface DataLayer {
  /** `sqlite` or `postgres`: for logs and health, not for branching. */
  readonly kind: 'sqlite' | 'postgres';
  readonly contacts: ContactRepo;
  readonly cases: CaseRepo;
  readonly calls: CallRepo;
  /** The service-desk reports over this database's cases and calls (`/api/reports`). */
  readonly reports: Reports;
  /** The supervisor view's figures over this database's call records. */
  readonly callStats: CallStats;
  /** PostgreSQL: the agents the nodes share (connector/cluster/agent-sync.ts); absent on SQLite. */
  readonly agents?: SharedAgentRepo;
  /**
   * Releases the connections (PostgreSQL: ends the pool once queries in flight finish).
   * No repository method may be called afterwards. Idempotent.
   */
  close(): Promise<void>;
}
