/**
 * The caller lookup over the shared database answers asynchronously: the call center
 * starts the IVR when it resolves. Keys the caller pressed meanwhile are replayed in
 * order; a hang-up meanwhile ends the call cleanly (no IVR, stored as abandoned in the
 * IVR); a failing or hanging lookup behaves as "nobody matched". The synchronous
 * lookup (SQLite) keeps the whole start synchronous. Fake timers, in-process.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PbxAdapter } from '../adapters/adapter.js';
import type { PbxEvent } from '../adapters/events.js';
import { PresenceBoard } from '../connector/agents/presence.js';
import type { CallerLookup } from '../connector/calls/call-center.js';
import { CallObserver } from '../connector/calls/observer.js';
import { Metrics } from '../connector/metrics.js';
import type { LookupResult } from '../connector/protocol.js';
import { agentEntry, routingRig } from './helpers/routing-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

const DNIS = '+18005550100';
const ANI = '+14155550123';
/** Two menus: 1 then 2 reaches billing; the same keys the other way round reach general. */
const TWO_MENUS = `name: two-menus
start: main
nodes:
  main:
    kind: menu
    prompt: { en: "For accounts press 1, for anything else press 2." }
    options: { "1": accounts, "2": general }
    noInput: { timeoutMs: 5000 }
    invalid: { prompt: { en: "No." } }
    fallback: general
  accounts:
    kind: menu
    prompt: { en: "For support press 1, for billing press 2." }
    options: { "1": support, "2": billing }
    noInput: { timeoutMs: 5000 }
    invalid: { prompt: { en: "No." } }
    fallback: general
  support: { kind: queue, queue: support }
  billing: { kind: queue, queue: billing }
  general: { kind: queue, queue: general }
`;
const config = {
  queues: [
    { id: 'support', name: 'Support' },
    { id: 'billing', name: 'Billing' },
    { id: 'general', name: 'General' },
  ],
  ivr: { fallbackQueue: 'general' },
  agents: [agentEntry('ann', ['support', 'billing', 'general'])],
};
const ADA: LookupResult = {
  outcome: 'one',
  contact: { id: 1, firstName: 'Ada', lastName: 'Lovelace', email: null, phoneRaw: '(415) 555-0123', phoneE164: ANI, extension: null, accountId: 7 },
  account: { id: 7, name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' },
  openCases: [],
};

/** A lookup that answers (or fails) when the test says so. */
function slowLookup() {
  const pending: Array<{ ani: string; resolve: (v: CallerLookup) => void; reject: (e: unknown) => void }> = [];
  const lookup = (ani: string): Promise<CallerLookup> => new Promise((resolve, reject) => pending.push({ ani, resolve, reject }));
  return { lookup, pending };
}

function captureLog(): { log: pino.Logger; lines: Array<{ msg: string; callId?: string }> } {
  const lines: Array<{ msg: string; callId?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

async function rig(lookup: (ani: string) => Promise<CallerLookup>, extra: { lookupTimeoutMs?: number; log?: pino.Logger } = {}) {
  const r = routingRig(config, { lookup, flowTexts: { [DNIS]: TWO_MENUS }, ...extra });
  await r.sim.connect();
  return r;
}

describe('an asynchronous caller lookup', () => {
  it('starts the IVR when the lookup resolves, replaying the keys pressed meanwhile in order', async () => {
    const slow = slowLookup();
    const r = await rig(slow.lookup);
    const callId = r.sim.startCall(ANI, DNIS);
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.pending.map((p) => p.ani)).toEqual([ANI]);
    // The caller presses 1 then 2 while the lookup runs: nothing reaches an IVR yet.
    r.sim.sendDigits(callId, '1');
    await vi.advanceTimersByTimeAsync(100);
    r.sim.sendDigits(callId, '2');
    await vi.advanceTimersByTimeAsync(100);
    expect(r.center.getCall(callId)).toMatchObject({ phase: 'ivr', flow: null, lookup: null });
    expect(r.sim.transcript(callId).entries.some((e) => e.type === 'call.answered')).toBe(false);

    slow.pending[0]?.resolve({ aniE164: ANI, result: ADA });
    await vi.advanceTimersByTimeAsync(2_000);
    const record = r.center.getCall(callId);
    // 1 then 2: accounts, then billing (the other order would have been general).
    expect(record).toMatchObject({ queue: 'billing', aniE164: ANI, lookup: ADA, flow: { name: 'two-menus' } });
    expect(record?.ivrPath.filter((s) => s.event === 'key').map((s) => [s.node, s.key])).toEqual([
      ['main', '1'],
      ['accounts', '2'],
    ]);
    // The flow saw the caller the lookup found.
    expect(record?.ivrAttributes).toMatchObject({ 'caller.match': 'one' });
    // And the pop reuses it.
    r.center.setState('ann', 'available');
    expect(r.pops.at(-1)).toMatchObject({ callId, queue: 'billing', lookup: { outcome: 'one' } });
  });

  it('a hang-up during the lookup ends the call cleanly: no IVR, stored as abandoned in the IVR', async () => {
    const slow = slowLookup();
    const r = await rig(slow.lookup);
    r.center.setState('ann', 'available');
    const callId = r.sim.startCall(ANI, DNIS);
    r.sim.sendDigits(callId, '1');
    await vi.advanceTimersByTimeAsync(100);
    r.sim.callerHangup(callId);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.center.liveCount).toBe(0);
    expect(r.records.get(callId)).toMatchObject({ phase: 'ended', outcome: 'abandoned-ivr', endReason: 'caller-hangup', flow: null });

    // The lookup answers afterwards: no IVR starts, nothing is offered, the stored record
    // keeps who called.
    slow.pending[0]?.resolve({ aniE164: ANI, result: ADA });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(r.center.liveCount).toBe(0);
    expect(r.pops).toEqual([]);
    expect(r.records.get(callId)).toMatchObject({ phase: 'ended', outcome: 'abandoned-ivr', flow: null, ivrPath: [], lookup: ADA });
    const transcript = r.sim.transcript(callId).entries.map((e) => e.type);
    expect(transcript).not.toContain('call.answered');
    expect(transcript.filter((t) => t.startsWith('playback'))).toEqual([]);
  });

  it('a failing lookup is logged and the call goes on as nobody matched', async () => {
    const slow = slowLookup();
    const { log, lines } = captureLog();
    const r = await rig(slow.lookup, { log });
    const callId = r.sim.startCall(ANI, DNIS);
    r.sim.sendDigits(callId, '2');
    await vi.advanceTimersByTimeAsync(10);
    expect(slow.pending).toHaveLength(1);
    slow.pending[0]?.reject(new Error('connection terminated'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.center.getCall(callId)).toMatchObject({ queue: 'general', aniE164: null, lookup: { outcome: 'none', reason: 'not-found' } });
    expect(lines.filter((l) => l.msg === 'caller lookup failed').map((l) => l.callId)).toEqual([callId]);
  });

  it('a lookup slower than lookupTimeoutMs does not hold the caller: the IVR starts without it', async () => {
    const slow = slowLookup();
    const r = await rig(slow.lookup, { lookupTimeoutMs: 500 });
    const callId = r.sim.startCall(ANI, DNIS);
    r.sim.sendDigits(callId, '1');
    r.sim.sendDigits(callId, '1');
    await vi.advanceTimersByTimeAsync(499);
    expect(r.center.getCall(callId)?.flow).toBeNull();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.center.getCall(callId)).toMatchObject({ queue: 'support', lookup: { outcome: 'none', reason: 'not-found' } });
    // A late answer is not used.
    slow.pending[0]?.resolve({ aniE164: ANI, result: ADA });
    await vi.advanceTimersByTimeAsync(0);
    expect(r.center.getCall(callId)?.lookup).toEqual({ outcome: 'none', reason: 'not-found' });
  });

  it('the synchronous lookup keeps the start synchronous: lookup and IVR are there when started() returns', async () => {
    const r = routingRig(config, { vip: [ANI], flowTexts: { [DNIS]: TWO_MENUS } });
    await r.sim.connect();
    // A listener after the call center's runs in the same emit: no microtask in between.
    const seen: unknown[] = [];
    r.sim.onEvent((e) => {
      if (e.type === 'call.started') seen.push(r.center.getCall(e.callId));
    });
    r.sim.startCall(ANI, DNIS);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([expect.objectContaining({ lookup: expect.objectContaining({ outcome: 'one' }), flow: expect.objectContaining({ name: 'two-menus' }) })]);
  });
});

describe('an asynchronous lookup in observe mode', () => {
  function observer() {
    const presence = new PresenceBoard([]);
    presence.upsert({ username: 'ann', displayName: 'Ann', queues: [], endpoint: 'PJSIP/ann' });
    const pops: Array<{ agent: string; pop: { callId: string; lookup: LookupResult } }> = [];
    const withdrawn: string[] = [];
    const saved = new Map<string, unknown>();
    const slow = slowLookup();
    const obs = new CallObserver({
      presence, metrics: new Metrics(), log: pino({ level: 'silent' }), ringEstimateMs: 20_000, caseType: 'technical_support',
      calls: { save: (r) => saved.set(r.callId, structuredClone(r)), get: () => null },
      lookup: slow.lookup,
      notifier: {
        offered: (agent, pop) => pops.push({ agent, pop }),
        offerWithdrawn: (_agent, callId) => withdrawn.push(callId),
        callConnected: () => {},
        callEnded: () => {},
        agentState: () => {},
      },
    });
    let listener: ((e: PbxEvent) => void) | null = null;
    obs.attach({ id: 'pbx', onEvent: (l: typeof listener) => ((listener = l), () => {}) } as unknown as PbxAdapter);
    const at = new Date().toISOString();
    const emit = (e: Record<string, unknown>) => listener?.({ adapterId: 'pbx', at, ...e } as unknown as PbxEvent);
    return { pops, withdrawn, saved, slow, emit };
  }

  it('the pop waits for the lookup, and is not sent for a phone that stopped ringing', async () => {
    const o = observer();
    o.emit({ type: 'observed.ringing', callId: 'c1', legId: 'l1', endpoint: 'PJSIP/ann', ani: ANI, callerName: null, dnis: DNIS });
    expect(o.pops).toEqual([]);
    o.slow.pending[0]?.resolve({ aniE164: ANI, result: ADA });
    await vi.advanceTimersByTimeAsync(0);
    expect(o.pops.map((p) => [p.agent, p.pop.callId, p.pop.lookup.outcome])).toEqual([['ann', 'c1', 'one']]);
    expect(o.saved.get('c1')).toMatchObject({ aniE164: ANI, lookup: { outcome: 'one' } });

    o.emit({ type: 'observed.ringing', callId: 'c2', legId: 'l2', endpoint: 'PJSIP/ann', ani: ANI, callerName: null, dnis: DNIS });
    o.emit({ type: 'observed.ended', callId: 'c2', legId: 'l2', endpoint: 'PJSIP/ann', reason: 'caller-hangup' });
    o.slow.pending[1]?.resolve({ aniE164: ANI, result: ADA });
    await vi.advanceTimersByTimeAsync(0);
    expect(o.pops.map((p) => p.pop.callId)).toEqual(['c1']);
    expect(o.withdrawn).toEqual(['c2']);
  });
});
