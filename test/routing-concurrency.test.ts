/**
 * Never two offers of one call, never two calls to one agent: fast-check drives
 * random interleavings of arrivals (several at the same instant), agents going
 * available and away, accepts, declines, hang-ups, wrap-ups and ring timeouts
 * through the in-process ACD, and checks the agents' event stream after every
 * step (the same events their widgets get).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentEntry, routingRig, type RigEvent, type RoutingRig } from './helpers/routing-rig.js';

afterEach(() => vi.useRealTimers());

const AGENTS = ['a1', 'a2', 'a3', 'a4'];
const QUEUES = ['standard', 'priority', 'emea'];

type Cmd =
  | { k: 'arrive'; n: number; queue: number }
  | { k: 'available'; agent: number }
  | { k: 'away'; agent: number }
  | { k: 'accept'; agent: number }
  | { k: 'decline'; agent: number }
  | { k: 'hangup'; call: number }
  | { k: 'agentHangup'; agent: number }
  | { k: 'done'; agent: number }
  | { k: 'wait'; ms: number }
  | { k: 'resume'; agent: number; call: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ k: fc.constant('arrive' as const), n: fc.integer({ min: 1, max: 4 }), queue: fc.nat(QUEUES.length - 1) }),
  fc.record({ k: fc.constant('available' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('away' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('accept' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('decline' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('hangup' as const), call: fc.nat(40) }),
  fc.record({ k: fc.constant('agentHangup' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('done' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ k: fc.constant('wait' as const), ms: fc.constantFrom(0, 1, 500, 5_000, 15_000, 61_000) }),
  // Call waiting: the agent goes back to one of their calls (the others are held).
  fc.record({ k: fc.constant('resume' as const), agent: fc.nat(AGENTS.length - 1), call: fc.nat(3) }),
);

/**
 * Replays the events and fails on the first that breaks an invariant. `maxCalls`:
 * per agent (default 1); with more, an agent on fewer calls may be offered
 * another, and talks to one caller at a time (the others are held first).
 */
function checkEvents(events: readonly RigEvent[], maxCalls: ReadonlyMap<string, number> = new Map()): void {
  const offerOf = new Map<string, string>(); // agent -> call offered
  const offeredTo = new Map<string, string>(); // call -> agent
  const onCall = new Map<string, Set<string>>(); // agent -> connected calls
  const held = new Set<string>();
  const callsOf = (agent: string) => onCall.get(agent) ?? new Set<string>();
  const talking = (agent: string) => [...callsOf(agent)].filter((c) => !held.has(c));
  for (const [i, e] of events.entries()) {
    const at = `event ${i}: ${JSON.stringify(e)}`;
    if (e.kind === 'offered') {
      expect(offerOf.has(e.agent), `${at}: agent already has an offer`).toBe(false);
      expect(callsOf(e.agent).size < (maxCalls.get(e.agent) ?? 1), `${at}: agent is on ${callsOf(e.agent).size} call(s)`).toBe(true);
      expect(offeredTo.has(e.callId!), `${at}: call already offered to ${offeredTo.get(e.callId!)}`).toBe(false);
      offerOf.set(e.agent, e.callId!);
      offeredTo.set(e.callId!, e.agent);
    } else if (e.kind === 'withdrawn') {
      expect(offerOf.get(e.agent), at).toBe(e.callId);
      offerOf.delete(e.agent);
      offeredTo.delete(e.callId!);
    } else if (e.kind === 'connected') {
      expect(offerOf.get(e.agent), `${at}: connected without an offer`).toBe(e.callId);
      expect(talking(e.agent), `${at}: the agent's other calls were not held first`).toEqual([]);
      offerOf.delete(e.agent);
      offeredTo.delete(e.callId!);
      onCall.set(e.agent, callsOf(e.agent).add(e.callId!));
    } else if (e.kind === 'ended') {
      expect(callsOf(e.agent).has(e.callId!), at).toBe(true);
      callsOf(e.agent).delete(e.callId!);
      held.delete(e.callId!);
    } else if (e.kind === 'held') {
      expect(callsOf(e.agent).has(e.callId!), `${at}: not the agent's call`).toBe(true);
      held.add(e.callId!);
    } else if (e.kind === 'resumed') {
      held.delete(e.callId!);
      expect(talking(e.agent), `${at}: the agent talks to two callers`).toEqual([e.callId]);
    }
  }
}

async function run(r: RoutingRig, cmds: readonly Cmd[], maxCalls?: ReadonlyMap<string, number>): Promise<string[]> {
  const calls: string[] = [];
  let n = 0;
  const offered = (agent: string) => {
    for (let i = r.events.length - 1; i >= 0; i--) {
      const e = r.events[i]!;
      if (e.agent !== agent) continue;
      if (e.kind === 'offered') return e.callId!;
      if (e.kind === 'withdrawn' || e.kind === 'connected') return null;
    }
    return null;
  };
  const tryIt = (fn: () => unknown) => {
    try {
      const p = fn();
      if (p instanceof Promise) p.catch(() => {});
    } catch {
      // Refused requests (not offered, busy ...) are part of the game: they MUST NOT break anything.
    }
  };
  for (const c of cmds) {
    const agent = 'agent' in c ? AGENTS[c.agent]! : '';
    switch (c.k) {
      case 'arrive':
        // n callers at the same instant: no await between them.
        for (let i = 0; i < c.n; i++) calls.push(r.sim.startCall(`+4420794601${String(n++).padStart(2, '0')}`, `+1800555010${c.queue}`));
        break;
      case 'available':
      case 'away':
        tryIt(() => r.center.setState(agent, c.k, c.k === 'away' ? 'break' : undefined));
        break;
      case 'accept':
      case 'decline': {
        const id = offered(agent);
        if (id) tryIt(() => (c.k === 'accept' ? r.center.accept(agent, id) : r.center.decline(agent, id)));
        break;
      }
      case 'hangup': {
        const id = calls[c.call % Math.max(1, calls.length)];
        if (id && r.sim.hasCall(id)) tryIt(() => r.sim.callerHangup(id));
        break;
      }
      case 'agentHangup': {
        const id = r.presence.get(agent)?.callId;
        if (id) tryIt(() => r.center.hangup(agent, id));
        break;
      }
      case 'resume': {
        const ids = r.presence.get(agent)?.callIds ?? [];
        const id = ids[c.call % Math.max(1, ids.length)];
        if (id) tryIt(() => r.center.resume(agent, id));
        break;
      }
      case 'done':
        tryIt(() => r.center.finishWrapUp(agent, null));
        break;
      case 'wait':
        await vi.advanceTimersByTimeAsync(c.ms);
        break;
    }
    await vi.advanceTimersByTimeAsync(0);
    checkEvents(r.events, maxCalls);
  }
  return calls;
}

/**
 * A claim that answers later and sometimes says "taken" (as the cluster's shared
 * claim does when another node won the agent), driven by fast-check's choices.
 */
function asyncClaims(r: RoutingRig, outcomes: Iterator<{ delayMs: number; won: boolean }>): void {
  r.presence.claimer = (agent, callId) => {
    if (agent.offeredCallId !== null) return false;
    r.presence.setOffer(agent, callId); // optimistic, as the shared claim does
    const { delayMs, won } = outcomes.next().value ?? { delayMs: 0, won: true };
    return new Promise<boolean>((resolve) =>
      setTimeout(() => {
        if (!won) r.presence.releaseOffer(agent, callId);
        resolve(won);
      }, delayMs),
    );
  };
}

describe('routing under concurrent arrivals', () => {
  it('with claims that answer later and sometimes lose to another node: the same invariants, and no call is lost', async () => {
    const outcome = fc.record({ delayMs: fc.constantFrom(0, 1, 30), won: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 10, maxLength: 60 }), fc.infiniteStream(outcome), async (cmds, outcomes) => {
        vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') });
        const r = routingRig(
          {
            queues: [{ id: 'standard', name: 'Standard' }, { id: 'priority', name: 'Priority', priority: 10 }, { id: 'emea', name: 'EMEA' }],
            ivr: { fallbackQueue: 'standard' },
            routesByNumber: { '+18005550100': 'standard', '+18005550101': 'priority', '+18005550102': 'emea' },
            agents: AGENTS.map((a) => agentEntry(a, QUEUES)),
          },
          { ringTimeoutMs: 15_000 },
        );
        asyncClaims(r, outcomes[Symbol.iterator]());
        try {
          await r.sim.connect();
          const calls = await run(r, cmds);
          // Everyone who can be is made available; then no caller may wait while an agent is free (none stuck in a claim).
          for (const a of AGENTS) {
            try {
              r.center.finishWrapUp(a, null);
              r.center.setState(a, 'available');
            } catch {
              // on a call
            }
          }
          // Long enough for chains of lost claims (each up to 30 ms), short of the ring timeout.
          await vi.advanceTimersByTimeAsync(5_000);
          checkEvents(r.events);
          const free = AGENTS.filter((a) => {
            const p = r.presence.get(a)!;
            return p.state === 'available' && p.offeredCallId === null;
          });
          // A call waits for someone other than an agent who declined or missed it (docs/routing.md).
          const skipped = (id: string) => new Set(r.events.filter((e) => e.kind === 'withdrawn' && e.callId === id && e.reason !== 'caller-hangup').map((e) => e.agent));
          for (const id of calls.filter((c) => r.center.getCall(c)?.phase === 'queued')) {
            const could = free.filter((a) => !skipped(id).has(a));
            expect(could, `call ${id} waits while ${could.join(',')} is free`).toEqual([]);
          }
        } finally {
          r.center.close();
          vi.useRealTimers();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never offers one call twice at once, nor two calls to one agent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 10, maxLength: 60 }), async (cmds) => {
        vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') });
        const r = routingRig(
          {
            queues: [
              { id: 'standard', name: 'Standard', maxWaitSeconds: 60, overflow: { queue: 'emea' } },
              { id: 'priority', name: 'Priority', priority: 10 },
              { id: 'emea', name: 'EMEA', skills: ['en'] },
            ],
            ivr: { fallbackQueue: 'standard' },
            routesByNumber: { '+18005550100': 'standard', '+18005550101': 'priority', '+18005550102': 'emea' },
            agents: [agentEntry('a1', ['standard', 'priority']), agentEntry('a2', ['standard', 'emea'], ['en']), agentEntry('a3', QUEUES, ['en']), agentEntry('a4', ['priority'])],
          },
          { ringTimeoutMs: 15_000 },
        );
        try {
          await r.sim.connect();
          await run(r, cmds);
          // Every agent ends with at most one call of any kind.
          for (const a of AGENTS) {
            const p = r.presence.get(a)!;
            expect(p.offeredCallId === null || p.callId === null || p.state === 'after-call-work').toBe(true);
          }
        } finally {
          r.center.close();
          vi.useRealTimers();
        }
      }),
      { numRuns: 150 },
    );
  });
  it('with call waiting (maxCalls 2 and 3): never more calls than the limit, one caller talked to at a time, a free agent first', async () => {
    const limits = new Map([['a1', 2], ['a3', 3]]);
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 10, maxLength: 60 }), async (cmds) => {
        vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') });
        const r = routingRig(
          {
            queues: [
              { id: 'standard', name: 'Standard' },
              { id: 'priority', name: 'Priority', priority: 10 },
              { id: 'emea', name: 'EMEA', skills: ['en'] },
            ],
            ivr: { fallbackQueue: 'standard' },
            routesByNumber: { '+18005550100': 'standard', '+18005550101': 'priority', '+18005550102': 'emea' },
            agents: [
              { ...agentEntry('a1', ['standard', 'priority']), maxCalls: 2 },
              agentEntry('a2', ['standard', 'emea'], ['en']),
              { ...agentEntry('a3', QUEUES, ['en']), maxCalls: 3 },
              agentEntry('a4', ['priority']),
            ],
          },
          { ringTimeoutMs: 15_000 },
        );
        // Every offer to an agent already on a call: no free agent could have taken that call.
        const notify = r.presence.onChange((agent, fields) => {
          if (!fields.includes('offer') || agent.offeredCallId === null || agent.state !== 'on-call') return;
          const call = r.center.getCall(agent.offeredCallId);
          const free = [...r.presence.all()].filter((a) => a.state === 'available' && a.reachable && a.offeredCallId === null && a.queues.includes(call?.queue ?? '') && (call?.skills ?? []).every((s) => a.skills.includes(s)));
          expect(free.filter((a) => !r.center.liveCall(agent.offeredCallId!)?.declinedBy.has(a.username)).map((a) => a.username), `${agent.username} on a call was offered ${agent.offeredCallId}`).toEqual([]);
        });
        try {
          await r.sim.connect();
          await run(r, cmds, limits);
          for (const a of AGENTS) expect(r.presence.get(a)!.callIds.length).toBeLessThanOrEqual(limits.get(a) ?? 1);
        } finally {
          notify();
          r.center.close();
          vi.useRealTimers();
        }
      }),
      { numRuns: 150 },
    );
  });
});
