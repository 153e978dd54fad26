/**
 * Figures over the stored call records for supervisors: today's service level
 * per queue, and the last hour per minute (the chart). Behind `CallStats`, with
 * one implementation per store: `SqliteCallStats` here, `PgCallStats`
 * (`pg-call-stats.ts`) in scale-out mode; each data layer carries the one over its
 * own database (`DataLayer.callStats`).
 *
 * Call records are written in batches (`SqliteCallStore`: on the next turn of
 * the event loop), so a call counts here a moment after it happened. That lag
 * is fine for a chart and a daily percentage; the live view (waiting calls,
 * agents) does not read the store.
 */
import type { CallHistory, HistoryMinute } from '../protocol.js';
import type { Database } from '../store/db.js';

export const MINUTE_MS = 60_000;
/** The chart covers this many minutes, the current one included. */
export const HISTORY_MINUTES = 60;
/**
 * Answers, hang-ups and waits are counted when they happen, but the store is
 * indexed by arrival: calls that arrived up to this long before the window are
 * read. A caller still waiting after three hours is beyond what a chart of the
 * last hour needs to show.
 */
export const ARRIVAL_LOOKBACK_MS = 3 * 60 * MINUTE_MS;

export interface ServiceLevelCount {
  answered: number;
  withinThreshold: number;
}

/**
 * Aggregates over stored call records, Promise-returning like the data layer
 * (`connector/store/data-layer.ts`) so a PostgreSQL implementation fits.
 * Implementations MUST count a call's events at the time they happened
 * (arrival, answer, hang-up), MUST NOT reject on records with missing fields (a
 * call in progress), and MUST return one entry per minute of the range even
 * when nothing happened in it.
 */
export interface CallStats {
  /** Per queue (null: calls with none), answered calls that arrived at or after `sinceIso`. */
  serviceLevels(sinceIso: string, thresholdSeconds: number): Promise<Map<string | null, ServiceLevelCount>>;
  /** One entry per minute of [fromMs, toMs), oldest first; both MUST be whole minutes. */
  perMinute(fromMs: number, toMs: number): Promise<HistoryMinute[]>;
}

/** The last hour up to `now`, the current minute included. */
export async function lastHour(stats: CallStats, now: number = Date.now()): Promise<CallHistory> {
  const to = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const from = to - HISTORY_MINUTES * MINUTE_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), minutes: await stats.perMinute(from, to) };
}

export const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

/** One zeroed entry per minute of [fromMs, toMs), by its ISO minute. */
export function emptyMinutes(fromMs: number, toMs: number): Map<string, HistoryMinute> {
  const out = new Map<string, HistoryMinute>();
  for (let t = fromMs; t < toMs; t += MINUTE_MS) {
    const minute = new Date(t).toISOString();
    out.set(minute, { minute, arrived: 0, answered: 0, abandoned: 0, avgWaitSeconds: null, longestWaitSeconds: null });
  }
  return out;
}
const MINUTE_OF = (col: string): string => `strftime('%Y-%m-%dT%H:%M:00.000Z', ${col})`;

type MinuteRow = { kind: 'arrived' | 'answered' | 'abandoned' | 'wait'; minute: string; n: number; avg: number | null; max: number | null };

/** `CallStats` over the embedded store's `calls` table (better-sqlite3 answers synchronously). */
export class SqliteCallStats implements CallStats {
  private readonly served;
  private readonly minutes;

  constructor(db: Database) {
    this.served = db.prepare<[number, string], { queue: string | null; answered: number; within: number | null }>(
      `SELECT queue, COUNT(*) AS answered,
              SUM((julianday(json_extract(record, '$.connectedAt')) - julianday(arrived_at)) * 86400 <= ?) AS within
         FROM calls WHERE outcome = 'answered' AND arrived_at >= ? GROUP BY queue`,
    );
    // Parameters: the lookback start, then [from, to) four times (arrivals, answers, hang-ups, waits).
    this.minutes = db.prepare<[string, string, string, string, string, string, string, string, string], MinuteRow>(
      `WITH r AS (
         SELECT arrived_at AS arrived,
                json_extract(record, '$.connectedAt') AS connected,
                json_extract(record, '$.endedAt') AS ended,
                json_extract(record, '$.queuedAt') AS queued,
                outcome
           FROM calls WHERE arrived_at >= ?
       ), w AS (
         SELECT COALESCE(connected, ended) AS done,
                (julianday(COALESCE(connected, ended)) - julianday(queued)) * 86400 AS secs
           FROM r WHERE queued IS NOT NULL AND COALESCE(connected, ended) IS NOT NULL
       )
       SELECT 'arrived' AS kind, ${MINUTE_OF('arrived')} AS minute, COUNT(*) AS n, NULL AS avg, NULL AS max
         FROM r WHERE arrived >= ? AND arrived < ? GROUP BY minute
       UNION ALL
       SELECT 'answered', ${MINUTE_OF('connected')} AS minute, COUNT(*), NULL, NULL
         FROM r WHERE connected >= ? AND connected < ? GROUP BY minute
       UNION ALL
       SELECT 'abandoned', ${MINUTE_OF('ended')} AS minute, COUNT(*), NULL, NULL
         FROM r WHERE outcome LIKE 'abandoned-%' AND ended >= ? AND ended < ? GROUP BY minute
       UNION ALL
       SELECT 'wait', ${MINUTE_OF('done')} AS minute, COUNT(*), AVG(MAX(secs, 0)), MAX(MAX(secs, 0))
         FROM w WHERE done >= ? AND done < ? GROUP BY minute`,
    );
  }

  async serviceLevels(sinceIso: string, thresholdSeconds: number): Promise<Map<string | null, ServiceLevelCount>> {
    return new Map(this.served.all(thresholdSeconds, sinceIso).map((r) => [r.queue, { answered: r.answered, withinThreshold: r.within ?? 0 }]));
  }

  async perMinute(fromMs: number, toMs: number): Promise<HistoryMinute[]> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const out = emptyMinutes(fromMs, toMs);
    const lookback = new Date(fromMs - ARRIVAL_LOOKBACK_MS).toISOString();
    for (const row of this.minutes.all(lookback, from, to, from, to, from, to, from, to)) {
      const m = out.get(row.minute);
      if (!m) continue; // a malformed time in a record: not on the chart
      if (row.kind === 'wait') {
        m.avgWaitSeconds = round1(row.avg);
        m.longestWaitSeconds = round1(row.max);
      } else m[row.kind] = row.n;
    }
    return [...out.values()];
  }
}
