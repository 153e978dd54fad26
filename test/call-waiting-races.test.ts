/**
 * Regressions (found in review) for call waiting (connector side), in-process with the
 * simulator on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentEntry } from './helpers/routing-rig.js';
import { answerCall as answer, dialIn as call, flush, oneQueueRig as rig } from './helpers/one-queue-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

describe('the waiting call connects just as the first call ends', () => {
  it('the first call is still waiting to be logged (pendingWrapUps) after the waiting call connects', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }]);
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    const c2 = await call(r, '+14155550002');
    expect(r.offersTo('ann')).toEqual([c1, c2]);
    // Accept the waiting call; the first caller hangs up before its bridge is reported.
    r.center.accept('ann', c2);
    r.sim.callerHangup(c1);
    await flush();
    const ann = r.presence.get('ann')!;
    expect(ann).toMatchObject({ state: 'on-call', callId: c2, callIds: [c2] });
    // c1 ended while ann stayed on a call: it must still be logged (a reload must show its form).
    const snap = r.center.snapshot('ann').snapshot;
    expect(snap.pendingWrapUps?.map((w) => w.callId)).toEqual([c1]);
    r.center.close();
  });

  it('Done on the first call (or saving its case) records its wrap-up end', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }]);
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    const c2 = await call(r, '+14155550002');
    r.center.accept('ann', c2);
    r.sim.callerHangup(c1);
    await flush();
    expect(r.center.finishWrapUp('ann', c1)).toBe(true);
    expect(r.records.get(c1)?.wrapUpEndedAt).toBeTruthy();
    r.center.close();
  });
});

describe('a waiting offer whose ringing fails', () => {
  it('is not offered again and again to the same on-call agent (setAway does nothing on a call)', async () => {
    const r = await rig([{ ...agentEntry('ann', ['standard']), maxCalls: 2 }]);
    r.center.setState('ann', 'available');
    const c1 = await call(r, '+14155550001');
    await answer(r, 'ann', c1);
    // The PBX cannot ring ann's phone while she is on c1 (busy endpoint, originate refused).
    let rings = 0;
    const real = r.sim.ringAgent.bind(r.sim);
    r.sim.ringAgent = async (callId: string, endpoint: string) => {
      rings++;
      // Bounded so the test ends: after 50 failures the phone rings normally.
      if (rings <= 50) throw new Error('endpoint busy');
      return real(callId, endpoint);
    };
    const c2 = await call(r, '+14155550002');
    await flush();
    // One failed ring should put ann out of reach for this call (as phone-unreachable does for a free agent),
    // not re-offer it in a tight loop of pops.
    expect(rings).toBeLessThanOrEqual(2);
    expect(r.offersTo('ann').filter((id) => id === c2).length).toBeLessThanOrEqual(2);
    r.center.close();
  });
});
