/**
 * DataLayerCallStore: the call center's synchronous CallStore over the asynchronous
 * CallRepo. Reads from memory (bounded), writes behind in batches at most 50 ms after
 * a save, one batch in flight at a time; a failed batch is retried, never dropped.
 * Fake timers, a fake repository.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '../connector/calls/call-record.js';
import { DataLayerCallStore } from '../connector/calls/data-layer-call-store.js';
import type { CallRepo } from '../connector/store/data-layer.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

function record(callId: string, patch: Partial<CallRecord> = {}): CallRecord {
  return {
    callId, adapterId: 'sim', aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', callerName: null, phase: 'ivr',
    arrivedAt: new Date().toISOString(), flow: null, ivrPath: [], ivrAttributes: {}, language: null, lookup: null, queue: null, priority: 0,
    queuedAt: null, agent: null, connectedAt: null, endedAt: null, endReason: null, outcome: null, ...patch,
  };
}

/** A CallRepo in memory that records its batches and fails or stalls on demand. */
function fakeRepo() {
  const rows = new Map<string, CallRecord>();
  const batches: Array<Array<[string, string]>> = [];
  const state = { failing: 0, stall: null as Promise<void> | null };
  const repo: CallRepo = {
    async save(r) {
      await repo.saveMany([r]);
    },
    async saveMany(records) {
      batches.push(records.map((r) => [r.callId, r.phase]));
      if (state.stall) await state.stall;
      if (state.failing > 0) {
        state.failing--;
        throw Object.assign(new Error('connection terminated unexpectedly'), { code: '57P01' });
      }
      for (const r of records) rows.set(r.callId, structuredClone(r));
    },
    async get(callId) {
      return rows.get(callId) ?? null;
    },
  };
  return { repo, rows, batches, state };
}

function captureLog() {
  const lines: Array<Record<string, unknown> & { msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('DataLayerCallStore', () => {
  it('answers get from memory at once, and writes the saves of a 50 ms window in one batch (the later save of a call wins)', async () => {
    const { repo, rows, batches } = fakeRepo();
    const store = new DataLayerCallStore(repo, { log: pino({ level: 'silent' }) });
    const a = record('a');
    store.save(a);
    a.phase = 'connected'; // the live object keeps changing; the store kept the saved state
    expect(store.get('a')?.phase).toBe('ivr');
    store.save(a);
    store.save(record('b'));
    expect(store.get('a')?.phase).toBe('connected');
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[['a', 'connected'], ['b', 'ivr']]]);
    expect([...rows.keys()]).toEqual(['a', 'b']);
    // A copy each time: a caller's change does not reach the store without a save.
    const copy = store.get('a') as CallRecord;
    copy.phase = 'ended';
    expect(store.get('a')?.phase).toBe('connected');
    expect(store.pendingCount).toBe(0);
  });

  it('keeps one batch in flight: saves during a slow write go in the next batch, after it', async () => {
    const { repo, batches, state } = fakeRepo();
    const store = new DataLayerCallStore(repo, { log: pino({ level: 'silent' }) });
    let release!: () => void;
    state.stall = new Promise((resolve) => (release = resolve));
    store.save(record('a'));
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toHaveLength(1);
    store.save(record('a', { phase: 'ended' }));
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toHaveLength(1); // still writing the first
    state.stall = null;
    release();
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toEqual([[['a', 'ivr']], [['a', 'ended']]]);
  });

  it('a failed batch is logged and retried, never dropped; a newer save of a call replaces the failed one', async () => {
    const { repo, rows, batches, state } = fakeRepo();
    const { log, lines } = captureLog();
    const store = new DataLayerCallStore(repo, { log });
    state.failing = 2;
    store.save(record('a', { phase: 'connected' }));
    store.save(record('b'));
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toHaveLength(1);
    expect(rows.size).toBe(0);
    expect(store.pendingCount).toBe(2);
    expect(lines.filter((l) => l.msg === 'writing call records failed; will retry')).toHaveLength(1);
    store.save(record('a', { phase: 'ended' }));
    // Retries back off (100 ms, then 200 ms) and then succeed.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches.length).toBe(3);
    expect(rows.get('a')?.phase).toBe('ended');
    expect(rows.get('b')?.phase).toBe('ivr');
    expect(store.pendingCount).toBe(0);
    expect(lines.filter((l) => l.msg === 'writing call records failed; will retry')).toHaveLength(2);
  });

  it('flush writes at once and resolves once written; it rejects when the write fails (the records stay pending)', async () => {
    const { repo, rows, state } = fakeRepo();
    const store = new DataLayerCallStore(repo, { log: pino({ level: 'silent' }) });
    store.save(record('a'));
    await store.flush();
    expect(rows.has('a')).toBe(true);
    state.failing = 1;
    store.save(record('b'));
    await expect(store.flush()).rejects.toMatchObject({ code: '57P01' });
    expect(store.pendingCount).toBe(1);
    await store.flush();
    expect(rows.has('b')).toBe(true);
  });

  it('keeps at most maxRecords, and none older than maxAgeMs; fetch finds the others in the repository', async () => {
    const { repo } = fakeRepo();
    const store = new DataLayerCallStore(repo, { log: pino({ level: 'silent' }), maxRecords: 3, maxAgeMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) store.save(record(id));
    await store.flush();
    expect(['a', 'b', 'c', 'd'].map((id) => store.get(id) !== null)).toEqual([false, true, true, true]);
    expect((await store.fetch('a'))?.callId).toBe('a');
    // Saving again makes a record the newest.
    store.save(record('b', { phase: 'queued' }));
    store.save(record('e'));
    expect(['b', 'c', 'd', 'e'].map((id) => store.get(id) !== null)).toEqual([true, false, true, true]);
    await vi.advanceTimersByTimeAsync(61_000);
    store.save(record('f'));
    expect(['b', 'd', 'e', 'f'].map((id) => store.get(id) !== null)).toEqual([false, false, false, true]);
    expect((await store.fetch('b'))?.phase).toBe('queued');
    expect(await store.fetch('nobody')).toBeNull();
  });

  it('a call another node saved is found by fetch, not by get', async () => {
    const { repo, rows } = fakeRepo();
    rows.set('elsewhere', record('elsewhere', { phase: 'ended', agent: 'bob' }));
    const store = new DataLayerCallStore(repo, { log: pino({ level: 'silent' }) });
    expect(store.get('elsewhere')).toBeNull();
    expect(await store.fetch('elsewhere')).toMatchObject({ phase: 'ended', agent: 'bob' });
  });

  it('close writes what is pending, retrying until its deadline, then logs the calls it could not write', async () => {
    const { repo, rows, state } = fakeRepo();
    const { log, lines } = captureLog();
    const store = new DataLayerCallStore(repo, { log });
    state.failing = 1;
    store.save(record('a'));
    const closing = store.close(5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    await closing;
    expect(rows.has('a')).toBe(true);
    // After close: refused, and said so.
    store.save(record('late'));
    expect(lines.some((l) => l.msg === 'call record saved after the call store closed; not written' && l.callId === 'late')).toBe(true);

    const broken = fakeRepo();
    broken.state.failing = 1_000;
    const other = new DataLayerCallStore(broken.repo, { log });
    other.save(record('x'));
    const giving = other.close(1_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await giving;
    expect(lines.find((l) => l.msg === 'call records could not be written before shutdown')).toMatchObject({ callIds: ['x'] });
  });
});
