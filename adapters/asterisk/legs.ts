/**
 * Agent legs and what happens to a caller with one: ringing an agent's endpoint
 * (POST /channels/{channelId}, originate into our application, channels.json),
 * bridging the two (POST /bridges/{bridgeId} mixing + addChannel, bridges.json),
 * and a blind transfer (POST /channels/{channelId}/continue into the dialplan).
 */
import { randomUUID } from 'node:crypto';
import { AdapterError } from '../errors.js';
import type { AsteriskAdapter } from './asterisk-adapter.js';
import { stopMedia } from './media.js';
import type { CallState } from './state.js';

/** Originates `endpoint` (a desk phone or a WebRTC endpoint alike) for the call; resolves once it rings. */
export async function ringAgent(h: AsteriskAdapter, callId: string, endpoint: string): Promise<{ legId: string }> {
  const call = h.liveCall(callId);
  const legId = randomUUID();
  const leg = h.state.newLeg(legId, callId, endpoint);
  try {
    await h.originate(legId, endpoint, callId, callerIdOf(call), callId);
  } catch (err) {
    h.state.legs.delete(legId);
    call.legs.delete(legId);
    // 400 is also Asterisk's answer when the originator (the caller) no longer exists.
    if (err instanceof AdapterError && err.httpStatus === 400 && !(await h.channelExists(callId))) {
      throw new AdapterError('CALL_GONE', `call ${callId} is gone: ${err.message}`, { adapterId: h.id, httpStatus: 404, cause: err });
    }
    throw h.commandError(err, callId);
  }
  if (call.ended) {
    // The caller hung up while the agent's phone started ringing.
    leg.cancelled = true;
    void h.hangupChannel(legId);
    throw new AdapterError('CALL_GONE', `call ${callId} ended while ringing ${endpoint}`, { adapterId: h.id });
  }
  if (!leg.ended) h.emit({ type: 'agent.ringing', callId, legId, endpoint });
  return { legId };
}

/** Bridges the caller with an answered agent leg in a mixing bridge; emits call.connected. */
export async function bridge(h: AsteriskAdapter, callId: string, legId: string): Promise<void> {
  const call = h.liveCall(callId);
  const leg = h.state.legs.get(legId);
  if (!leg || leg.ended || leg.callId !== callId) throw new AdapterError('CALL_GONE', `no agent leg ${legId} on call ${callId}`, { adapterId: h.id });
  if (!leg.answered) throw new AdapterError('PBX_REJECTED', `agent leg ${legId} has not answered`, { adapterId: h.id });
  if (leg.bridged) return;
  await stopMedia(h, call);
  const bridgeId = call.bridgeId ?? randomUUID();
  try {
    if (!call.bridgeId) {
      await h.rest.call('POST /bridges/{bridgeId}', { path: { bridgeId }, query: { type: 'mixing', name: `switchboard-${callId}` } });
      call.bridgeId = bridgeId;
    }
    await h.rest.call('POST /bridges/{bridgeId}/addChannel', { path: { bridgeId }, query: { channel: [callId, legId] } });
  } catch (err) {
    // 400 "Channel not found": one side hung up meanwhile.
    const gone = err instanceof AdapterError && err.httpStatus === 400;
    throw gone ? new AdapterError('CALL_GONE', `bridging ${callId}: a side hung up`, { adapterId: h.id, httpStatus: 400, cause: err }) : h.commandError(err, callId);
  }
  if (call.ended || leg.ended) throw new AdapterError('CALL_GONE', `call ${callId} ended while bridging`, { adapterId: h.id });
  leg.bridged = true;
  call.bridgedLeg = legId;
  h.emit({ type: 'call.connected', callId, legId });
}

/** Blind transfer: the caller leaves the application into `transferContext`, extension `to` (the dialplan dials it). */
export async function transfer(h: AsteriskAdapter, callId: string, to: string): Promise<void> {
  const call = h.liveCall(callId);
  const context = h.opts.transferContext;
  if (!context) throw new AdapterError('INVALID_REQUEST', 'blind transfer needs adapters[].transferContext', { adapterId: h.id });
  if (!/^\+?[0-9*#]{1,32}$/.test(to)) throw new AdapterError('INVALID_REQUEST', `not a number to transfer to: ${JSON.stringify(to)}`, { adapterId: h.id });
  await stopMedia(h, call);
  const previous = call.endRequest;
  call.endRequest = 'transfer';
  try {
    await h.rest.call('POST /channels/{channelId}/continue', { path: { channelId: callId }, query: { context, extension: to, priority: 1 } });
  } catch (err) {
    if (!call.ended) call.endRequest = previous;
    throw h.commandError(err, callId);
  }
}

/** The caller ID shown on the agent's phone: the caller's name and number. */
function callerIdOf(call: CallState): string | undefined {
  if (!call.ani) return undefined;
  const name = (call.callerName ?? '').replace(/["<>]/g, '');
  return name ? `"${name}" <${call.ani}>` : call.ani;
}
