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
  | { k: 'wait'; ms: number };

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
);

/** Replays the events and fails on the first that breaks an invariant. */
function checkEvents(events: readonly RigEvent[]): void {
  const offerOf = new Map<string, string>(); // agent -> call offered
  const offeredTo = new Map<string, string>(); // call -> agent
  const onCall = new Map<string, string>(); // agent -> call
  for (const [i, e] of events.entries()) {
    const at = `event ${i}: ${JSON.stringify(e)}`;
    if (e.kind === 'offered') {
      expect(offerOf.has(e.agent), `${at}: agent already has an offer`).toBe(false);
      expect(onCall.has(e.agent), `${at}: agent is on a call`).toBe(false);
      expect(offeredTo.has(e.callId!), `${at}: call already offered to ${offeredTo.get(e.callId!)}`).toBe(false);
      offerOf.set(e.agent, e.callId!);
      offeredTo.set(e.callId!, e.agent);
    } else if (e.kind === 'withdrawn') {
      expect(offerOf.get(e.agent), at).toBe(e.callId);
      offerOf.delete(e.agent);
      offeredTo.delete(e.callId!);
    } else if (e.kind === 'connected') {
      expect(offerOf.get(e.agent), `${at}: connected without an offer`).toBe(e.callId);
      offerOf.delete(e.agent);
      offeredTo.delete(e.callId!);
      onCall.set(e.agent, e.callId!);
    } else if (e.kind === 'ended') {
      expect(onCall.get(e.agent), at).toBe(e.callId);
      onCall.delete(e.agent);
    }
  }
}

async function run(r: RoutingRig, cmds: readonly Cmd[]): Promise<string[]> {
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
      case 'done':
        tryIt(() => r.center.finishWrapUp(agent, null));
        break;
      case 'wait':
        await vi.advanceTimersByTimeAsync(c.ms);
        break;
    }
    await vi.advanceTimersByTimeAsync(0);
    checkEvents(r.events);
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
});
