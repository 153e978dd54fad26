/**
 * Cases in SQLite, with Idempotency-Key replay. A save, the contact it may
 * create, its idempotency record and its `created` event commit together or
 * not at all; every later change commits with its event.
 */
import type { CaseSummary, IvrStep } from '../protocol.js';
import { normalizePhone, type CountryCode } from '../phone/normalize.js';
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';
import { caseEvent, diff, page, parseCaseNumber, statusAfterEscalation } from './case-rules.js';
import { AccountNotFoundError, CaseContactConflictError, ContactNotFoundError } from './errors.js';
import { requestHash } from './request-hash.js';
import { caseRecordOf, caseSummaryOf, type CaseRowOf, type SummaryRow } from './rows.js';
import { SqliteCaseEvents } from './sqlite-case-events.js';
import { SqliteContactStore } from './sqlite-contacts.js';
import type {
  AssignInput,
  AssignResult,
  CaseEvent,
  CaseFilter,
  CasePatch,
  CaseRecord,
  CaseStore,
  ChangeAuthor,
  CreateCaseResult,
  EscalateInput,
  EscalateResult,
  NewCase,
} from './types.js';

export { formatNumber, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from './case-rules.js';

export interface SqliteCaseStoreOptions {
  /** Region for reading a new contact's number and the `phone` filter. */
  defaultRegion: CountryCode;
  /** Clock for `created_at`; tests and the seed pass a fixed one. */
  now?: () => Date;
}


/** A `cases` row as SQLite gives it: `ivr_path` is JSON text. */
type CaseRow = CaseRowOf<string>;

/** The SQLite {@link CaseStore}. */
export class SqliteCaseStore implements CaseStore {
  private readonly region: CountryCode;
  private readonly now: () => Date;
  private readonly contacts: SqliteContactStore;
  private readonly listStatements = new Map<string, ReturnType<Database['prepare']>>();
  private readonly byNumber;
  private readonly keyByKey;
  private readonly insertKey;
  private readonly insertCase;
  private readonly contactAccount;
  private readonly accountExists;
  /** Open-case statements by limit: [one contact, several contacts]. */
  private readonly openFor = new Map<number, [Statement<[number], SummaryRow>, Statement<[string], SummaryRow>]>();
  private readonly history: SqliteCaseEvents;
  private readonly setQueue;
  private readonly setAssignee;
  private readonly createTx;
  private readonly updateTx;
  private readonly escalateTx;
  private readonly assignTx;

  constructor(
    private readonly db: Database,
    options: SqliteCaseStoreOptions,
  ) {
    this.region = options.defaultRegion;
    this.now = options.now ?? (() => new Date());
    this.contacts = new SqliteContactStore(db, { now: this.now });
    this.byNumber = db.prepare<[number], CaseRow>('SELECT * FROM cases WHERE number = ?');
    this.keyByKey = db.prepare<[string], { request_hash: string; case_number: number }>(
      'SELECT request_hash, case_number FROM idempotency_keys WHERE key = ?',
    );
    this.insertKey = db.prepare<[string, string, number, string]>(
      'INSERT INTO idempotency_keys (key, request_hash, case_number, created_at) VALUES (?, ?, ?, ?)',
    );
    this.insertCase = db.prepare<[Record<string, unknown>]>(
      `INSERT INTO cases (subject, type, priority, status, origin, description, disposition, contact_id,
         account_id, call_id, ani, ani_e164, dnis, queue, ivr_path, wait_seconds, talk_seconds, agent, created_at, assignee)
       VALUES (@subject, @type, @priority, @status, @origin, @description, @disposition, @contactId,
         @accountId, @callId, @ani, @aniE164, @dnis, @queue, @ivrPath, @waitSeconds, @talkSeconds, @agent, @createdAt, @assignee)`,
    );
    this.contactAccount = db.prepare<[number], { account_id: number | null }>(
      'SELECT account_id FROM contacts WHERE id = ?',
    );
    this.accountExists = db.prepare<[number], number>('SELECT 1 FROM accounts WHERE id = ?').pluck();
    this.history = new SqliteCaseEvents(db);
    this.setQueue = db.prepare<[string, string, number]>('UPDATE cases SET queue = ?, status = ?, assignee = NULL WHERE number = ?');
    this.setAssignee = db.prepare<[string, number]>('UPDATE cases SET assignee = ? WHERE number = ? AND assignee IS NULL');
    this.createTx = db.transaction((input: NewCase, key: string | null, hash: string): CreateCaseResult => {
      if (key !== null) {
        const earlier = this.keyByKey.get(key);
        if (earlier) {
          if (earlier.request_hash !== hash) return { kind: 'key-reused' };
          const record = this.getByNumber(earlier.case_number);
          // The key's case is written in the same transaction as the key, so it exists.
          if (record) return { kind: 'replayed', record };
        }
      }
      const createdAt = this.now().toISOString();
      const { contactId, accountId } = this.resolveContact(input, createdAt);
      const { lastInsertRowid } = this.insertCase.run({
        subject: input.subject,
        type: input.type,
        priority: input.priority,
        status: input.status,
        origin: input.origin,
        description: input.description,
        disposition: input.disposition,
        contactId,
        accountId,
        callId: input.callId,
        ani: input.ani,
        // A case typed in by hand may carry only the written number; keep it findable by phone.
        aniE164: input.aniE164 ?? (input.ani ? normalizePhone(input.ani, this.region).e164 : null),
        dnis: input.dnis,
        queue: input.queue,
        ivrPath: JSON.stringify(input.ivrPath),
        waitSeconds: input.waitSeconds,
        talkSeconds: input.talkSeconds,
        agent: input.agent,
        createdAt,
        assignee: input.assignee === undefined ? input.agent : input.assignee,
      });
      const number = Number(lastInsertRowid);
      if (key !== null) this.insertKey.run(key, hash, number, createdAt);
      const record = this.getByNumber(number);
      if (!record) throw new Error(`case ${number} vanished inside its own transaction`);
      this.history.append(number, caseEvent({ at: createdAt, by: input.agent, kind: 'created', toQueue: record.queue, assignee: record.assignee }));
      return { kind: 'created', record };
    });
    this.updateTx = db.transaction((number: number, patch: CasePatch, response: ChangeAuthor | null, author: ChangeAuthor | undefined) => {
      const before = this.getByNumber(number);
      if (!before) return null;
      const { changed, next } = diff(before, patch);
      if (changed.length === 0) return { record: before, changed };
      db.prepare(
        `UPDATE cases SET subject = @subject, description = @description, status = @status, priority = @priority, disposition = @disposition,
                first_response_by = CASE WHEN first_response_at IS NULL THEN @by ELSE first_response_by END,
                first_response_at = COALESCE(first_response_at, @at)
          WHERE number = @number`,
      ).run({ subject: next.subject, description: next.description, status: next.status, priority: next.priority, disposition: next.disposition, by: response?.by ?? null, at: response?.at ?? null, number });
      const who = author ?? response ?? { at: this.now().toISOString(), by: before.agent };
      this.history.append(number, caseEvent({ at: who.at, by: who.by, kind: 'updated', fields: changed }));
      return { record: this.getByNumber(number) as CaseRecord, changed };
    });
    this.escalateTx = db.transaction((number: number, input: EscalateInput): EscalateResult | null => {
      const before = this.getByNumber(number);
      if (!before) return null;
      if (before.status === 'closed') return { kind: 'closed', record: before };
      this.setQueue.run(input.toQueue, statusAfterEscalation(before.status), number);
      this.history.append(
        number,
        caseEvent({ at: input.at, by: input.by, kind: 'escalated', fromQueue: before.queue, toQueue: input.toQueue, note: input.note }),
      );
      return { kind: 'escalated', record: this.getByNumber(number) as CaseRecord };
    });
    this.assignTx = db.transaction((number: number, input: AssignInput): AssignResult | null => {
      const before = this.getByNumber(number);
      if (!before) return null;
      if (before.status === 'closed') return { kind: 'closed', record: before };
      if (this.setAssignee.run(input.assignee, number).changes === 0) return { kind: 'taken', record: before };
      this.history.append(number, caseEvent({ at: input.at, by: input.by, kind: 'assigned', assignee: input.assignee }));
      return { kind: 'assigned', record: this.getByNumber(number) as CaseRecord };
    });
  }

  /**
   * Applies the fields of `patch` that differ from the case, in one IMMEDIATE
   * transaction; the first response is set once (COALESCE) and only when
   * something changed. Repeating a patch changes nothing the second time.
   */
  update(
    number: string,
    patch: CasePatch,
    response: ChangeAuthor | null,
    author?: ChangeAuthor,
  ): { record: CaseRecord; changed: Array<keyof CasePatch> } | null {
    const n = parseCaseNumber(number);
    return n === null ? null : this.updateTx.immediate(n, patch, response, author);
  }

  /**
   * Moves the case to another tier's queue, unassigned, in one IMMEDIATE
   * transaction with its `escalated` event. A closed case is left alone.
   */
  escalate(number: string, input: EscalateInput): EscalateResult | null {
    const n = parseCaseNumber(number);
    return n === null ? null : this.escalateTx.immediate(n, input);
  }

  /**
   * Gives an unassigned case to an agent. The UPDATE only matches while the
   * assignee is NULL, so of two takers (even in two processes) one wins.
   */
  assign(number: string, input: AssignInput): AssignResult | null {
    const n = parseCaseNumber(number);
    return n === null ? null : this.assignTx.immediate(n, input);
  }

  /** The case's history, oldest first; null for no such case. */
  events(number: string): CaseEvent[] | null {
    const n = parseCaseNumber(number);
    if (n === null || !this.byNumber.get(n)) return null;
    return this.history.of(n);
  }

  /**
   * Saves a case. With an Idempotency-Key, a repeat of the same body returns
   * the earlier case (`replayed`) and a different body returns `key-reused`;
   * neither writes anything.
   *
   * @throws ContactNotFoundError, AccountNotFoundError, CaseContactConflictError;
   * SQLite constraint errors for values outside the schema's enums.
   */
  create(input: NewCase, idempotencyKey: string | null, hashOfRequest?: string): CreateCaseResult {
    const hash = idempotencyKey === null ? '' : (hashOfRequest ?? requestHash(input));
    // IMMEDIATE takes the write lock up front, so two processes racing on one
    // key serialize instead of both reading "no such key".
    return this.createTx.immediate(input, idempotencyKey, hash);
  }

  /** A case by its number, padded (`00001001`) or not (`1001`). */
  get(number: string): CaseRecord | null {
    const n = parseCaseNumber(number);
    return n === null ? null : this.getByNumber(n);
  }

  /**
   * Cases matching every given filter, newest first. `phone` is normalized
   * and matches the case's ANI or any number of its contact; a phone that
   * does not normalize to a valid number matches nothing.
   */
  list(filter: CaseFilter): CaseRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.contactId !== undefined) {
      where.push('contact_id = @contactId');
      params.contactId = filter.contactId;
    }
    // A blank phone field in a search form means "any number", not "no number".
    if (filter.phone !== undefined && filter.phone.trim() !== '') {
      const phone = normalizePhone(filter.phone, this.region);
      if (phone.e164 === null) return [];
      where.push(
        '(ani_e164 = @e164 OR contact_id IN (SELECT contact_id FROM contact_phones WHERE e164 = @e164))',
      );
      params.e164 = phone.e164;
    }
    for (const key of ['type', 'status', 'agent', 'assignee', 'queue'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = @${key}`);
        params[key] = filter[key];
      }
    }
    if (filter.unassigned !== undefined) where.push(filter.unassigned ? 'assignee IS NULL' : 'assignee IS NOT NULL');
    Object.assign(params, page(filter));
    const sql =
      `SELECT * FROM cases${where.length ? ` WHERE ${where.join(' AND ')}` : ''}` +
      ' ORDER BY number DESC LIMIT @limit OFFSET @offset';
    return (this.statement(sql).all(params) as CaseRow[]).map(toRecord);
  }

  /** Open (status not `closed`) cases of these contacts, newest first, at most `limit`. */
  openCasesFor(contactIds: number[], limit: number): CaseSummary[] {
    if (contactIds.length === 0 || limit <= 0) return [];
    const n = Math.trunc(limit);
    let rows: SummaryRow[];
    if (Number.isSafeInteger(n)) {
      const [one, many] = this.openStatements(n);
      rows = contactIds.length === 1 ? one.all(contactIds[0] as number) : many.all(JSON.stringify(contactIds));
    } else {
      // Not a number SQL can take as a literal (Infinity, NaN): bound, SQLite judges it as before.
      rows = this.db
        .prepare<[string, number], SummaryRow>(
          `SELECT number, subject, type, status, priority, created_at FROM cases
            WHERE contact_id IN (SELECT value FROM json_each(?)) AND status <> 'closed' ORDER BY number DESC LIMIT ?`,
        )
        .all(JSON.stringify(contactIds), n);
    }
    return rows.map(caseSummaryOf);
  }

  /**
   * The open-case statements for `limit` (a positive integer), prepared once.
   * The limit is written into the SQL rather than bound: bound, it made each
   * run about 3x slower (measured: 10-16 us against 3.7 us for one contact's
   * cases), and the pop's lookup always asks for the same few. One contact (the
   * common case) is a plain indexed `=`; several go through json_each, which
   * keeps one statement for any number of ids.
   */
  private openStatements(limit: number): [Statement<[number], SummaryRow>, Statement<[string], SummaryRow>] {
    let pair = this.openFor.get(limit);
    if (!pair) {
      const select = 'SELECT number, subject, type, status, priority, created_at FROM cases';
      const rest = `AND status <> 'closed' ORDER BY number DESC LIMIT ${limit}`;
      pair = [
        this.db.prepare<[number], SummaryRow>(`${select} WHERE contact_id = ? ${rest}`),
        this.db.prepare<[string], SummaryRow>(`${select} WHERE contact_id IN (SELECT value FROM json_each(?)) ${rest}`),
      ];
      // Callers pass a handful of limits at most; a stray caller must not grow this without end.
      if (this.openFor.size >= 16) this.openFor.clear();
      this.openFor.set(limit, pair);
    }
    return pair;
  }

  private getByNumber(number: number): CaseRecord | null {
    const row = this.byNumber.get(number);
    return row ? toRecord(row) : null;
  }

  /** The contact and account the case attaches to, creating the new contact if there is one. */
  private resolveContact(input: NewCase, createdAt: string): { contactId: number | null; accountId: number | null } {
    if (input.newContact && input.contactId !== null) throw new CaseContactConflictError();
    if (input.contactId !== null) {
      const row = this.contactAccount.get(input.contactId);
      if (!row) throw new ContactNotFoundError(input.contactId);
      return { contactId: input.contactId, accountId: row.account_id };
    }
    const nc = input.newContact;
    if (!nc) return { contactId: null, accountId: null };
    if (nc.accountId !== null && this.accountExists.get(nc.accountId) === undefined) {
      throw new AccountNotFoundError(nc.accountId);
    }
    const phone = normalizePhone(nc.phoneRaw, this.region);
    const contactId = this.contacts.addContact({
      firstName: nc.firstName,
      lastName: nc.lastName,
      email: nc.email,
      accountId: nc.accountId,
      // An unknown caller may have withheld the number: then there is none to keep.
      phones:
        nc.phoneRaw.trim() === ''
          ? []
          : [{ kind: 'phone', raw: nc.phoneRaw, e164: phone.e164, extension: phone.extension, region: this.region }],
      createdAt,
    });
    return { contactId, accountId: nc.accountId };
  }

  private statement(sql: string): ReturnType<Database['prepare']> {
    let stmt = this.listStatements.get(sql);
    if (!stmt) {
      // A few hundred filter shapes at most (each filter present or not), so the cache stays bounded.
      stmt = this.db.prepare(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt;
  }
}

const toRecord = (row: CaseRow): CaseRecord => caseRecordOf(row, JSON.parse(row.ivr_path) as IvrStep[]);
