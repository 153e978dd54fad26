/**
 * Reports and the supervisor's figures on PostgreSQL give the rows SQLite gives:
 * one deterministic history (cases with and without a first response, on accounts and
 * without; answered, abandoned, contained and in-progress calls; a time with an offset
 * and one that is not a time) written through the data layer into both stores, then
 * every report dimension and interval, the service levels and the per-minute chart
 * compared. The SQLite side is what test/reports.test.ts and test/supervisor.test.ts
 * check in detail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome, CallRecord } from '../connector/calls/call-record.js';
import type { CaseType } from '../connector/protocol.js';
import type { CallDimension, CaseDimension, Interval } from '../connector/reports/report-store.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { openPostgresDataLayer } from '../connector/store/pg/open.js';
import { openSqliteDataLayer } from '../connector/store/sqlite/open.js';
import { lastHour, MINUTE_MS } from '../connector/supervisor/call-stats.js';
import { ensurePostgres, POSTGRES_URL } from './helpers/services.js';

const SCHEMA = `sb_${randomBytes(6).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'sb-reports-pg-'));
const NOW = Date.parse('2026-11-23T15:30:20.000Z');
let admin: pg.Client;
let sqlite: DataLayer;
let postgres: DataLayer;
/** The stores' clock (case creation times), moved by the history writer. */
let clock = NOW;
const now = () => new Date(clock);

/** mulberry32: small and deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Rows equal, but averages within 0.1 s: SQLite computes durations with julianday(),
 * whose double carries some microseconds of error, so an average that falls exactly on
 * a rounding tie (x.x5 s) may round the other way there.
 */
function expectSameRows(got: ReadonlyArray<object>, expected: ReadonlyArray<object>, what: string): void {
  const avgKeys = (row: object) => Object.keys(row).filter((k) => k.startsWith('avg'));
  const exact = (rows: ReadonlyArray<object>) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('avg'))));
  expect(exact(got), what).toEqual(exact(expected));
  got.forEach((row, i) => {
    for (const k of avgKeys(row)) {
      const a = (row as Record<string, number | null>)[k] ?? null;
      const b = (expected[i] as Record<string, number | null>)[k] ?? null;
      if (a === null || b === null) expect(a, `${what} row ${i} ${k}`).toBe(b);
      else expect(Math.abs(a - b), `${what} row ${i} ${k}: ${a} vs ${b}`).toBeLessThanOrEqual(0.1 + 1e-9);
    }
  });
}

/** The same history into one layer; every write in the same order, so ids and numbers match. */
async function writeHistory(layer: DataLayer): Promise<void> {
  const rand = prng(7);
  const accounts = [
    await layer.contacts.addAccount({ name: 'Analytical Engines Ltd', accountNumber: 'ACC-1', tier: 'priority' }),
    await layer.contacts.addAccount({ name: 'difference works', accountNumber: 'ACC-2', tier: 'standard' }),
  ];
  const contacts: number[] = [];
  for (let i = 0; i < 6; i++) {
    contacts.push(
      await layer.contacts.addContact({
        firstName: `C${i}`, lastName: 'Test', email: null, accountId: i % 3 === 2 ? null : (accounts[i % 2] ?? null),
        phones: [{ kind: 'phone', raw: `+1415555010${i}`, e164: `+1415555010${i}`, extension: null, region: 'US' }],
      }),
    );
  }
  const queues = ['support', 'billing', null];
  const outcomes: Array<CallOutcome | null> = ['answered', 'answered', 'abandoned-queue', 'abandoned-ivr', 'callback', 'voicemail', 'completed-in-ivr', 'transferred', 'abandoned-ringing', null];
  const types: CaseType[] = ['technical_support', 'billing_question', 'feature_request'];
  const records: CallRecord[] = [];
  for (let i = 0; i < 240; i++) {
    // Over three days, and densely over the last hour (the chart).
    const arrived = i < 160 ? NOW - Math.floor(rand() * 3 * 86_400_000) : NOW - Math.floor(rand() * 3_600_000);
    const outcome = outcomes[Math.floor(rand() * outcomes.length)] ?? null;
    const queue = outcome === 'abandoned-ivr' ? null : (queues[Math.floor(rand() * queues.length)] ?? null);
    const queued = queue ? arrived + 12_000 : null;
    const connected = outcome === 'answered' ? arrived + Math.floor(5_000 + rand() * 90_000) : null;
    const ended = outcome === null ? null : (connected ?? arrived) + Math.floor(10_000 + rand() * 400_000);
    const wrapped = connected && rand() < 0.7 && ended ? ended + Math.floor(rand() * 120_000) : null;
    records.push({
      callId: `call-${i}`, adapterId: 'sim', aniRaw: '+14155550100', aniE164: '+14155550100', dnis: '+18005550100', callerName: null,
      phase: outcome === null ? 'queued' : 'ended', arrivedAt: iso(arrived) as string, flow: null, ivrPath: [], ivrAttributes: {}, language: 'en',
      lookup: null, queue, priority: 0, queuedAt: iso(queued), agent: connected ? 'alice' : null, connectedAt: iso(connected), endedAt: iso(ended),
      endReason: ended ? 'caller-hangup' : null, wrapUpEndedAt: iso(wrapped), outcome,
    });
  }
  // A time with an offset (the same instant both ways), and one that is not a time.
  records.push({ ...(records[0] as CallRecord), callId: 'offset', arrivedAt: '2026-11-23T16:00:00.000+02:00', connectedAt: '2026-11-23T16:00:30.000+02:00', endedAt: '2026-11-23T16:05:00.000+02:00', outcome: 'answered', queue: 'support', queuedAt: null });
  records.push({ ...(records[1] as CallRecord), callId: 'garbled', connectedAt: 'sometime', endedAt: 'later', outcome: 'answered', queue: 'billing' });
  await layer.calls.saveMany(records);

  for (let i = 0; i < 90; i++) {
    clock = NOW - Math.floor(rand() * 3 * 86_400_000);
    const created = await layer.cases.create(
      {
        subject: `Case ${i}`, type: types[i % types.length] as CaseType, priority: 'medium', status: 'new', origin: i % 5 === 0 ? 'web' : 'phone',
        description: '', disposition: null, contactId: i % 7 === 6 ? null : (contacts[i % contacts.length] ?? null), newContact: null, callId: null,
        ani: null, aniE164: null, dnis: null, queue: null, ivrPath: [], waitSeconds: null, talkSeconds: null, agent: i % 2 ? 'alice' : 'bob',
      },
      null,
    );
    if (created.kind !== 'created') throw new Error('not created');
    if (rand() < 0.7) {
      const at = new Date(clock + Math.floor(rand() * 7_200_000)).toISOString();
      await layer.cases.update(created.record.number, { status: rand() < 0.5 ? 'closed' : 'open' }, { at, by: 'carol' });
    }
  }
  clock = NOW;
}

beforeAll(async () => {
  await ensurePostgres();
  admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  sqlite = openSqliteDataLayer({ dataDir: dir, defaultRegion: 'US', now });
  postgres = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA, poolSize: 2, now });
  await writeHistory(sqlite);
  await writeHistory(postgres);
});

afterAll(async () => {
  await sqlite?.close();
  await postgres?.close();
  await admin?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin?.end();
  rmSync(dir, { recursive: true, force: true });
});

const ranges = [
  { from: new Date(NOW - 4 * 86_400_000).toISOString(), to: new Date(NOW + 86_400_000).toISOString() },
  { from: new Date(NOW - 86_400_000).toISOString(), to: new Date(NOW - 3_600_000).toISOString() },
  { from: '2026-11-22', to: '2026-11-23T12:00:00Z' },
];
const intervals: Interval[] = ['total', 'day', 'hour'];

describe('reports on PostgreSQL', () => {
  it('cases: every dimension and interval gives the SQLite rows', async () => {
    const dims: CaseDimension[] = ['type', 'origin', 'customer', 'status', 'agent'];
    let compared = 0;
    for (const range of ranges) {
      for (const interval of intervals) {
        for (const by of dims) {
          const r = { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), interval };
          const expected = await sqlite.reports.cases(by, r);
          expectSameRows(await postgres.reports.cases(by, r), expected, `${by} ${interval} ${r.from}`);
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
    // Byte order of keys, as SQLite: upper case before lower.
    const customers = await postgres.reports.cases('customer', { ...ranges[0]!, interval: 'total' });
    expect(customers.map((r) => r.key).sort()).toEqual(['(no account)', 'Analytical Engines Ltd', 'difference works']);
    expect(customers.some((r) => r.avgResponseSeconds !== null && r.awaitingResponse > 0)).toBe(true);
  });

  it('calls: every dimension and interval gives the SQLite rows', async () => {
    const dims: CallDimension[] = ['queue', 'outcome'];
    let compared = 0;
    for (const range of ranges) {
      for (const interval of intervals) {
        for (const by of dims) {
          const r = { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), interval };
          const expected = await sqlite.reports.calls(by, r);
          expectSameRows(await postgres.reports.calls(by, r), expected, `${by} ${interval} ${r.from}`);
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
    const byOutcome = await postgres.reports.calls('outcome', { ...ranges[0]!, interval: 'total' });
    expect(byOutcome.find((r) => r.key === 'answered')).toMatchObject({ avgSpeedOfAnswerSeconds: expect.any(Number), avgHandleSeconds: expect.any(Number) });
    expect(byOutcome.find((r) => r.key === '(in progress)')?.calls).toBeGreaterThan(0);
  });

  it('the supervisor figures: service levels and the last hour per minute give the SQLite ones', async () => {
    for (const since of [new Date(NOW - 86_400_000).toISOString(), new Date(NOW - 3_600_000).toISOString()]) {
      for (const threshold of [20, 60]) {
        const expected = await sqlite.callStats.serviceLevels(since, threshold);
        expect(await postgres.callStats.serviceLevels(since, threshold)).toEqual(expected);
      }
    }
    const expected = await lastHour(sqlite.callStats, NOW);
    const got = await lastHour(postgres.callStats, NOW);
    expect({ ...got, minutes: [] }).toEqual({ ...expected, minutes: [] });
    expectSameRows(got.minutes, expected.minutes, 'per minute');
    expect(got.minutes).toHaveLength(60);
    expect(got.minutes.reduce((n, m) => n + m.arrived, 0)).toBeGreaterThan(40);
    expect(got.minutes.some((m) => m.avgWaitSeconds !== null)).toBe(true);
    // An empty range is all zeros, one entry per minute.
    const empty = await postgres.callStats.perMinute(NOW + 10 * 86_400_000, NOW + 10 * 86_400_000 + 3 * MINUTE_MS);
    expect(empty.map((m) => m.arrived)).toEqual([0, 0, 0]);
  });
});
