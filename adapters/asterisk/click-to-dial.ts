/**
 * Click-to-dial on Asterisk: originate the agent's leg first; when the agent
 * answers (its StasisStart), originate the customer's leg with the agent's channel
 * as `originator`; when the customer answers, bridge the two (mixing bridge). The
 * customer's leg is the call (`callId`), the agent's the leg (`legId`). Either side
 * hanging up hangs up the other, as for inbound calls.
 */
import { randomUUID } from 'node:crypto';
import { AdapterError, isCallGone } from '../errors.js';
import type { EndReason } from '../events.js';
import type { AsteriskAdapter } from './asterisk-adapter.js';
import type { CallState, LegState } from './state.js';

const NUMBER = /^\+?[0-9]{2,20}$/;

export async function startDial(h: AsteriskAdapter, req: { endpoint: string; to: string; callerId?: string }): Promise<{ callId: string; legId: string }> {
  if (!h.opts.dialEndpointTemplate) throw new AdapterError('INVALID_REQUEST', 'click-to-dial needs adapters[].dial.endpointTemplate', { adapterId: h.id });
  if (!NUMBER.test(req.to)) throw new AdapterError('INVALID_REQUEST', `not a number to dial: ${JSON.stringify(req.to)}`, { adapterId: h.id });
  const callId = randomUUID();
  const legId = randomUUID();
  const call = h.state.newCall(callId, {
    outbound: true,
    ani: req.to,
    dial: { to: req.to, callerId: req.callerId ?? h.opts.dialCallerId, originated: false },
  });
  h.state.newLeg(legId, callId, req.endpoint);
  try {
    // The agent's phone shows the number being called.
    await h.originate(legId, req.endpoint, callId, req.to, undefined);
  } catch (err) {
    h.state.legs.delete(legId);
    h.state.calls.delete(callId);
    call.ended = true;
    throw err;
  }
  h.emit({ type: 'agent.ringing', callId, legId, endpoint: req.endpoint });
  return { callId, legId };
}

/** The agent picked up: dial the customer. */
export async function dialAgentAnswered(h: AsteriskAdapter, call: CallState, leg: LegState): Promise<void> {
  const dial = call.dial;
  const template = h.opts.dialEndpointTemplate;
  if (!dial || dial.originated || !template) return;
  dial.originated = true;
  const endpoint = template.replace(/\{number\}/g, dial.to);
  try {
    await h.originate(call.id, endpoint, call.id, dial.callerId, leg.id);
  } catch (err) {
    h.log.warn({ err, callId: call.id, endpoint }, 'click-to-dial: dialing the customer failed');
    h.apply({ type: 'call.ended', callId: call.id, reason: 'failed', adapterId: h.id, at: new Date().toISOString() });
  }
}

/** The customer answered and is in the application: bridge them with the agent. */
export async function dialCustomerAnswered(h: AsteriskAdapter, call: CallState): Promise<void> {
  const legId = [...call.legs][0];
  if (!legId) return;
  try {
    await h.bridge(call.id, legId);
  } catch (err) {
    if (isCallGone(err)) return;
    h.log.error({ err, callId: call.id }, 'click-to-dial: bridging failed');
    call.endRequest ??= 'system';
    void h.hangupChannel(call.id);
  }
}

/** The agent's leg ended before the two were bridged. */
export function dialLegEnded(h: AsteriskAdapter, call: CallState, reason: EndReason): void {
  if (!call.dial?.originated) {
    // No customer leg exists yet: the call ends here, for the agent's reason (no answer, busy).
    h.apply({ type: 'call.ended', callId: call.id, reason, adapterId: h.id, at: new Date().toISOString() });
    return;
  }
  call.endRequest ??= 'agent';
  void h.hangupChannel(call.id);
}
