/**
 * Regression (found in review): in scale-out mode the agent's widget is on node B while
 * their calls are on node A. A call that ended while the agent stayed on
 * another one is kept in A's pendingWrapUps; Done on its form (wrapup.finish)
 * arrives at node B. Two in-process call centers (the routing rig) joined by
 * a fake bus stand in for the two nodes; node B's mirror is what Redis would
 * give it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { ClusterCalls } from '../connector/cluster/cluster-calls.js';
import type { ClusterBus } from '../connector/cluster/bus.js';
import type { PresenceRecord, SharedPresence } from '../connector/cluster/shared-presence.js';
import { agentEntry, routingRig, type RoutingRig } from './helpers/routing-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);
const LINE = '+18005550100';
const base = { queues: [{ id: 'standard', name: 'Standard' }], ivr: { fallbackQueue: 'standard' }, routesByNumber: { [LINE]: 'standard' } };

type Handler = (payload: unknown) => unknown;
const handlers = new Map<string, Map<string, Handler>>();
function fakeBus(node: string): ClusterBus {
  handlers.set(node, new Map());
  return {
    handle: (method: string, fn: Handler) => {
      handlers.get(node)!.set(method, fn);
      return () => undefined;
    },
    request: async (to: string, method: string, payload: unknown) => {
      const fn = handlers.get(to)?.get(method);
      if (!fn) throw new Error(`no ${method} on ${to}`);
      return fn(payload);
    },
    aliveNodes: async () => ['A', 'B'],
    peers: () => ['A', 'B'].filter((n) => n !== node),
  } as unknown as ClusterBus;
}

function fakePresence(record: () => Partial<PresenceRecord>, callNode: () => string | null): SharedPresence {
  return {
    ownerOf: () => ({ offerNode: null, callNode: callNode() }),
    read: async () => ({ state: 'on-call', offer: null, offerNode: null, call: null, callNode: null, calls: [], ...record() }) as PresenceRecord,
  } as unknown as SharedPresence;
}

async function node(): Promise<RoutingRig> {
  const r = routingRig({ ...base, agents: [{ ...agentEntry('ann', ['standard']), maxCalls: 2 }] });
  await r.sim.connect();
  return r;
}

describe('cluster, Done on a call that ended while the agent stayed on another', () => {
  it('reaches the node that keeps it in pendingWrapUps', async () => {
    const a = await node();
    const b = await node();
    // Node A has ann's calls: c1, then the waiting c2; c1's caller hangs up.
    a.center.setState('ann', 'available');
    const c1 = a.sim.startCall('+14155550001', LINE);
    await flush();
    a.center.accept('ann', c1);
    await flush();
    const c2 = a.sim.startCall('+14155550002', LINE);
    await flush();
    a.center.accept('ann', c2);
    await flush();
    a.sim.callerHangup(c1);
    await flush();
    expect(a.center.snapshot('ann').snapshot.pendingWrapUps?.map((w) => w.callId)).toEqual([c1]);

    // Node B's mirror, as the Redis record gives it: on c2, calls on A.
    b.presence.applyRemote('ann', { state: 'on-call', callId: c2, callIds: [c2], callsElsewhere: true });
    const log = pino({ level: 'silent' });
    const rec = () => ({ call: c2, calls: [c2], callNode: 'A' });
    new ClusterCalls({ local: a.center, presence: fakePresence(rec, () => 'A'), bus: fakeBus('A'), nodeId: 'A', log });
    const onB = new ClusterCalls({ local: b.center, presence: fakePresence(rec, () => 'A'), bus: fakeBus('B'), nodeId: 'B', log });

    // The widget (on B) presses Done on c1's form.
    await onB.finishWrapUpFor('ann', c1);
    // Node A must have logged it: a reload (snapshot forwarded to A) must not reopen the form.
    expect(a.center.snapshot('ann').snapshot.pendingWrapUps).toBeUndefined();
    expect(a.records.get(c1)?.wrapUpEndedAt).toBeTruthy();
    a.center.close();
    b.center.close();
  });
});
