/**
 * Service-desk reports: cases by type, origin, customer or status; calls by queue
 * or outcome, with average speed of answer, average talk time and IVR containment;
 * cases with their average response time (case created to the first agent action
 * on it); totals or per day / per hour (UTC) over a time range.
 *
 * Behind {@link Reports}, with one implementation per store: {@link SqliteReports}
 * here (the embedded store) and `PgReports` (`pg-reports.ts`, scale-out mode). Each
 * data layer carries the one over its own database (`DataLayer.reports`).
 */
import type { Database } from '../store/db.js';

export type CaseDimension = 'type' | 'origin' | 'customer' | 'status' | 'agent';
export type CallDimension = 'queue' | 'outcome';
export type Interval = 'total' | 'day' | 'hour';

export interface Range {
  /** ISO, inclusive. */
  from: string;
  /** ISO, exclusive. */
  to: string;
  interval: Interval;
}

export interface CaseRow {
  bucket: string | null;
  key: string;
  cases: number;
  /** Seconds from the case's creation to the first agent action on it, over the cases that have one. */
  avgResponseSeconds: number | null;
  /** Cases with no agent action yet: counted here, not in the average. */
  awaitingResponse: number;
}

export interface CallRow {
  bucket: string | null;
  key: string;
  calls: number;
  answered: number;
  /** Answered within the IVR alone: completed there, callback, voicemail or transfer. */
  containedInIvr: number;
  abandoned: number;
  avgSpeedOfAnswerSeconds: number | null;
  avgTalkSeconds: number | null;
  /** Talk plus after-call work (until the case was saved or the agent was done), for answered calls. */
  avgHandleSeconds: number | null;
}

const BUCKET: Record<Interval, (col: string) => string> = {
  total: () => 'NULL',
  day: (col) => `strftime('%Y-%m-%d', ${col})`,
  hour: (col) => `strftime('%Y-%m-%dT%H:00Z', ${col})`,
};

// Column expressions are chosen from these fixed maps only, never from input.
const CASE_KEY: Record<CaseDimension, string> = {
  type: 'c.type',
  origin: 'c.origin',
  status: 'c.status',
  agent: 'c.agent',
  customer: "COALESCE(a.name, '(no account)')",
};
const CALL_KEY: Record<CallDimension, string> = {
  queue: "COALESCE(queue, '(no queue)')",
  outcome: "COALESCE(outcome, '(in progress)')",
};

export const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

/**
 * The reports over one store. Both implementations MUST give the same rows for the
 * same data: buckets as `YYYY-MM-DD` / `YYYY-MM-DDTHH:00Z` (UTC) or null for `total`,
 * rows ordered by bucket, then count descending, then key; averages in seconds rounded
 * to one decimal, null when nothing was averaged; times compared as the ISO strings
 * the records carry, `from` inclusive and `to` exclusive.
 */
export interface Reports {
  cases(by: CaseDimension, range: Range): Promise<CaseRow[]>;
  calls(by: CallDimension, range: Range): Promise<CallRow[]>;
}

/** {@link Reports} over the embedded SQLite store. */
export class SqliteReports implements Reports {
  constructor(private readonly db: Database) {}

  async cases(by: CaseDimension, range: Range): Promise<CaseRow[]> {
    const rows = this.db
      .prepare<[string, string], { bucket: string | null; key: string; cases: number; resp: number | null; awaiting: number | null }>(
        `SELECT ${BUCKET[range.interval]('c.created_at')} AS bucket, ${CASE_KEY[by]} AS key, COUNT(*) AS cases,
                AVG((julianday(c.first_response_at) - julianday(c.created_at)) * 86400) AS resp,
                SUM(c.first_response_at IS NULL) AS awaiting
           FROM cases c
           LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.created_at >= ? AND c.created_at < ?
          GROUP BY bucket, key
          ORDER BY bucket, cases DESC, key`,
      )
      .all(range.from, range.to);
    return rows.map((r) => ({ bucket: r.bucket, key: r.key, cases: r.cases, avgResponseSeconds: round(r.resp), awaitingResponse: r.awaiting ?? 0 }));
  }

  async calls(by: CallDimension, range: Range): Promise<CallRow[]> {
    const rows = this.db
      .prepare<[string, string], { bucket: string | null; key: string; calls: number; answered: number; contained: number; abandoned: number; asa: number | null; talk: number | null; handle: number | null }>(
        `SELECT ${BUCKET[range.interval]('arrived_at')} AS bucket, ${CALL_KEY[by]} AS key, COUNT(*) AS calls,
                SUM(outcome = 'answered') AS answered,
                SUM(outcome IN ('completed-in-ivr', 'callback', 'voicemail', 'transferred')) AS contained,
                SUM(outcome LIKE 'abandoned-%') AS abandoned,
                AVG(CASE WHEN outcome = 'answered' THEN (julianday(json_extract(record, '$.connectedAt')) - julianday(arrived_at)) * 86400 END) AS asa,
                AVG(CASE WHEN outcome = 'answered' THEN (julianday(json_extract(record, '$.endedAt')) - julianday(json_extract(record, '$.connectedAt'))) * 86400 END) AS talk,
                AVG(CASE WHEN outcome = 'answered' THEN (julianday(COALESCE(json_extract(record, '$.wrapUpEndedAt'), json_extract(record, '$.endedAt'))) - julianday(json_extract(record, '$.connectedAt'))) * 86400 END) AS handle
           FROM calls
          WHERE arrived_at >= ? AND arrived_at < ?
          GROUP BY bucket, key
          ORDER BY bucket, calls DESC, key`,
      )
      .all(range.from, range.to);
    return rows.map((r) => ({
      bucket: r.bucket,
      key: r.key,
      calls: r.calls,
      answered: r.answered ?? 0,
      containedInIvr: r.contained ?? 0,
      abandoned: r.abandoned ?? 0,
      avgSpeedOfAnswerSeconds: round(r.asa),
      avgTalkSeconds: round(r.talk),
      avgHandleSeconds: round(r.handle),
    }));
  }
}

/** Rows as CSV (RFC 4180: quoted when needed, CRLF line ends). */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    // A leading = + - @ would be a formula in a spreadsheet: prefix it so it stays text.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
