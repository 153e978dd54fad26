/**
 * {@link Reports} over the PostgreSQL store (scale-out mode): the SQLite queries of
 * `report-store.ts` in PostgreSQL's dialect, with the same rows for the same data
 * (`test/reports-pg.test.ts` compares the two on one history).
 *
 * Differences kept out of the results: `timestamptz` columns (cases) are compared as
 * times, call times (text in the record) as strings, as SQLite compares them; keys
 * sort byte-wise (`COLLATE "C"`), as SQLite's BINARY collation does; a call time that
 * is not an ISO time with a zone counts as missing (NULL) rather than failing the
 * report (see `store/pg/iso-time.ts`).
 */
import type { Queryable } from '../store/pg/tx.js';
import { isoTime, secondsBetweenSql, utcText } from '../store/pg/iso-time.js';
import { round, type CallDimension, type CallRow, type CaseDimension, type CaseRow, type Interval, type Range, type Reports } from './report-store.js';

const BUCKET: Record<Interval, (ts: string) => string> = {
  total: () => 'NULL::text',
  day: (ts) => utcText(ts, 'YYYY-MM-DD'),
  hour: (ts) => utcText(ts, 'YYYY-MM-DD"T"HH24":00Z"'),
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

const ARRIVED = isoTime('arrived_at');
const CONNECTED = isoTime(`record ->> 'connectedAt'`);
const ENDED = isoTime(`record ->> 'endedAt'`);
const WRAPPED = isoTime(`COALESCE(record ->> 'wrapUpEndedAt', record ->> 'endedAt')`);

type CaseSqlRow = { bucket: string | null; key: string; cases: number; resp: number | null; awaiting: number };
type CallSqlRow = { bucket: string | null; key: string; calls: number; answered: number; contained: number; abandoned: number; asa: number | null; talk: number | null; handle: number | null };

export class PgReports implements Reports {
  constructor(private readonly db: Queryable) {}

  async cases(by: CaseDimension, range: Range): Promise<CaseRow[]> {
    const { rows } = await this.db.query<CaseSqlRow>(
      `SELECT * FROM (
         SELECT ${BUCKET[range.interval]('c.created_at')} AS bucket, ${CASE_KEY[by]} AS key, count(*) AS cases,
                AVG(${secondsBetweenSql('c.created_at', 'c.first_response_at')}) AS resp,
                count(*) FILTER (WHERE c.first_response_at IS NULL) AS awaiting
           FROM cases c
           LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.created_at >= $1::timestamptz AND c.created_at < $2::timestamptz
          GROUP BY 1, 2
       ) r
       ORDER BY bucket COLLATE "C" NULLS FIRST, cases DESC, key COLLATE "C"`,
      [range.from, range.to],
    );
    return rows.map((r) => ({ bucket: r.bucket, key: r.key, cases: r.cases, avgResponseSeconds: round(r.resp), awaitingResponse: r.awaiting }));
  }

  async calls(by: CallDimension, range: Range): Promise<CallRow[]> {
    const answered = `outcome = 'answered'`;
    const { rows } = await this.db.query<CallSqlRow>(
      `SELECT * FROM (
         SELECT ${BUCKET[range.interval](ARRIVED)} AS bucket, ${CALL_KEY[by]} AS key, count(*) AS calls,
                count(*) FILTER (WHERE ${answered}) AS answered,
                count(*) FILTER (WHERE outcome IN ('completed-in-ivr', 'callback', 'voicemail', 'transferred')) AS contained,
                count(*) FILTER (WHERE outcome LIKE 'abandoned-%') AS abandoned,
                AVG(${secondsBetweenSql(ARRIVED, CONNECTED)}) FILTER (WHERE ${answered}) AS asa,
                AVG(${secondsBetweenSql(CONNECTED, ENDED)}) FILTER (WHERE ${answered}) AS talk,
                AVG(${secondsBetweenSql(CONNECTED, WRAPPED)}) FILTER (WHERE ${answered}) AS handle
           FROM calls
          WHERE arrived_at >= $1::text AND arrived_at < $2::text
          GROUP BY 1, 2
       ) r
       ORDER BY bucket COLLATE "C" NULLS FIRST, calls DESC, key COLLATE "C"`,
      [range.from, range.to],
    );
    return rows.map((r) => ({
      bucket: r.bucket,
      key: r.key,
      calls: r.calls,
      answered: r.answered,
      containedInIvr: r.contained,
      abandoned: r.abandoned,
      avgSpeedOfAnswerSeconds: round(r.asa),
      avgTalkSeconds: round(r.talk),
      avgHandleSeconds: round(r.handle),
    }));
  }
}
