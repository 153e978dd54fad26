/**
 * Rows of `cases` and `case_events` in PostgreSQL, and their records. The pool's
 * result types (tx.ts) give bigint columns as numbers and times as ISO strings;
 * `jsonb` comes parsed.
 */
import type { IvrStep } from '../../protocol.js';
import { caseRecordOf, caseSummaryOf, type CaseRowOf, type SummaryRow } from '../rows.js';
import type { CaseEvent, CaseRecord } from '../types.js';
import type { Queryable } from './tx.js';

/** A `cases` row as the pool gives it: `ivr_path` is parsed jsonb. */
export type CaseRow = CaseRowOf<IvrStep[]>;
export type { SummaryRow };

export const toRecord = (row: CaseRow): CaseRecord => caseRecordOf(row, row.ivr_path);
export const toSummary = caseSummaryOf;


/** The columns of a {@link CaseRow}, named (not `*`, so a later column cannot change a prepared statement's result). */
export const CASE_COLUMNS = `number, subject, type, priority, status, origin, description, disposition, contact_id, account_id,
  call_id, ani, ani_e164, dnis, queue, ivr_path, wait_seconds, talk_seconds, agent, created_at, first_response_at,
  first_response_by, assignee`;


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
