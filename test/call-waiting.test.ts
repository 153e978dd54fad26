/**
 * Call waiting (issue 6 part 2, "one call at a time per agent unless configured
 * otherwise"), in-process on fake timers with the simulator PBX: `maxCalls`
 * lets an agent on a call be offered another, only when no agent is free;
 * answering it puts the first caller on hold (music on the PBX), resuming one
 * call holds the other, never more calls than the limit, and every ended call
 * can still be logged. Also hold and resume of a single call, and the config's
 * errors.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../connector/config/load.js';
import { AppError } from '../connector/errors.js';
import { agentEntry, type RoutingRig } from './helpers/routing-rig.js';
import { answerCall as answer, dialIn as call, flush, oneQueueRig as rig } from './helpers/one-queue-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

function holdEntries(r: RoutingRig, callId: string): string[] {
  return r.sim.transcript(callId).entries.map((e) => e.type).filter((t) => t === 'hold.started' || t === 'hold.stopped');
}

const waiting = (r: RoutingRig) => r.events.filter((e) => e.kind === 'held' || e.kind === 'resumed').map((e) => `${e.kind}:${e.callId}`);

describe('one call at a time unless configured otherwise', () => {
  it('by default an agent on a call is offered nothing more; the next caller waits for them', async () => {
    const r = await rig([agentEntry('ann', ['standard'])]);
    r.center.setState('ann', 'available');
    const first = await call(r, '+14155550001');
    await answer(r, 'ann', first);
    const second = await call(r, '+14155550002');
    expect(r.offersTo('ann')).toEqual([first]);
    expect(r.center.getCall(second)?.phase).toBe('queued');
    expect(r.center.snapshot('ann').snapshot.agent).not.toHaveProperty('maxCalls');
    r.center.close();
  });

  it('maxCalls 2: a free agent is offered first; only when none is free does the agent on a call get a second one', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }, agentEntry('bob', ['standard'])]);
    r.center.setState('ann', 'available');
    await vi.advanceTimersByTimeAsync(1_000);
    r.center.setState('bob', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    // bob is free: he gets the next call even though ann has room for one more.
    const c2 = await call(r, '+14155550002');
    expect(r.offersTo('bob')).toEqual([c2]);
    await answer(r, 'bob', c2);
    // Nobody is free now: ann (room for 2) is offered the third; bob (1) is not.
    const c3 = await call(r, '+14155550003');
    expect(r.offersTo('ann')).toEqual([c1, c3]);
    expect(r.offersTo('bob')).toEqual([c2]);
    expect(r.pops.find((p) => p.callId === c3)).toBeDefined();
    r.center.close();
  });

  it('answering the waiting call holds the first caller; resume swaps; never a third call; each end is logged', async () => {
    const r = await rig([agentEntry('ann', ['standard'])], { maxCallsPerAgent: 2 });
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    const c2 = await call(r, '+14155550002');
    expect(r.offersTo('ann')).toEqual([c1, c2]);
    // While c2 rings, c1 is still the call ann talks to.
    expect(holdEntries(r, c1)).toEqual([]);
    await answer(r, 'ann', c2);
    expect(waiting(r)).toEqual([`held:${c1}`]);
    expect(holdEntries(r, c1)).toEqual(['hold.started']);
    const ann = r.presence.get('ann')!;
    expect(ann).toMatchObject({ state: 'on-call', callId: c2, callIds: [c1, c2] });
    let snap = r.center.snapshot('ann').snapshot;
    expect(snap.agent).toMatchObject({ state: 'on-call', maxCalls: 2, calls: 2 });
    expect(snap.activeCall?.callId).toBe(c2);
    expect(snap.heldCalls?.map((c) => [c.callId, c.held])).toEqual([[c1, true]]);

    // Full: a third caller waits in line.
    const c3 = await call(r, '+14155550003');
    expect(r.offersTo('ann')).toEqual([c1, c2]);
    expect(r.center.getCall(c3)?.phase).toBe('queued');

    // Back to the first caller: the second is held, the first hears the agent again.
    r.center.resume('ann', c1);
    await flush();
    expect(waiting(r)).toEqual([`held:${c1}`, `held:${c2}`, `resumed:${c1}`]);
    expect(holdEntries(r, c1)).toEqual(['hold.started', 'hold.stopped']);
    expect(holdEntries(r, c2)).toEqual(['hold.started']);
    snap = r.center.snapshot('ann').snapshot;
    expect(snap.activeCall?.callId).toBe(c1);
    expect(snap.heldCalls?.map((c) => c.callId)).toEqual([c2]);

    // The talking caller hangs up: ann stays on the held call; the ended one waits to be logged.
    r.sim.callerHangup(c1);
    await flush();
    expect(ann).toMatchObject({ state: 'on-call', callId: c2, callIds: [c2] });
    snap = r.center.snapshot('ann').snapshot;
    expect(snap.activeCall).toBeNull();
    expect(snap.heldCalls?.map((c) => c.callId)).toEqual([c2]);
    expect(snap.pendingWrapUps?.map((w) => w.callId)).toEqual([c1]);
    expect(snap.wrapUp).toBeNull();
    // Room again: the third caller is offered to ann while she is on c2.
    expect(r.offersTo('ann')).toEqual([c1, c2, c3]);
    r.center.decline('ann', c3);

    r.center.resume('ann', c2);
    await flush();
    expect(holdEntries(r, c2)).toEqual(['hold.started', 'hold.stopped']);
    // Logging the first call while on the second: it leaves the pending list, the state stays on-call.
    expect(r.center.finishWrapUp('ann', c1)).toBe(true);
    expect(r.records.get(c1)?.wrapUpEndedAt).toBeTruthy();
    expect(r.center.snapshot('ann').snapshot.pendingWrapUps).toBeUndefined();
    expect(ann.state).toBe('on-call');

    // The last call ends: after-call work for it, as with one call.
    await r.center.hangup('ann', c2);
    await flush();
    expect(ann).toMatchObject({ state: 'after-call-work', callId: c2, callIds: [] });
    expect(r.center.snapshot('ann').snapshot.wrapUp?.callId).toBe(c2);
    expect(r.records.get(c2)).toMatchObject({ outcome: 'answered', endReason: 'agent-hangup' });
    r.center.close();
  });

  it('a waiting offer the agent on a call lets ring out goes to the next agent; the agent is not set away', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }, agentEntry('bob', ['standard'])], { ringTimeoutMs: 5_000 });
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    const c2 = await call(r, '+14155550002');
    expect(r.offersTo('ann')).toEqual([c1, c2]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.presence.get('ann')).toMatchObject({ state: 'on-call', offeredCallId: null, callIds: [c1] });
    expect(r.events).toContainEqual({ kind: 'withdrawn', agent: 'ann', callId: c2, reason: 'ring-timeout' });
    r.center.setState('bob', 'available');
    expect(r.offersTo('bob')).toEqual([c2]);
    // c1 was never held: ann kept talking to its caller.
    expect(holdEntries(r, c1)).toEqual([]);
    r.center.close();
  });

  it('no waiting call over a call the call center does not hold (click-to-dial, the PBX queue\'s own call)', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }]);
    const ann = r.presence.get('ann')!;
    r.center.setState('ann', 'available');
    // What agent-call.ts does when the agent's click-to-dial call connects.
    r.presence.setCall(ann, 'outbound-1', ['outbound-1'], { sole: true });
    r.presence.set(ann, 'on-call');
    const c1 = await call(r, '+14155550001');
    expect(r.offersTo('ann')).toEqual([]);
    expect(r.center.getCall(c1)?.phase).toBe('queued');
    r.center.close();
  });

  it('the held caller hangs up: the agent keeps talking to the other one', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }]);
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    const c2 = await call(r, '+14155550002');
    await answer(r, 'ann', c2);
    r.sim.callerHangup(c1);
    await flush();
    expect(r.presence.get('ann')).toMatchObject({ state: 'on-call', callId: c2, callIds: [c2] });
    const snap = r.center.snapshot('ann').snapshot;
    expect(snap.activeCall?.callId).toBe(c2);
    expect(snap.heldCalls).toBeUndefined();
    expect(snap.pendingWrapUps?.map((w) => w.callId)).toEqual([c1]);
    expect(r.records.get(c1)).toMatchObject({ outcome: 'answered', endReason: 'caller-hangup' });
    r.center.close();
  });
});

describe('hold and resume of a single call', () => {
  it('plays music to the caller while held, stops it on resume; refuses calls that are not the agent\'s', async () => {
    const r = await rig([agentEntry('ann', ['standard']), agentEntry('bob', ['standard'])]);
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    r.center.hold('ann', c1);
    r.center.hold('ann', c1); // idempotent
    await flush();
    expect(holdEntries(r, c1)).toEqual(['hold.started']);
    let snap = r.center.snapshot('ann').snapshot;
    expect(snap.activeCall).toBeNull();
    expect(snap.heldCalls).toEqual([expect.objectContaining({ callId: c1, held: true })]);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof AppError ? e.code : String(e);
      }
      return 'no error';
    };
    expect(code(() => r.center.hold('bob', c1))).toBe('CALL_NOT_ACTIVE');
    expect(code(() => r.center.resume('ann', 'no-such-call'))).toBe('CALL_NOT_FOUND');
    r.center.resume('ann', c1);
    await flush();
    expect(holdEntries(r, c1)).toEqual(['hold.started', 'hold.stopped']);
    snap = r.center.snapshot('ann').snapshot;
    expect(snap.activeCall?.callId).toBe(c1);
    expect(snap.heldCalls).toBeUndefined();
    // A held call hung up by its caller: the music stops with it and the agent wraps up as usual.
    r.center.hold('ann', c1);
    r.sim.callerHangup(c1);
    await flush();
    expect(r.presence.get('ann')?.state).toBe('after-call-work');
    r.center.close();
  });
});

describe('config', () => {
  const agent = (maxCalls: unknown) => ({ ...agentEntry('ann', ['general']), maxCalls });
  const problems = (input: unknown): string[] => {
    try {
      parseConfig(input);
    } catch (e) {
      return String((e as Error).message).split('\n');
    }
    return [];
  };

  it('takes 1 to 4 calls per agent, per agent or as the default', () => {
    expect(parseConfig({ agents: [agent(3)] }).agents[0]?.maxCalls).toBe(3);
    expect(parseConfig({}).routing.maxCallsPerAgent).toBe(1);
    expect(parseConfig({ routing: { maxCallsPerAgent: 2 } }).routing.maxCallsPerAgent).toBe(2);
  });

  it('says what is wrong with a bad limit; cluster mode takes call waiting too', () => {
    expect(problems({ agents: [agent(5)] }).join('\n')).toMatch(/agents\[0\]\.maxCalls.*from 1 to 4/);
    expect(problems({ agents: [agent(0)] }).join('\n')).toMatch(/agents\[0\]\.maxCalls.*from 1 to 4/);
    expect(problems({ agents: [agent(1.5)] }).join('\n')).toMatch(/agents\[0\]\.maxCalls.*whole number/);
    expect(problems({ routing: { maxCallsPerAgent: 'two' } }).join('\n')).toMatch(/routing\.maxCallsPerAgent.*number of calls/);
    const cluster = { nodeId: 'a', redisUrl: 'redis://127.0.0.1:6379', postgresUrl: 'postgres://x@127.0.0.1/db', secret: 'x'.repeat(32) };
    expect(problems({ cluster, routing: { maxCallsPerAgent: 2 }, agents: [agent(3)] })).toEqual([]);
  });
});
