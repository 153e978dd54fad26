/**
 * The routing rig with one queue and one number that leads to it, for the call
 * waiting tests (fake timers): start it, dial in, answer.
 */
import { expect, vi } from 'vitest';
import type { ConfigInput } from '../../connector/config/schema.js';
import { agentEntry, routingRig, type RoutingRig } from './routing-rig.js';

export const LINE = '+18005550100';

/** Lets the simulator's and the call center's promises settle (fake timers). */
export const flush = () => vi.advanceTimersByTimeAsync(0);

/** A connected rig with the `standard` queue, reached by dialing {@link LINE}. */
export async function oneQueueRig(
  agents: Array<ReturnType<typeof agentEntry> & { maxCalls?: number }>,
  routing: ConfigInput['routing'] = {},
  opts: Parameters<typeof routingRig>[1] = {},
): Promise<RoutingRig> {
  const r = routingRig({ queues: [{ id: 'standard', name: 'Standard' }], ivr: { fallbackQueue: 'standard' }, routesByNumber: { [LINE]: 'standard' }, agents, routing }, opts);
  await r.sim.connect();
  return r;
}

/** A caller from `from` dials in; resolves with the call's id once it is queued. */
export async function dialIn(r: RoutingRig, from: string): Promise<string> {
  const id = r.sim.startCall(from, LINE);
  await flush();
  return id;
}

/** The agent accepts the offered call; it is connected to them. */
export async function answerCall(r: RoutingRig, agent: string, callId: string): Promise<void> {
  r.center.accept(agent, callId);
  await flush();
  expect(r.center.getCall(callId)).toMatchObject({ phase: 'connected', agent });
}
