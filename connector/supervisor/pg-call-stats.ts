/**
 * {@link CallStats} over the PostgreSQL store (scale-out mode): the queries of
 * `SqliteCallStats` in PostgreSQL's dialect, over every node's call records. Times
 * in the record are text, compared as strings as SQLite compares them; one that is
 * not an ISO time counts as missing (see `store/pg/iso-time.ts`).
 *
 * Call records reach PostgreSQL in batches (`DataLayerCallStore`, at most 50 ms after
 * the event), so a call counts here a moment after it happened, as with SQLite.
 */
import type { HistoryMinute } from '../protocol.js';
import { isoTime, secondsBetweenSql, utcText } from '../store/pg/iso-time.js';
import type { Queryable } from '../store/pg/tx.js';
import { ARRIVAL_LOOKBACK_MS, emptyMinutes, round1, type CallStats, type ServiceLevelCount } from './call-stats.js';

const MINUTE = 'YYYY-MM-DD"T"HH24:MI":00.000Z"';

type MinuteRow = { kind: 'arrived' | 'answered' | 'abandoned' | 'wait'; minute: string | null; n: number; avg: number | null; max: number | null };

export class PgCallStats implements CallStats {
  constructor(private readonly db: Queryable) {}

  async serviceLevels(sinceIso: string, thresholdSeconds: number): Promise<Map<string | null, ServiceLevelCount>> {
    const { rows } = await this.db.query<{ queue: string | null; answered: number; within: number }>(
      `SELECT queue, count(*) AS answered,
              count(*) FILTER (WHERE ${secondsBetweenSql(isoTime('arrived_at'), isoTime(`record ->> 'connectedAt'`))} <= $1) AS within
         FROM calls WHERE outcome = 'answered' AND arrived_at >= $2::text GROUP BY queue`,
      [thresholdSeconds, sinceIso],
    );
    return new Map(rows.map((r) => [r.queue, { answered: r.answered, withinThreshold: r.within }]));
  }

  async perMinute(fromMs: number, toMs: number): Promise<HistoryMinute[]> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const out = emptyMinutes(fromMs, toMs);
    const lookback = new Date(fromMs - ARRIVAL_LOOKBACK_MS).toISOString();
    const minuteOf = (col: string): string => utcText(isoTime(col), MINUTE);
    const { rows } = await this.db.query<MinuteRow>(
      `WITH r AS (
         SELECT arrived_at AS arrived,
                record ->> 'connectedAt' AS connected,
                record ->> 'endedAt' AS ended,
                record ->> 'queuedAt' AS queued,
                outcome
           FROM calls WHERE arrived_at >= $1::text
       ), w AS (
         SELECT COALESCE(connected, ended) AS done,
                ${secondsBetweenSql(isoTime('queued'), isoTime('COALESCE(connected, ended)'))} AS secs
           FROM r WHERE queued IS NOT NULL AND COALESCE(connected, ended) IS NOT NULL
       )
       SELECT 'arrived' AS kind, ${minuteOf('arrived')} AS minute, count(*) AS n, NULL::float8 AS avg, NULL::float8 AS max
         FROM r WHERE arrived >= $2::text AND arrived < $3::text GROUP BY 2
       UNION ALL
       SELECT 'answered', ${minuteOf('connected')}, count(*), NULL, NULL
         FROM r WHERE connected >= $2::text AND connected < $3::text GROUP BY 2
       UNION ALL
       SELECT 'abandoned', ${minuteOf('ended')}, count(*), NULL, NULL
         FROM r WHERE outcome LIKE 'abandoned-%' AND ended >= $2::text AND ended < $3::text GROUP BY 2
       UNION ALL
       SELECT 'wait', ${minuteOf('done')}, count(*), AVG(GREATEST(secs, 0)), MAX(GREATEST(secs, 0))
         FROM w WHERE done >= $2::text AND done < $3::text GROUP BY 2`,
      [lookback, from, to],
    );
    for (const row of rows) {
      const m = row.minute === null ? undefined : out.get(row.minute);
      if (!m) continue; // a malformed time in a record: not on the chart
      if (row.kind === 'wait') {
        m.avgWaitSeconds = round1(row.avg);
        m.longestWaitSeconds = round1(row.max);
      } else m[row.kind] = row.n;
    }
    return [...out.values()];
  }
}
