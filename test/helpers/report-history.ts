/**
 * A few weeks of call and case history written straight into a test server's
 * store (deterministic), so the reports page has something to draw: calls per
 * queue with answered / abandoned / IVR-contained outcomes during office hours,
 * a case logged after most answered calls, and an agent action on most cases.
 */
import { SqliteCallStore } from '../../connector/calls/sqlite-call-store.js';
import type { CallOutcome, CallRecord } from '../../connector/calls/call-record.js';
import type { Database } from '../../connector/store/db.js';
import { SqliteCaseStore } from '../../connector/store/sqlite-cases.js';
import type { CaseType } from '../../connector/protocol.js';

const QUEUES: Array<[string, CaseType, number]> = [
  ['support', 'technical_support', 0.5],
  ['billing', 'billing_question', 0.3],
  ['general', 'feature_request', 0.2],
];
const OUTCOMES: Array<[CallOutcome, number]> = [
  ['answered', 0.72],
  ['abandoned-queue', 0.1],
  ['abandoned-ivr', 0.06],
  ['callback', 0.06],
  ['voicemail', 0.06],
];

/** Writes `days` days of history ending now; returns the number of calls and cases written. */
export function writeReportHistory(db: Database, days = 21, now = Date.now()): { calls: number; cases: number } {
  // mulberry32: small, deterministic, good enough for fake traffic.
  let seed = 42;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: Array<[T, ...unknown[]]>, weightAt: number): T => {
    let r = rand();
    for (const item of items) if ((r -= item[weightAt] as number) <= 0) return item[0];
    return (items.at(-1) as [T])[0];
  };
  let clock = now;
  const cases = new SqliteCaseStore(db, { defaultRegion: 'US', now: () => new Date(clock) });
  const calls = new SqliteCallStore(db);
  let nCalls = 0;
  let nCases = 0;
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  for (let d = days - 1; d >= 0; d--) {
    const weekday = new Date(today - d * 86_400_000).getUTCDay();
    const volume = weekday === 0 || weekday === 6 ? 4 + Math.floor(rand() * 4) : 12 + Math.floor(rand() * 14);
    for (let i = 0; i < volume; i++) {
      const arrived = today - d * 86_400_000 + (8 + rand() * 9) * 3_600_000;
      if (arrived > now - 60_000) continue;
      const chosen = pick(QUEUES, 2);
      const queueIndex = QUEUES.findIndex((q) => q[0] === chosen);
      const [queue, caseType] = QUEUES[queueIndex] as [string, CaseType, number];
      const outcome = pick(OUTCOMES, 1);
      const connected = outcome === 'answered' ? arrived + (8 + rand() * 70) * 1000 : null;
      const ended = (connected ?? arrived) + (outcome === 'answered' ? 90 + rand() * 480 : 20 + rand() * 60) * 1000;
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      const record: CallRecord = {
        callId: `history-${d}-${i}`, adapterId: 'sim', aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', callerName: null,
        phase: 'ended', arrivedAt: iso(arrived) as string, flow: { name: 'main', version: 'history' }, ivrPath: [], ivrAttributes: {}, language: 'en',
        lookup: null, queue: outcome === 'abandoned-ivr' ? null : queue, priority: 0, queuedAt: iso(arrived + 15_000), agent: connected ? (queueIndex === 1 ? 'bob' : 'alice') : null,
        connectedAt: iso(connected), endedAt: iso(ended), endReason: 'caller-hangup', outcome,
      };
      calls.save(record);
      nCalls++;
      if (outcome === 'answered' && rand() < 0.85) {
        clock = ended + (20 + rand() * 200) * 1000;
        const logged = cases.create(
          {
            subject: `Call about ${queue}`, type: caseType, priority: 'medium', status: rand() < 0.6 ? 'closed' : 'open', origin: 'phone',
            description: 'History for the reports page.', disposition: null, contactId: 1 + Math.floor(rand() * 12), newContact: null,
            callId: record.callId, ani: record.aniRaw, aniE164: record.aniE164, dnis: record.dnis, queue, ivrPath: [],
            waitSeconds: Math.round(((connected as number) - arrived) / 1000), talkSeconds: Math.round((ended - (connected as number)) / 1000), agent: record.agent as string,
          },
          null,
        );
        // Most cases get an agent action (the response) minutes to hours later; the rest are still awaiting one.
        if (logged.kind === 'created' && rand() < 0.8) {
          cases.update(logged.record.number, { status: 'pending' }, { at: new Date(clock + (120 + rand() * 7_200) * 1000).toISOString(), by: record.agent as string });
        }
        nCases++;
      }
    }
  }
  return { calls: nCalls, cases: nCases };
}
