/**
 * The asynchronous repositories over the synchronous SQLite stores. Each method
 * runs the store's call and settles the promise with its result; a throw becomes
 * a rejection. Atomicity and ordering are the stores' own (IMMEDIATE transactions
 * on one connection), so the semantics are exactly the synchronous ones.
 */
import type { CallRecord } from '../../calls/call-record.js';
import type { SqliteCallStore } from '../../calls/sqlite-call-store.js';
import type { AccountSummary, CaseSummary, ContactSummary } from '../../protocol.js';
import type { CallRepo, CaseRepo, ContactMatch, ContactRepo, UpdateCaseResult } from '../data-layer.js';
import type { SqliteCaseStore } from '../sqlite-cases.js';
import type { SqliteContactStore } from '../sqlite-contacts.js';
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
} from '../types.js';

/** {@link ContactRepo} over a {@link SqliteContactStore}. */
export class SqliteContactRepo implements ContactRepo {
  constructor(private readonly store: SqliteContactStore) {}

  async findByE164(e164: string): Promise<ContactMatch[]> {
    return this.store.findByE164(e164);
  }
  async getContact(id: number): Promise<ContactSummary | null> {
    return this.store.getContact(id);
  }
  async getAccount(id: number): Promise<AccountSummary | null> {
    return this.store.getAccount(id);
  }
  async findAccountByNumber(accountNumber: string): Promise<AccountSummary | null> {
    return this.store.findAccountByNumber(accountNumber);
  }
  async listAccounts(): Promise<AccountSummary[]> {
    return this.store.listAccounts();
  }
  async count(): Promise<number> {
    return this.store.count();
  }
  async addAccount(input: AccountInput): Promise<number> {
    return this.store.addAccount(input);
  }
  async addContact(input: ContactInput): Promise<number> {
    return this.store.addContact(input);
  }
  async upsertBatch(rows: readonly ContactBatchRow[]): Promise<ContactBatchOutcome[]> {
    return this.store.upsertBatch(rows);
  }
}

/** {@link CaseRepo} over a {@link SqliteCaseStore}. */
export class SqliteCaseRepo implements CaseRepo {
  constructor(private readonly store: SqliteCaseStore) {}

  async create(input: NewCase, idempotencyKey: string | null, hashOfRequest?: string): Promise<CreateCaseResult> {
    return this.store.create(input, idempotencyKey, hashOfRequest);
  }
  async get(number: string): Promise<CaseRecord | null> {
    return this.store.get(number);
  }
  async list(filter: CaseFilter): Promise<CaseRecord[]> {
    return this.store.list(filter);
  }
  async openCasesFor(contactIds: readonly number[], limit: number): Promise<CaseSummary[]> {
    return this.store.openCasesFor([...contactIds], limit);
  }
  async update(number: string, patch: CasePatch, response: ChangeAuthor | null, author?: ChangeAuthor): Promise<UpdateCaseResult> {
    return this.store.update(number, patch, response, author);
  }
  async escalate(number: string, input: EscalateInput): Promise<EscalateResult | null> {
    return this.store.escalate(number, input);
  }
  async assign(number: string, input: AssignInput): Promise<AssignResult | null> {
    return this.store.assign(number, input);
  }
  async events(number: string): Promise<CaseEvent[] | null> {
    return this.store.events(number);
  }
}

/**
 * {@link CallRepo} over a {@link SqliteCallStore}. The store gathers writes until the
 * next turn of the event loop; this repo commits at once (`flush`) so that `save`
 * resolves only when the record is on disk. Callers that want one commit for many
 * records use `saveMany`.
 */
export class SqliteCallRepo implements CallRepo {
  constructor(private readonly store: SqliteCallStore) {}

  async save(record: CallRecord): Promise<void> {
    this.store.save(record);
    this.store.flush();
  }
  async saveMany(records: readonly CallRecord[]): Promise<void> {
    for (const record of records) this.store.save(record);
    this.store.flush();
  }
  async get(callId: string): Promise<CallRecord | null> {
    return this.store.get(callId);
  }
}
