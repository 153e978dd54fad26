/**
 * Agent legs and what happens to a caller with one (mod_commands.c):
 *
 * - ringing an agent: `bgapi originate {origination_uuid=<leg>,...}<endpoint> &park()`.
 *   The leg id is ours (`origination_uuid`), so its CHANNEL_CREATE finds it. The job
 *   answers only when the phone answers (`+OK <uuid>`) or gives up (`-ERR USER_BUSY`),
 *   so ringing is "the channel exists", and the job's result is one more signal of
 *   the answer (with the leg's CHANNEL_PARK) or of the end (with its CHANNEL_HANGUP).
 * - bridging: `uuid_bridge <call> <leg>` (`+OK <leg>`, `-ERR Invalid uuid`);
 * - hanging up: `uuid_kill <uuid> <cause>` (`-ERR No Such Channel!` when gone);
 * - blind transfer: `uuid_transfer <call> <number> XML <context>`: the caller leaves
 *   the park for the dialplan, which dials the number.
 */
import { randomUUID } from 'node:crypto';
import { AdapterError, isCallGone } from '../errors.js';
import type { EslFailure } from './esl/failures.js';
import type { FreeSwitchAdapter } from './freeswitch-adapter.js';
import { causeToEndReason, originateCause } from './hangup-cause.js';
import { callEndReason, LEG_VARIABLE } from './mapper.js';
import { stopMedia } from './media.js';
import type { CallState, LegState } from './state.js';

/** Originates `endpoint` (a desk phone or a verto/WebRTC endpoint alike) for the call; resolves once it rings. */
export async function ringAgent(h: FreeSwitchAdapter, callId: string, endpoint: string): Promise<{ legId: string }> {
  const call = h.liveCall(callId);
  if (!/^\S+$/.test(endpoint)) throw new AdapterError('INVALID_REQUEST', `not a FreeSWITCH dial string: ${JSON.stringify(endpoint)}`, { adapterId: h.id });
  const conn = h.link.current;
  if (!conn) throw new AdapterError('PBX_UNAVAILABLE', 'originate: FreeSWITCH is not connected', { adapterId: h.id });
  const legId = randomUUID();
  const leg = h.state.newLeg(legId, callId, endpoint);
  const created = new Promise<'created'>((resolve) => (leg.onCreated = () => resolve('created')));
  const job = conn.bgapi(originateCommand(h, call, leg), h.opts.originateTimeoutSec * 1000 + h.opts.requestTimeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    created,
    job.then(() => 'done' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), h.opts.requestTimeoutMs))),
  ]);
  clearTimeout(timer);
  leg.onCreated = null;
  void job.then((r) => originateDone(h, leg, r));
  if (first === 'timeout') {
    // FreeSWITCH took the command but made no channel in time: give up on it, and
    // hang it up should it appear after all.
    leg.cancelled = true;
    throw new AdapterError('PBX_TIMEOUT', `originate ${endpoint}: no channel within ${h.opts.requestTimeoutMs} ms`, { adapterId: h.id });
  }
  if (first === 'done' && !leg.created) {
    const r = await job;
    if (typeof r !== 'string') {
      // No channel was ever made (a phone not registered, a bad dial string): nothing rang.
      forgetLeg(h, leg);
      const err = h.failure(r, callId);
      throw call.ended && !isCallGone(err) ? new AdapterError('CALL_GONE', `call ${callId} ended while ringing ${endpoint}`, { adapterId: h.id, cause: err }) : err;
    }
    leg.created = true; // answered at once, its CHANNEL_CREATE lost or not yet read
  }
  if (call.ended) {
    // The caller hung up while the agent's phone started ringing.
    leg.cancelled = true;
    if (leg.created && !leg.ended) void killChannel(h, legId, 'ORIGINATOR_CANCEL');
    throw new AdapterError('CALL_GONE', `call ${callId} ended while ringing ${endpoint}`, { adapterId: h.id });
  }
  if (!leg.ended) h.emit({ type: 'agent.ringing', callId, legId, endpoint });
  return { legId };
}

/**
 * The originate command. Channel variables (switch_ivr_originate): our leg id, the
 * caller's call id (to recognise our legs after a restart), the caller's number and
 * name on the agent's phone, FreeSWITCH's own ring limit.
 */
function originateCommand(h: FreeSwitchAdapter, call: CallState, leg: LegState): string {
  const vars = [`origination_uuid=${leg.id}`, `${LEG_VARIABLE}=${call.id}`, `originate_timeout=${h.opts.originateTimeoutSec}`];
  const number = call.ani.replace(/[^0-9A-Za-z+*#._@-]/g, '');
  if (number) vars.push(`origination_caller_id_number=${number}`);
  // Quoted: names have spaces; what would end the quote or the variable block goes.
  const name = (call.callerName ?? '').replace(/['"{}[\],\\^]|[\u0000-\u001f]/g, '').trim();
  if (name) vars.push(`origination_caller_id_name='${name}'`);
  return `originate {${vars.join(',')}}${leg.endpoint} &park()`;
}

/** The originate job finished: the phone answered, or never will. */
function originateDone(h: FreeSwitchAdapter, leg: LegState, r: string | EslFailure): void {
  if (leg.ended) return;
  const at = new Date().toISOString();
  if (typeof r === 'string') {
    const call = h.state.calls.get(leg.callId);
    if (leg.cancelled || !call || call.ended) void killChannel(h, leg.id, 'ORIGINATOR_CANCEL');
    else h.apply({ type: 'agent.answered', callId: leg.callId, legId: leg.id, adapterId: h.id, at });
    return;
  }
  if (r.name === 'EslClosed') return; // the resync after the reconnect decides
  if (!leg.created) {
    forgetLeg(h, leg);
    return;
  }
  if (r.name === 'EslTimeout') void killChannel(h, leg.id, 'ORIGINATOR_CANCEL');
  const cause = r.name === 'EslRejected' ? originateCause(r.reply) : null;
  const reason = leg.cancelled ? 'system-hangup' : r.name === 'EslTimeout' ? 'no-answer' : causeToEndReason(cause ?? 'NORMAL_TEMPORARY_FAILURE', 'agent');
  h.apply({ type: 'agent.leg.ended', callId: leg.callId, legId: leg.id, reason, adapterId: h.id, at });
}

function forgetLeg(h: FreeSwitchAdapter, leg: LegState): void {
  h.state.legs.delete(leg.id);
  h.state.calls.get(leg.callId)?.legs.delete(leg.id);
  h.state.tombstone(leg.id);
}

/** Bridges the caller with an answered agent leg (uuid_bridge); emits call.connected. */
export async function bridge(h: FreeSwitchAdapter, callId: string, legId: string): Promise<void> {
  const call = h.liveCall(callId);
  const leg = h.state.legs.get(legId);
  if (!leg || leg.ended || leg.callId !== callId) throw new AdapterError('CALL_GONE', `no agent leg ${legId} on call ${callId}`, { adapterId: h.id });
  if (!leg.answered) throw new AdapterError('PBX_REJECTED', `agent leg ${legId} has not answered`, { adapterId: h.id });
  if (leg.bridged) return;
  await stopMedia(h, call);
  try {
    await h.bgapi(`uuid_bridge ${callId} ${legId}`, { callId });
  } catch (err) {
    throw leg.ended && !isCallGone(err) ? new AdapterError('CALL_GONE', `bridging ${callId}: the agent's leg hung up`, { adapterId: h.id, cause: err }) : err;
  }
  if (call.ended || leg.ended) throw new AdapterError('CALL_GONE', `call ${callId} ended while bridging`, { adapterId: h.id });
  leg.bridged = true;
  call.bridgedLeg = legId;
  h.emit({ type: 'call.connected', callId, legId });
}

/** Blind transfer: the caller continues in `transferContext` with the number as the extension. */
export async function transfer(h: FreeSwitchAdapter, callId: string, to: string): Promise<void> {
  const call = h.liveCall(callId);
  const context = h.opts.transferContext;
  if (!context) throw new AdapterError('INVALID_REQUEST', 'blind transfer needs adapters[].transferContext', { adapterId: h.id });
  if (!/^\+?[0-9*#]{1,32}$/.test(to)) throw new AdapterError('INVALID_REQUEST', `not a number to transfer to: ${JSON.stringify(to)}`, { adapterId: h.id });
  await stopMedia(h, call);
  const previous = call.endRequest;
  call.endRequest = 'transfer';
  try {
    await h.bgapi(`uuid_transfer ${callId} ${to} XML ${context}`, { callId });
  } catch (err) {
    if (!call.ended) call.endRequest = previous;
    throw err;
  }
  // The channel lives on in the dialplan: for Switchboard the call ends here.
  h.apply({ type: 'call.ended', callId, reason: 'transferred', adapterId: h.id, at: new Date().toISOString() });
}

/**
 * `uuid_kill <uuid> <cause>`. A channel already gone is fine, and ends what we knew
 * of it (its hangup events may have been lost with a socket).
 */
export async function killChannel(h: FreeSwitchAdapter, uuid: string, cause: string, rethrow = false): Promise<void> {
  try {
    await h.bgapi(`uuid_kill ${uuid} ${cause}`, { callId: uuid });
  } catch (err) {
    if (isCallGone(err)) return goneAlready(h, uuid);
    h.log.warn({ err, uuid }, 'hanging up a channel failed');
    if (rethrow) throw err;
  }
}

function goneAlready(h: FreeSwitchAdapter, uuid: string): void {
  const at = new Date().toISOString();
  const call = h.state.calls.get(uuid);
  if (call && !call.ended) h.apply({ type: 'call.ended', callId: uuid, reason: callEndReason(call.endRequest, null), adapterId: h.id, at });
  const leg = h.state.legs.get(uuid);
  if (!leg || leg.ended) return;
  if (leg.bridged) h.bridgedLegEnded(uuid);
  else h.apply({ type: 'agent.leg.ended', callId: leg.callId, legId: uuid, reason: leg.cancelled ? 'system-hangup' : 'failed', adapterId: h.id, at });
}
