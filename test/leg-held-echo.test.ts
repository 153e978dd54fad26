/**
 * agent.leg.held for an agent on the widget's softphone (found in review): the
 * softphone re-INVITEs on each call.held / call.resumed, and the PBX reports them
 * back as agent.leg.held. Those are echoes, possibly late; taken as the agent's
 * wish, an echo of an earlier swap undid a later one. They are ignored for
 * softphone agents (a desk phone's own Hold: test/asterisk/call-waiting.test.ts).
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { PbxEvent } from '../adapters/events.js';
import { answerCall, dialIn, flush, oneQueueRig } from './helpers/one-queue-rig.js';
import { agentEntry, type RoutingRig } from './helpers/routing-rig.js';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T15:00:00Z') }));
afterEach(() => vi.useRealTimers());

/** What the PBX reports when the agent's phone re-INVITEs its leg (ARI ChannelHold / ChannelUnhold). */
function legHeld(r: RoutingRig, callId: string, held: boolean): void {
  const legId = r.center.liveCall(callId)!.bridgedLegId!;
  const e = { type: 'agent.leg.held', callId, legId, held, adapterId: r.sim.id, at: new Date().toISOString() } as PbxEvent;
  (r.sim as unknown as { events: { emit: (e: PbxEvent) => void } }).events.emit(e);
}

/** ann, on the widget's softphone with call waiting, answered c1 then c2 (c1 held by the connector). */
async function annOnTwoCalls(): Promise<{ r: RoutingRig; c1: string; c2: string }> {
  const r = await oneQueueRig([agentEntry('ann', ['standard'])], { maxCallsPerAgent: 2 }, { softphoneAgents: ['ann'] });
  r.center.setState('ann', 'available');
  const c1 = await dialIn(r, '+14155550001');
  await answerCall(r, 'ann', c1);
  const c2 = await dialIn(r, '+14155550002');
  await answerCall(r, 'ann', c2);
  return { r, c1, c2 };
}

it('a late echo of the softphone\'s re-INVITE for an earlier swap does not undo the agent\'s later resume', async () => {
  const { r, c1, c2 } = await annOnTwoCalls();
  // c1 was held by the connector (call waiting); the softphone's hold re-INVITE echoes in step: a no-op.
  legHeld(r, c1, true);
  await flush();

  // Swap to c1 in the widget, then straight back to c2 (two clicks within one re-INVITE round trip).
  r.center.resume('ann', c1); // connector: hold c2, resume c1 -> softphone re-INVITEs: hold leg2, unhold leg1
  r.center.resume('ann', c2); // connector: hold c1, resume c2 -> softphone re-INVITEs: hold leg1, unhold leg2
  await flush();
  // The PBX's events for the first swap's re-INVITEs arrive now.
  legHeld(r, c2, true);
  legHeld(r, c1, false);
  await flush();

  // The agent's last word was "talk to c2".
  const snap = r.center.snapshot('ann').snapshot;
  expect(snap.activeCall?.callId).toBe(c2);
  expect(r.center.liveCall(c2)!.heldByAgent ?? null).toBeNull();
  r.center.close();
});

it('one late ChannelHold (the softphone coalesced the rest) leaves both callers on music and the agent talking to nobody', async () => {
  const { r, c1, c2 } = await annOnTwoCalls();
  r.center.resume('ann', c1);
  r.center.resume('ann', c2);
  await flush();
  // Leg 2's hold re-INVITE (first swap) was already on the wire: Asterisk says ChannelHold. The
  // call.held it triggers replaces the softphone's queued unhold wish, so no ChannelUnhold follows.
  legHeld(r, c2, true);
  await flush();
  const held = [c1, c2].filter((c) => r.center.liveCall(c)!.heldByAgent);
  expect(held).toEqual([c1]);
  r.center.close();
});
