/**
 * Routing (issue 6 part 1 and 2) on fake timers, in-process: queue priority,
 * routing rules (VIP -> priority, the caller's country -> US or EMEA), skills,
 * longest idle, ring timeout to the next agent, maximum wait -> overflow queue
 * or a callback offer, closed hours, away reasons, and the invariants under
 * random concurrent arrivals: never two offers of one call, never two calls
 * to one agent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ConfigInput } from '../connector/config/schema.js';
import { validateFlowText } from '../ivr/flow/validate.js';
import { AppError } from '../connector/errors.js';
import { parseConfig } from '../connector/config/load.js';
import { agentEntry, routingRig, type RoutingRig } from './helpers/routing-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);

async function startRig(r: RoutingRig): Promise<RoutingRig> {
  await r.sim.connect();
  return r;
}

async function call(r: RoutingRig, from: string, to: string): Promise<string> {
  const id = r.sim.startCall(from, to);
  await flush();
  return id;
}

async function answer(r: RoutingRig, agent: string, callId: string): Promise<void> {
  r.center.accept(agent, callId);
  await flush();
  expect(r.records.get(callId)?.agent ?? r.center.getCall(callId)?.agent).toBe(agent);
}

const twoQueues = {
  queues: [
    { id: 'standard', name: 'Standard' },
    { id: 'priority', name: 'Priority', priority: 10 },
  ],
  ivr: { fallbackQueue: 'standard' },
  routesByNumber: { '+18005550100': 'standard', '+18005550111': 'priority' },
};

describe('queue priority and longest idle', () => {
  it('an agent serving two queues gets the priority queue\'s call first, though it came later', async () => {
    const r = await startRig(routingRig({ ...twoQueues, agents: [agentEntry('ann', ['standard', 'priority'])] }));
    const early = await call(r, '+14155550001', '+18005550100');
    await vi.advanceTimersByTimeAsync(5_000);
    const vip = await call(r, '+14155550002', '+18005550111');
    expect(r.center.getCall(vip)?.priority).toBe(10);
    r.center.setState('ann', 'available');
    expect(r.offersTo('ann')).toEqual([vip]);
    await answer(r, 'ann', vip);
    r.sim.callerHangup(vip);
    await flush();
    expect(r.center.finishWrapUp('ann', vip)).toBe(true);
    expect(r.offersTo('ann')).toEqual([vip, early]);
    r.center.close();
  });

  it('offers the longest-idle agent first; the one who just finished a call goes to the back', async () => {
    const r = await startRig(routingRig({ ...twoQueues, agents: ['a1', 'a2', 'a3'].map((u) => agentEntry(u, ['standard'])) }));
    r.center.setState('a2', 'available');
    await vi.advanceTimersByTimeAsync(1_000);
    r.center.setState('a3', 'available');
    await vi.advanceTimersByTimeAsync(1_000);
    r.center.setState('a1', 'available');
    const c1 = await call(r, '+14155550001', '+18005550100');
    expect(r.offersTo('a2')).toEqual([c1]);
    await answer(r, 'a2', c1);
    r.sim.callerHangup(c1);
    await flush();
    r.center.finishWrapUp('a2', c1);
    const c2 = await call(r, '+14155550002', '+18005550100');
    const c3 = await call(r, '+14155550003', '+18005550100');
    expect(r.offersTo('a3')).toEqual([c2]);
    expect(r.offersTo('a1')).toEqual([c3]);
    const c4 = await call(r, '+14155550004', '+18005550100');
    expect(r.offersTo('a2')).toEqual([c1, c4]);
    r.center.close();
  });

  it('a ring timeout sets the agent away (missed-call) and offers the call to the next agent', async () => {
    const r = await startRig(routingRig({ ...twoQueues, agents: ['a1', 'a2'].map((u) => agentEntry(u, ['standard'])) }, { ringTimeoutMs: 15_000 }));
    r.center.setState('a1', 'available');
    await vi.advanceTimersByTimeAsync(10);
    r.center.setState('a2', 'available');
    const c = await call(r, '+14155550001', '+18005550100');
    expect(r.offersTo('a1')).toEqual([c]);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(r.offersTo('a2')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.presence.get('a1')).toMatchObject({ state: 'away', awayReason: 'missed-call' });
    expect(r.events.find((e) => e.kind === 'state' && e.agent === 'a1' && e.state === 'away')).toMatchObject({ reason: 'missed-call' });
    expect(r.offersTo('a2')).toEqual([c]);
    await answer(r, 'a2', c);
    r.center.close();
  });
});

describe('routing rules', () => {
  const regional = {
    queues: [
      { id: 'standard', name: 'Standard' },
      { id: 'priority', name: 'Priority', priority: 10 },
      { id: 'us', name: 'US' },
      { id: 'emea', name: 'EMEA' },
    ],
    ivr: { fallbackQueue: 'standard' },
    routing: {
      rules: [
        { name: 'VIP accounts', when: { attribute: 'account.vip', equals: true }, queue: 'priority' },
        { name: 'North America', when: { queue: 'standard', country: ['US', 'CA'] }, queue: 'us' },
        { name: 'EMEA', when: { queue: 'standard', country: ['GB', 'DE', 'FR', 'ZA'] }, queue: 'emea' },
      ],
    },
    routesByNumber: { '+18005550100': 'standard' },
    agents: [agentEntry('us1', ['us']), agentEntry('eu1', ['emea']), agentEntry('vip1', ['priority']), agentEntry('std1', ['standard'])],
  };

  it('a VIP account goes to priority; the caller\'s country picks US or EMEA; others stay', async () => {
    const r = await startRig(routingRig(regional, { vip: ['+442071838750'] }));
    for (const a of ['us1', 'eu1', 'vip1', 'std1']) r.center.setState(a, 'available');
    const us = await call(r, '+14155550123', '+18005550100');
    const ca = await call(r, '+16135550123', '+18005550100');
    const gb = await call(r, '+442079460123', '+18005550100');
    const vip = await call(r, '+442071838750', '+18005550100');
    const jp = await call(r, '+81312345678', '+18005550100');
    expect(r.center.getCall(us)).toMatchObject({ queue: 'us', routedBy: 'North America' });
    expect(r.center.getCall(ca)).toMatchObject({ queue: 'us', routedBy: 'North America' });
    expect(r.center.getCall(gb)).toMatchObject({ queue: 'emea', routedBy: 'EMEA' });
    expect(r.center.getCall(vip)).toMatchObject({ queue: 'priority', priority: 10, routedBy: 'VIP accounts' });
    expect(r.center.getCall(jp)).toMatchObject({ queue: 'standard', routedBy: null });
    expect(r.offersTo('us1')).toEqual([us]);
    expect(r.offersTo('eu1')).toEqual([gb]);
    expect(r.offersTo('vip1')).toEqual([vip]);
    expect(r.offersTo('std1')).toEqual([jp]);
    r.center.close();
  });

  it('a withheld number matches no country rule', async () => {
    const r = await startRig(routingRig(regional));
    const c = await call(r, 'anonymous', '+18005550100');
    expect(r.center.getCall(c)).toMatchObject({ queue: 'standard', routedBy: null });
    r.center.close();
  });

  it('the config rejects rules and overflows naming unknown queues, and overflow loops', () => {
    const { routesByNumber: _unused, ...plain } = regional;
    expect(() => parseConfig({ ...plain, routing: { rules: [{ name: 'x', when: { country: 'US' }, queue: 'nowhere' }] } })).toThrow(/routing\.rules\[0\]\.queue: unknown queue "nowhere"/);
    expect(() => parseConfig({ queues: [{ id: 'general', name: 'G' }], routing: { rules: [{ name: 'x', when: {} }] } })).toThrow(/at least one condition/);
    expect(() => parseConfig({ queues: [{ id: 'general', name: 'G' }], routing: { rules: [{ name: 'x', when: { country: 'usa' } }] } })).toThrow(/two-letter region/);
    expect(() =>
      parseConfig({
        queues: [
          { id: 'general', name: 'G', maxWaitSeconds: 60, overflow: { queue: 'b' } },
          { id: 'b', name: 'B', maxWaitSeconds: 60, overflow: { queue: 'general' } },
        ],
      }),
    ).toThrow(/overflow loops: general -> b -> general/);
    expect(() => parseConfig({ queues: [{ id: 'general', name: 'G', overflow: { queue: 'general' } }] })).toThrow(/needs maxWaitSeconds or hours/);
    expect(() => parseConfig({ queues: [{ id: 'general', name: 'G', maxWaitSeconds: 60, overflow: { elsewhere: true } }] })).toThrow(/queues\[0\]\.overflow: unknown key "elsewhere"/);
  });
});

describe('skills', () => {
  it('a queue requiring a skill skips the longest-idle agent without it', async () => {
    const r = await startRig(
      routingRig({
        queues: [{ id: 'general', name: 'General' }, { id: 'japanese', name: 'Japanese', skills: ['ja'] }],
        routesByNumber: { '+18005550100': 'japanese' },
        agents: [agentEntry('plain', ['general', 'japanese']), agentEntry('nihongo', ['general', 'japanese'], ['ja'])],
      }),
    );
    r.center.setState('plain', 'available');
    await vi.advanceTimersByTimeAsync(1_000);
    r.center.setState('nihongo', 'available');
    const c = await call(r, '+14155550001', '+18005550100');
    expect(r.center.getCall(c)?.skills).toEqual(['ja']);
    expect(r.offersTo('plain')).toEqual([]);
    expect(r.offersTo('nihongo')).toEqual([c]);
    r.center.close();
  });

  it('a rule can require skills on top of the queue\'s; with nobody skilled the call waits', async () => {
    const r = await startRig(
      routingRig({
        queues: [{ id: 'general', name: 'General', skills: ['phone'] }],
        routing: { rules: [{ name: 'German speakers', when: { country: 'DE' }, skills: ['de'] }] },
        routesByNumber: { '+18005550100': 'general' },
        agents: [agentEntry('a', ['general'], ['phone']), agentEntry('b', ['general'], ['phone', 'de'])],
      }),
    );
    r.center.setState('a', 'available');
    const c = await call(r, '+4930123456', '+18005550100');
    expect(r.center.getCall(c)).toMatchObject({ skills: ['de', 'phone'], phase: 'queued' });
    expect(r.offersTo('a')).toEqual([]);
    r.center.setState('b', 'available');
    expect(r.offersTo('b')).toEqual([c]);
    r.center.close();
  });
});

describe('maximum wait and overflow', () => {
  it('after maxWaitSeconds a call moves to the overflow queue, keeping its time; its agents get it', async () => {
    const r = await startRig(
      routingRig({
        queues: [
          { id: 'tier1', name: 'Tier 1', maxWaitSeconds: 60, overflow: { queue: 'tier2' } },
          { id: 'tier2', name: 'Tier 2', priority: 5 },
        ],
        ivr: { fallbackQueue: 'tier1' },
        routesByNumber: { '+18005550100': 'tier1' },
        agents: [agentEntry('t2', ['tier2'])],
      }),
    );
    r.center.setState('t2', 'available');
    const c = await call(r, '+14155550001', '+18005550100');
    const queuedAt = r.center.getCall(c)?.queuedAt;
    await vi.advanceTimersByTimeAsync(59_999);
    expect(r.offersTo('t2')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.center.getCall(c)).toMatchObject({ queue: 'tier2', overflowedFrom: ['tier1'], priority: 5, queuedAt });
    expect(r.offersTo('t2')).toEqual([c]);
    r.center.close();
  });

  it('a wait that runs out while an agent is ringing applies when the call comes back to the line', async () => {
    const r = await startRig(
      routingRig(
        {
          queues: [{ id: 'a', name: 'A', maxWaitSeconds: 30, overflow: { queue: 'b' } }, { id: 'b', name: 'B' }],
          ivr: { fallbackQueue: 'a' },
          routesByNumber: { '+18005550100': 'a' },
          agents: [agentEntry('slow', ['a']), agentEntry('bee', ['b'])],
        },
        { ringTimeoutMs: 20_000 },
      ),
    );
    const c = await call(r, '+14155550001', '+18005550100');
    await vi.advanceTimersByTimeAsync(25_000);
    r.center.setState('slow', 'available');
    expect(r.offersTo('slow')).toEqual([c]);
    r.center.setState('bee', 'available');
    await vi.advanceTimersByTimeAsync(10_000); // the wait ran out while "slow" was ringing: no change yet
    expect(r.center.getCall(c)?.queue).toBe('a');
    await vi.advanceTimersByTimeAsync(10_000); // ring timeout: back to the line, then to b
    expect(r.center.getCall(c)?.queue).toBe('b');
    expect(r.offersTo('bee')).toEqual([c]);
    r.center.close();
  });

  it('a closed queue sends a new call to its overflow at once', async () => {
    // 15:00Z on Monday 2026-11-23 is 10:00 in New York: open; Tokyo is 00:00 Tuesday: closed.
    const hours = (timezone: string) => ({ timezone, weekly: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] } });
    const r = await startRig(
      routingRig({
        queues: [
          { id: 'apac', name: 'APAC', hours: hours('Asia/Tokyo'), overflow: { queue: 'us' } },
          { id: 'us', name: 'US', hours: hours('America/New_York'), overflow: { queue: 'general' } },
          { id: 'general', name: 'General' },
        ],
        routesByNumber: { '+18005550100': 'apac', '+18005550111': 'us' },
        agents: [agentEntry('u', ['us'])],
      }),
    );
    const c = await call(r, '+81312345678', '+18005550100');
    expect(r.center.getCall(c)).toMatchObject({ queue: 'us', overflowedFrom: ['apac'] });
    const d = await call(r, '+14155550001', '+18005550111');
    expect(r.center.getCall(d)).toMatchObject({ queue: 'us' });
    r.center.close();
  });

  describe('callback offer', () => {
    const cfg = {
      queues: [{ id: 'general', name: 'General', maxWaitSeconds: 120, overflow: { callbackOffer: {} } }],
      routesByNumber: { '+18005550100': 'general' },
      agents: [agentEntry('ann', ['general'])],
    };

    it('pressing 1 leaves a callback case and ends the call', async () => {
      const r = await startRig(routingRig(cfg));
      const c = await call(r, '+14155550001', '+18005550100');
      await vi.advanceTimersByTimeAsync(120_000);
      expect(r.center.getCall(c)?.phase).toBe('ivr');
      await vi.advanceTimersByTimeAsync(500);
      r.sim.sendDigits(c, '1');
      await vi.advanceTimersByTimeAsync(2_000);
      expect(r.ivrCases).toEqual([{ callId: c, outcome: 'callback', queue: 'general' }]);
      const rec = r.records.get(c);
      expect(rec).toMatchObject({ outcome: 'callback', phase: 'ended', endReason: 'system-hangup' });
      expect(rec?.ivrPath.map((s) => s.node)).toEqual(expect.arrayContaining(['q', 'offer', 'callback']));
      r.center.close();
    });

    it('a caller who hangs up during the offer is counted as abandoned in the queue, not in the IVR', async () => {
      const r = await startRig(routingRig(cfg));
      const c = await call(r, '+14155550001', '+18005550100');
      await vi.advanceTimersByTimeAsync(120_000 + 500);
      expect(r.center.getCall(c)?.phase).toBe('ivr');
      r.sim.callerHangup(c);
      await flush();
      expect(r.records.get(c)).toMatchObject({ phase: 'ended', outcome: 'abandoned-queue' });
      r.center.close();
    });

    it('no key: the caller is back in line at their place, ahead of later callers, and offered only once', async () => {
      const r = await startRig(routingRig(cfg));
      const first = await call(r, '+14155550001', '+18005550100');
      await vi.advanceTimersByTimeAsync(60_000);
      const later = await call(r, '+14155550002', '+18005550100');
      await vi.advanceTimersByTimeAsync(60_000 + 20_000); // first: the offer's prompt and its no-input timeout
      expect(r.center.getCall(first)?.phase).toBe('queued');
      expect(r.center.getCall(first)?.ivrPath.map((s) => s.node)).toContain('offer');
      // A day later both callers are still in line: the offer is made once per call.
      await vi.advanceTimersByTimeAsync(24 * 3600_000);
      expect(r.center.getCall(first)?.phase).toBe('queued');
      expect(r.center.getCall(later)?.phase).toBe('queued');
      r.center.setState('ann', 'available');
      expect(r.offersTo('ann')).toEqual([first]);
      expect(r.ivrCases).toEqual([]);
      await answer(r, 'ann', first);
      r.sim.callerHangup(first);
      await flush();
      r.center.finishWrapUp('ann', first);
      expect(r.offersTo('ann')).toEqual([first, later]);
      r.center.close();
    });
  });
});

describe('agent states with reasons', () => {
  it('away takes one of the configured reasons, shown in the state; others are refused with a code', async () => {
    const r = await startRig(routingRig({ queues: [{ id: 'general', name: 'General' }], agents: [agentEntry('ann', ['general'])], routing: { awayReasons: ['break', 'lunch'] } }));
    r.center.setState('ann', 'available');
    r.center.setState('ann', 'away', 'lunch');
    expect(r.presence.snapshot(r.presence.get('ann')!)).toMatchObject({ state: 'away', awayReason: 'lunch' });
    r.center.setState('ann', 'away', 'break');
    expect(r.events.filter((e) => e.kind === 'state').map((e) => e.reason ?? e.state)).toEqual(['available', 'lunch', 'break']);
    const refused = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return e instanceof AppError ? e.code : 'other';
      }
      return 'none';
    };
    expect(refused(() => r.center.setState('ann', 'away', 'golf'))).toBe('VALIDATION_FAILED');
    expect(refused(() => r.center.setState('ann', 'available', 'lunch'))).toBe('VALIDATION_FAILED');
    r.center.setState('ann', 'available');
    expect(r.presence.snapshot(r.presence.get('ann')!).awayReason).toBeUndefined();
    expect(r.center.snapshot('ann').snapshot.awayReasons).toEqual(['break', 'lunch']);
    r.center.close();
  });
});

describe('the shipped service-desk example (examples/service-desk)', () => {
  const dir = join(import.meta.dirname, '..', 'examples', 'service-desk');
  const raw = parseYaml(readFileSync(join(dir, 'switchboard.yaml'), 'utf8')) as ConfigInput;

  it('is a valid config whose flows all load against its queues', () => {
    const config = parseConfig(raw);
    expect(config.queues.map((q) => q.id)).toEqual(['tier1', 'tier2', 'standard', 'priority', 'us', 'emea']);
    const queues = new Set(config.queues.map((q) => q.id));
    for (const f of readdirSync(join(dir, 'flows'))) {
      const v = validateFlowText(readFileSync(join(dir, 'flows', f), 'utf8'), { queues });
      expect(v.ok ? [] : v.problems, f).toEqual([]);
    }
  });

  it('routes a VIP to priority, a US caller to US, a UK caller to EMEA, a Japanese speaker to an agent with ja', async () => {
    // Monday 15:00Z: 10:00 in New York and 15:00 in London, both open.
    const r = await startRig(routingRig({ ...raw, ivr: { fallbackQueue: 'standard' }, routesByNumber: { '+18005550100': 'standard', '+18005550101': 'tier1' } }, { vip: ['+14155550199'] }));
    const vip = await call(r, '+14155550199', '+18005550100');
    const us = await call(r, '+14155550123', '+18005550100');
    const uk = await call(r, '+442079460123', '+18005550100');
    const t1 = await call(r, '+442079460124', '+18005550101');
    expect(r.center.getCall(vip)).toMatchObject({ queue: 'priority', priority: 20, routedBy: 'VIP accounts' });
    expect(r.center.getCall(us)).toMatchObject({ queue: 'us', routedBy: 'North America' });
    expect(r.center.getCall(uk)).toMatchObject({ queue: 'emea', routedBy: 'EMEA' });
    expect(r.center.getCall(t1)).toMatchObject({ queue: 'tier1', routedBy: null });
    // carol serves priority (and tier 2): the VIP, highest priority, is hers first.
    r.center.setState('carol', 'available');
    expect(r.offersTo('carol')).toEqual([vip]);
    r.center.close();
  });

  it('after hours in London, an EMEA call goes to standard at once', async () => {
    vi.setSystemTime(new Date('2026-11-23T22:00:00Z'));
    const r = await startRig(routingRig({ ...raw, ivr: { fallbackQueue: 'standard' }, routesByNumber: { '+18005550100': 'standard' } }));
    const uk = await call(r, '+442079460123', '+18005550100');
    expect(r.center.getCall(uk)).toMatchObject({ queue: 'standard', overflowedFrom: ['emea'], routedBy: 'EMEA' });
    r.center.close();
  });
});
