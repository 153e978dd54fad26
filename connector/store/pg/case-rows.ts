/**
 * Rows of `cases` and `case_events` in PostgreSQL, and their records. The pool's
 * result types (tx.ts) give bigint columns as numbers and times as ISO strings;
 * `jsonb` comes parsed.
 */
import type { CaseSummary, IvrStep } from '../../protocol.js';
import { formatNumber } from '../case-rules.js';
import type { CaseEvent, CaseRecord } from '../types.js';
import type { Queryable } from './tx.js';

export interface CaseRow {
  number: number;
  subject: string;
  type: CaseRecord['type'];
  priority: CaseRecord['priority'];
  status: CaseRecord['status'];
  origin: CaseRecord['origin'];
  description: string;
  disposition: CaseRecord['disposition'];
  contact_id: number | null;
  account_id: number | null;
  call_id: string | null;
  ani: string | null;
  ani_e164: string | null;
  dnis: string | null;
  queue: string | null;
  ivr_path: IvrStep[];
  wait_seconds: number | null;
  talk_seconds: number | null;
  agent: string;
  created_at: string;
  first_response_at: string | null;
  first_response_by: string | null;
  assignee: string | null;
}

/** The columns of a {@link CaseRow}, named (not `*`, so a later column cannot change a prepared statement's result). */
export const CASE_COLUMNS = `number, subject, type, priority, status, origin, description, disposition, contact_id, account_id,
  call_id, ani, ani_e164, dnis, queue, ivr_path, wait_seconds, talk_seconds, agent, created_at, first_response_at,
  first_response_by, assignee`;

export type SummaryRow = Pick<CaseRow, 'number' | 'subject' | 'type' | 'status' | 'priority' | 'created_at'>;

interface EventRow {
  at: string;
  actor: string;
  kind: CaseEvent['kind'];
  from_queue: string | null;
  to_queue: string | null;
  assignee: string | null;
  note: string | null;
  fields: string[];
}

export function toRecord(row: CaseRow): CaseRecord {
  return {
    number: formatNumber(row.number),
    subject: row.subject,
    type: row.type,
    priority: row.priority,
    status: row.status,
    origin: row.origin,
    description: row.description,
    disposition: row.disposition,
    contactId: row.contact_id,
    accountId: row.account_id,
    callId: row.call_id,
    ani: row.ani,
    aniE164: row.ani_e164,
    dnis: row.dnis,
    queue: row.queue,
    ivrPath: row.ivr_path,
    waitSeconds: row.wait_seconds,
    talkSeconds: row.talk_seconds,
    agent: row.agent,
    createdAt: row.created_at,
    firstResponseAt: row.first_response_at,
    firstResponseBy: row.first_response_by,
    assignee: row.assignee,
  };
}

export function toSummary(row: SummaryRow): CaseSummary {
  return {
    number: formatNumber(row.number),
    subject: row.subject,
    type: row.type,
    status: row.status,
    priority: row.priority,
    createdAt: row.created_at,
  };
}

/** The case, locked FOR UPDATE until the end of the caller's transaction; null if none. */
export async function lockCase(db: Queryable, number: number): Promise<CaseRecord | null> {
  const { rows } = await db.query<CaseRow>({
    name: 'sb_case_for_update',
    text: `SELECT ${CASE_COLUMNS} FROM cases WHERE number = $1 FOR UPDATE`,
    values: [number],
  });
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Appends an event; `db` MUST be the client of the transaction making the change. */
export async function appendEvent(db: Queryable, caseNumber: number, e: CaseEvent): Promise<void> {
  await db.query({
    name: 'sb_append_case_event',
    text: `INSERT INTO case_events (case_number, at, actor, kind, from_queue, to_queue, assignee, note, fields)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    values: [caseNumber, e.at, e.by, e.kind, e.fromQueue, e.toQueue, e.assignee, e.note, JSON.stringify(e.fields)],
  });
}

/** The case's events, oldest first; null: no such case. One statement, so one snapshot. */
export async function eventsOf(db: Queryable, caseNumber: number): Promise<CaseEvent[] | null> {
  const { rows } = await db.query<{ [K in keyof EventRow]: EventRow[K] | null }>({
    name: 'sb_case_events',
    text: `SELECT e.at, e.actor, e.kind, e.from_queue, e.to_queue, e.assignee, e.note, e.fields
             FROM cases c LEFT JOIN case_events e ON e.case_number = c.number
            WHERE c.number = $1
            ORDER BY e.id`,
    values: [caseNumber],
  });
  if (rows.length === 0) return null;
  const events: CaseEvent[] = [];
  for (const r of rows) {
    // The case without events gives one row of NULLs.
    if (r.at === null || r.actor === null || r.kind === null) continue;
    events.push({ at: r.at, by: r.actor, kind: r.kind, fromQueue: r.from_queue, toQueue: r.to_queue, assignee: r.assignee, note: r.note, fields: r.fields ?? [] });
  }
  return events;
}
