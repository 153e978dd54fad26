/**
 * The wrap-up limit (`routing.wrapUpSeconds`): after-call work ends by itself
 * when it runs out, the agent's state carries the end time, and ending the
 * wrap-up any other way (a case saved, "done", a state change) clears the
 * timer. Over real socket.io with a one-second limit, and on fake timers with
 * an in-process call center.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatorAdapter } from '../adapters/simulator/simulator-adapter.js';
import { PresenceBoard } from '../connector/agents/presence.js';
import { CallCenter } from '../connector/calls/call-center.js';
import type { CallRecord } from '../connector/calls/call-record.js';
import { Dispatcher } from '../connector/calls/dispatcher.js';
import type { AgentNotifier } from '../connector/calls/notifier.js';
import { parseConfig } from '../connector/config/load.js';
import { Metrics } from '../connector/metrics.js';
import type { AgentSnapshot } from '../connector/protocol.js';
import { acceptCall, api, connectAgent, login, nextEvent, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('routing.wrapUpSeconds over socket.io', () => {
  let srv: TestServer | null = null;
  const sockets: AgentClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await srv?.close();
    srv = null;
  });

  /** alice available; a caller presses 1; alice answers; the caller hangs up: alice is in after-call work. */
  async function callEndedFor(socket: AgentClient): Promise<{ callId: string; acw: AgentSnapshot }> {
    const offered = nextEvent(socket, 'call.offered');
    const { callId } = (await api(srv!.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body as { callId: string };
    await api(srv!.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
    expect((await offered).callId).toBe(callId);
    await acceptCall(socket, callId);
    const acw = new Promise<AgentSnapshot>((resolve) => {
      const on = (a: AgentSnapshot): void => {
        if (a.state !== 'after-call-work') return;
        socket.off('agent.state.changed', on);
        resolve(a);
      };
      socket.on('agent.state.changed', on);
    });
    await api(srv!.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    return { callId, acw: await acw };
  }

  it('ends after-call work by itself when the limit runs out; the state carries the end time, and so does a snapshot', async () => {
    srv = await startTestServer({ config: { routing: { wrapUpSeconds: 1 } } });
    const token = await login(srv.url, 'alice');
    const { socket } = await connectAgent(srv.url, token);
    sockets.push(socket);
    expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });

    const before = Date.now();
    const { callId, acw } = await callEndedFor(socket);
    const endsAt = Date.parse(acw.wrapUpEndsAt ?? '');
    expect(endsAt - before).toBeGreaterThanOrEqual(900);
    expect(endsAt - Date.now()).toBeLessThanOrEqual(1_000);

    // A widget (re)connecting meanwhile gets the same end time with the wrap-up.
    const again = await connectAgent(srv.url, token);
    sockets.push(again.socket);
    expect(again.snapshot.wrapUp?.callId).toBe(callId);
    expect(again.snapshot.agent.wrapUpEndsAt).toBe(acw.wrapUpEndsAt);

    const available = await nextEvent(socket, 'agent.state.changed', 5_000);
    expect(available.state).toBe('available');
    expect(available.wrapUpEndsAt).toBeUndefined();
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt - 50);

    // The case can still be logged for that call afterwards.
    const saved = await api(srv.url, 'POST', '/api/cases', { token, headers: { 'Idempotency-Key': 'late-1' }, body: { callId, subject: 'Logged after the wrap-up ran out', type: 'technical_support', priority: 'low' } });
    expect(saved.status).toBe(201);
  });

  it('has no limit by default: the state carries no end time', async () => {
    srv = await startTestServer();
    expect(srv.sb.config.routing.wrapUpSeconds).toBe(0);
    const token = await login(srv.url, 'alice');
    const { socket } = await connectAgent(srv.url, token);
    sockets.push(socket);
    expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    const { callId, acw } = await callEndedFor(socket);
    expect(acw.wrapUpEndsAt).toBeUndefined();
    const done = await request(socket, 'wrapup.finish', { callId });
    expect(done).toMatchObject({ ok: true, agent: { state: 'available' } });
  });
});

describe('routing.wrapUpSeconds in the config', () => {
  it('accepts 0 to 86400 whole seconds', () => {
    expect(parseConfig({ routing: { wrapUpSeconds: 45 } }).routing.wrapUpSeconds).toBe(45);
    expect(() => parseConfig({ routing: { wrapUpSeconds: -1 } })).toThrow(/wrapUpSeconds/);
    expect(() => parseConfig({ routing: { wrapUpSeconds: 1.5 } })).toThrow(/wrapUpSeconds/);
  });
});

describe('the wrap-up timer on fake timers', () => {
  afterEach(() => vi.useRealTimers());

  function rig(wrapUpMs: number) {
    const log = pino({ level: 'silent' });
    const presence = new PresenceBoard([]);
    presence.upsert({ username: 'alice', displayName: 'Alice', queues: ['general'] });
    const states: AgentSnapshot[] = [];
    const notifier: AgentNotifier = {
      offered: (_u, _pop, onDelivered) => onDelivered(),
      offerWithdrawn: () => {},
      callConnected: () => {},
      callEnded: () => {},
      agentState: (_u, a) => states.push(a),
    };
    const metrics = new Metrics();
    const dispatcher = new Dispatcher({ presence, notifier, queues: [{ id: 'general', name: 'General', caseType: 'technical_support', priority: 0, skills: [] }], ringTimeoutMs: 60_000, metrics, log, startHold: () => new AbortController() });
    const records = new Map<string, CallRecord>();
    const center = new CallCenter({
      presence, dispatcher, notifier, metrics, log, wrapUpMs,
      calls: { save: (r) => records.set(r.callId, structuredClone(r)), get: (id) => records.get(id) ?? null },
      flowFor: () => undefined,
      openIvrCase: () => {},
      fallbackQueue: 'general',
      lookup: () => ({ aniE164: null, result: { outcome: 'none', reason: 'not-found' } }),
    });
    const sim = new SimulatorAdapter({ id: 'sim', charsPerSecond: 1000 });
    center.attach(sim);
    return { center, sim, presence, states };
  }

  /** A call to alice, answered and hung up by the caller: alice is in after-call work. */
  async function wrapUp(r: ReturnType<typeof rig>): Promise<string> {
    await r.sim.connect();
    r.center.setState('alice', 'available');
    const callId = r.sim.startCall('+14155550123', '+18005550100');
    await vi.advanceTimersByTimeAsync(0);
    r.center.accept('alice', callId);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.presence.get('alice')?.state).toBe('on-call');
    r.sim.callerHangup(callId);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.presence.get('alice')?.state).toBe('after-call-work');
    return callId;
  }

  it('runs out after exactly the limit', async () => {
    vi.useFakeTimers();
    const r = rig(30_000);
    await wrapUp(r);
    expect(r.states.at(-1)).toMatchObject({ state: 'after-call-work', wrapUpEndsAt: new Date(Date.now() + 30_000).toISOString() });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(r.presence.get('alice')?.state).toBe('after-call-work');
    await vi.advanceTimersByTimeAsync(1);
    expect(r.presence.get('alice')?.state).toBe('available');
    expect(r.states.at(-1)).toMatchObject({ state: 'available' });
    expect(r.states.at(-1)?.wrapUpEndsAt).toBeUndefined();
    r.center.close();
  });

  it('is cleared when the wrap-up ends otherwise (done / case saved, or a state change)', async () => {
    vi.useFakeTimers();
    const r = rig(30_000);
    const callId = await wrapUp(r);
    const pending = vi.getTimerCount();
    expect(r.center.finishWrapUp('alice', callId)).toBe(true);
    expect(vi.getTimerCount()).toBe(pending - 1);

    const second = await wrapUp(r);
    expect(second).not.toBe(callId);
    r.center.setState('alice', 'away');
    expect(r.presence.get('alice')?.state).toBe('away');
    expect(r.states.at(-1)).toMatchObject({ state: 'away' });
    expect(r.states.at(-1)?.wrapUpEndsAt).toBeUndefined();
    const changes = r.states.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.presence.get('alice')?.state).toBe('away');
    expect(r.states.length).toBe(changes);
    r.center.close();
  });

  it('0: no limit, after-call work lasts until the agent is done', async () => {
    vi.useFakeTimers();
    const r = rig(0);
    await wrapUp(r);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(r.presence.get('alice')?.state).toBe('after-call-work');
    expect(r.states.at(-1)?.wrapUpEndsAt).toBeUndefined();
    r.center.close();
  });
});
