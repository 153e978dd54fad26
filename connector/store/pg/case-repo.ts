/**
 * Cases in PostgreSQL, with Idempotency-Key replay and a history of events.
 *
 * Concurrency, in READ COMMITTED:
 * - a save with a key takes a transaction advisory lock on the key first, so two saves
 *   with one key take turns and the second reads the first one's committed key row
 *   (the key's primary key is the backstop);
 * - a change (update, escalate, assign) locks the case row FOR UPDATE and decides on
 *   the row as it is once the lock is held, so of two takers the second sees the first.
 */
import type { Pool, PoolClient } from 'pg';
import { normalizePhone, type CountryCode } from '../../phone/normalize.js';
import type { CaseSummary } from '../../protocol.js';
import { caseEvent, diff, page, parseCaseNumber, statusAfterEscalation } from '../case-rules.js';
import type { CaseRepo, UpdateCaseResult } from '../data-layer.js';
import { AccountNotFoundError, CaseContactConflictError, ContactNotFoundError } from '../errors.js';
import { requestHash } from '../request-hash.js';
import type {
  AssignInput,
  AssignResult,
  CaseEvent,
  CaseFilter,
  CasePatch,
  CaseRecord,
  ChangeAuthor,
  CreateCaseResult,
  EscalateInput,
  EscalateResult,
  NewCase,
} from '../types.js';
import { appendEvent, CASE_COLUMNS, eventsOf, lockCase, toRecord, toSummary, type CaseRow, type SummaryRow } from './case-rows.js';
import { insertContact } from './contact-repo.js';
import { LOCK_CLASS_IDEMPOTENCY } from './locks.js';
import { inTransaction, isKey } from './tx.js';

/**
 * The pop's open cases ($1: contact ids, $2: limit or NULL); the test checks its plan
 * uses the partial index `cases_open_by_contact`.
 */
export const OPEN_CASES_SQL = `SELECT number, subject, type, status, priority, created_at FROM cases
  WHERE contact_id = ANY($1::bigint[]) AND status <> 'closed'
  ORDER BY number DESC LIMIT $2`;

export interface PgCaseRepoOptions {
  /** Region for reading a new contact's number, a typed-in ANI and the `phone` filter. */
  defaultRegion: CountryCode;
  /** Clock for `created_at`. */
  now: () => Date;
}

/** The PostgreSQL {@link CaseRepo}. */
export class PgCaseRepo implements CaseRepo {
  constructor(
    private readonly pool: Pool,
    private readonly options: PgCaseRepoOptions,
  ) {}

  async create(input: NewCase, idempotencyKey: string | null, hashOfRequest?: string): Promise<CreateCaseResult> {
    const hash = idempotencyKey === null ? '' : (hashOfRequest ?? requestHash(input));
    return inTransaction(this.pool, async (client) => {
      if (idempotencyKey !== null) {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS_IDEMPOTENCY, idempotencyKey]);
        const { rows } = await client.query<{ request_hash: string; case_number: number }>({
          name: 'sb_idempotency_key',
          text: 'SELECT request_hash, case_number FROM idempotency_keys WHERE key = $1',
          values: [idempotencyKey],
        });
        const earlier = rows[0];
        if (earlier) {
          if (earlier.request_hash !== hash) return { kind: 'key-reused' };
          const record = await this.byNumber(client, earlier.case_number);
          // The key's case is written in the same transaction as the key, so it exists.
          if (record) return { kind: 'replayed', record };
        }
      }
      const createdAt = this.options.now().toISOString();
      const { contactId, accountId } = await this.resolveContact(client, input, createdAt);
      const { rows } = await client.query<CaseRow>({
        name: 'sb_insert_case',
        text: `INSERT INTO cases (subject, type, priority, status, origin, description, disposition, contact_id, account_id,
                 call_id, ani, ani_e164, dnis, queue, ivr_path, wait_seconds, talk_seconds, agent, created_at, assignee)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18, $19, $20)
               RETURNING ${CASE_COLUMNS}`,
        values: [
          input.subject,
          input.type,
          input.priority,
          input.status,
          input.origin,
          input.description,
          input.disposition,
          contactId,
          accountId,
          input.callId,
          input.ani,
          // A case typed in by hand may carry only the written number; keep it findable by phone.
          input.aniE164 ?? (input.ani ? normalizePhone(input.ani, this.options.defaultRegion).e164 : null),
          input.dnis,
          input.queue,
          JSON.stringify(input.ivrPath),
          input.waitSeconds,
          input.talkSeconds,
          input.agent,
          createdAt,
          input.assignee === undefined ? input.agent : input.assignee,
        ],
      });
      const record = toRecord(rows[0] as CaseRow);
      const number = Number(record.number);
      if (idempotencyKey !== null) {
        await client.query({
          name: 'sb_insert_idempotency_key',
          text: 'INSERT INTO idempotency_keys (key, request_hash, case_number, created_at) VALUES ($1, $2, $3, $4)',
          values: [idempotencyKey, hash, number, createdAt],
        });
      }
      await appendEvent(client, number, caseEvent({ at: createdAt, by: input.agent, kind: 'created', toQueue: record.queue, assignee: record.assignee }));
      return { kind: 'created', record };
    });
  }

  async get(number: string): Promise<CaseRecord | null> {
    const n = parseCaseNumber(number);
    return n === null ? null : this.byNumber(this.pool, n);
  }

  async list(filter: CaseFilter): Promise<CaseRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (filter.contactId !== undefined) where.push(`contact_id = ${param(filter.contactId)}`);
    // A blank phone field in a search form means "any number", not "no number".
    if (filter.phone !== undefined && filter.phone.trim() !== '') {
      const phone = normalizePhone(filter.phone, this.options.defaultRegion);
      if (phone.e164 === null) return [];
      const e164 = param(phone.e164);
      where.push(`(ani_e164 = ${e164} OR contact_id IN (SELECT contact_id FROM contact_phones WHERE e164 = ${e164}))`);
    }
    for (const key of ['type', 'status', 'agent', 'assignee', 'queue'] as const) {
      if (filter[key] !== undefined) where.push(`${key} = ${param(filter[key])}`);
    }
    if (filter.unassigned !== undefined) where.push(filter.unassigned ? 'assignee IS NULL' : 'assignee IS NOT NULL');
    const { limit, offset } = page(filter);
    const { rows } = await this.pool.query<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM cases${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY number DESC LIMIT ${param(limit)} OFFSET ${param(offset)}`,
      values,
    );
    return rows.map(toRecord);
  }

  /** Through the partial index `cases_open_by_contact (contact_id, number DESC) WHERE status <> 'closed'`. */
  async openCasesFor(contactIds: readonly number[], limit: number): Promise<CaseSummary[]> {
    const ids = contactIds.filter(isKey);
    if (ids.length === 0 || limit <= 0) return [];
    const n = Math.trunc(limit);
    const { rows } = await this.pool.query<SummaryRow>({
      name: 'sb_open_cases_for',
      text: OPEN_CASES_SQL,
      // LIMIT NULL is no limit: what a limit too large to be one means.
      values: [ids, Number.isSafeInteger(n) ? n : null],
    });
    return rows.map(toSummary);
  }

  async update(number: string, patch: CasePatch, response: ChangeAuthor | null, author?: ChangeAuthor): Promise<UpdateCaseResult> {
    const n = parseCaseNumber(number);
    if (n === null) return null;
    return inTransaction(this.pool, async (client) => {
      const before = await lockCase(client, n);
      if (!before) return null;
      const { changed, next } = diff(before, patch);
      if (changed.length === 0) return { record: before, changed };
      const { rows } = await client.query<CaseRow>({
        name: 'sb_update_case',
        text: `UPDATE cases SET subject = $2, description = $3, status = $4, priority = $5, disposition = $6,
                      first_response_by = CASE WHEN first_response_at IS NULL THEN $7 ELSE first_response_by END,
                      first_response_at = COALESCE(first_response_at, $8::timestamptz)
                WHERE number = $1
               RETURNING ${CASE_COLUMNS}`,
        values: [n, next.subject, next.description, next.status, next.priority, next.disposition, response?.by ?? null, response?.at ?? null],
      });
      const who = author ?? response ?? { at: this.options.now().toISOString(), by: before.agent };
      await appendEvent(client, n, caseEvent({ at: who.at, by: who.by, kind: 'updated', fields: changed }));
      return { record: toRecord(rows[0] as CaseRow), changed };
    });
  }

  async escalate(number: string, input: EscalateInput): Promise<EscalateResult | null> {
    const n = parseCaseNumber(number);
    if (n === null) return null;
    return inTransaction(this.pool, async (client) => {
      const before = await lockCase(client, n);
      if (!before) return null;
      if (before.status === 'closed') return { kind: 'closed', record: before };
      const { rows } = await client.query<CaseRow>({
        name: 'sb_escalate_case',
        text: `UPDATE cases SET queue = $2, status = $3, assignee = NULL WHERE number = $1 RETURNING ${CASE_COLUMNS}`,
        values: [n, input.toQueue, statusAfterEscalation(before.status)],
      });
      await appendEvent(
        client,
        n,
        caseEvent({ at: input.at, by: input.by, kind: 'escalated', fromQueue: before.queue, toQueue: input.toQueue, note: input.note }),
      );
      return { kind: 'escalated', record: toRecord(rows[0] as CaseRow) };
    });
  }

  async assign(number: string, input: AssignInput): Promise<AssignResult | null> {
    const n = parseCaseNumber(number);
    if (n === null) return null;
    return inTransaction(this.pool, async (client) => {
      // Of two takers, the second waits here and then reads the first one's assignee.
      const before = await lockCase(client, n);
      if (!before) return null;
      if (before.status === 'closed') return { kind: 'closed', record: before };
      if (before.assignee !== null) return { kind: 'taken', record: before };
      const { rows } = await client.query<CaseRow>({
        name: 'sb_assign_case',
        text: `UPDATE cases SET assignee = $2 WHERE number = $1 RETURNING ${CASE_COLUMNS}`,
        values: [n, input.assignee],
      });
      await appendEvent(client, n, caseEvent({ at: input.at, by: input.by, kind: 'assigned', assignee: input.assignee }));
      return { kind: 'assigned', record: toRecord(rows[0] as CaseRow) };
    });
  }

  async events(number: string): Promise<CaseEvent[] | null> {
    const n = parseCaseNumber(number);
    if (n === null) return null;
    return eventsOf(this.pool, n);
  }

  private async byNumber(db: Pool | PoolClient, number: number): Promise<CaseRecord | null> {
    const { rows } = await db.query<CaseRow>({
      name: 'sb_case_by_number',
      text: `SELECT ${CASE_COLUMNS} FROM cases WHERE number = $1`,
      values: [number],
    });
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The contact and account the case attaches to, creating the new contact if there is one. */
  private async resolveContact(client: PoolClient, input: NewCase, createdAt: string): Promise<{ contactId: number | null; accountId: number | null }> {
    if (input.newContact && input.contactId !== null) throw new CaseContactConflictError();
    if (input.contactId !== null) {
      // KEY SHARE: the contact cannot be deleted before the case that refers to it commits.
      const { rows } = isKey(input.contactId)
        ? await client.query<{ account_id: number | null }>('SELECT account_id FROM contacts WHERE id = $1 FOR KEY SHARE', [input.contactId])
        : { rows: [] };
      const row = rows[0];
      if (!row) throw new ContactNotFoundError(input.contactId);
      return { contactId: input.contactId, accountId: row.account_id };
    }
    const nc = input.newContact;
    if (!nc) return { contactId: null, accountId: null };
    if (nc.accountId !== null) {
      const { rowCount } = isKey(nc.accountId)
        ? await client.query('SELECT 1 FROM accounts WHERE id = $1 FOR KEY SHARE', [nc.accountId])
        : { rowCount: 0 };
      if (!rowCount) throw new AccountNotFoundError(nc.accountId);
    }
    const region = this.options.defaultRegion;
    const phone = normalizePhone(nc.phoneRaw, region);
    const contactId = await insertContact(
      client,
      {
        firstName: nc.firstName,
        lastName: nc.lastName,
        email: nc.email,
        accountId: nc.accountId,
        // An unknown caller may have withheld the number: then there is none to keep.
        phones: nc.phoneRaw.trim() === '' ? [] : [{ kind: 'phone', raw: nc.phoneRaw, e164: phone.e164, extension: phone.extension, region }],
        createdAt,
      },
      this.options.now,
    );
    return { contactId, accountId: nc.accountId };
  }
}
