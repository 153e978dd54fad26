/**
 * Agent legs on Twilio. Ringing an agent is an outbound call through the REST API
 * (POST /Calls.json: `To` is the agent's `client:` identity, SIP address or number,
 * `Url` is our answer webhook, `StatusCallback` reports ringing and the end). When
 * the agent answers, Twilio requests `Url`: that is `agent.answered`, and we hold
 * the request open. `bridge()` answers it with `<Dial><Queue>sb-<CallSid></Queue></Dial>`
 * once the caller waits in that (per-call) Twilio queue: Twilio takes the caller out
 * of the queue and connects the two at once, whatever the caller was hearing.
 * Cancelling a ringing leg is `Status=canceled` on it; an answered one held open
 * is answered `<Hangup/>`. A blind transfer is `<Dial><Number>` on the caller.
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { EndReason } from '../events.js';
import { AdapterError } from '../errors.js';
import { agentTarget, isEnded, legEndReason, param, queueName, type Params } from './mapper.js';
import type { CallerState, LegState } from './state.js';
import type { TwilioAdapter } from './twilio-adapter.js';

/** Twilio waits 15 s for a webhook's answer; an agent waiting for the bridge is re-asked before that. */
const AGENT_HOLD_MS = 10_000;
/** How long a bridge waits for the caller to reach the Twilio queue and the agent's webhook. */
export const BRIDGE_WAIT_MS = 30_000;

const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

/** Waits until `done()` holds, waking up on any of `wakers`, or until `deadline`. Resolves whether it holds. */
async function waitUntil(done: () => boolean, wakers: Array<Set<() => void>>, deadline: number): Promise<boolean> {
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        for (const w of wakers) w.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, left);
      for (const w of wakers) w.add(wake);
    });
  }
  return true;
}

export async function ringAgent(h: TwilioAdapter, callId: string, endpoint: string): Promise<{ legId: string }> {
  const call = h.liveCall(callId);
  const target = agentTarget(endpoint);
  if (!target) {
    throw new AdapterError('INVALID_REQUEST', `not a Twilio endpoint: ${JSON.stringify(endpoint)} (expected client:<identity>, sip:<address> or +<number>)`, { adapterId: h.id });
  }
  const id = randomUUID();
  let created!: () => void;
  const leg: LegState = {
    id, callId, endpoint, sid: null, creating: new Promise<void>((resolve) => (created = resolve)),
    answered: false, bridged: false, cancelled: false, ended: false, held: null, keepAlive: null, heldWaiters: new Set(),
  };
  h.legs.set(id, leg);
  call.legs.add(id);
  // The Voice SDK shows `From`: the caller's number for a client; a number of the account for phones.
  const from = target.target.kind === 'client' && /^\+?[0-9]{3,16}$/.test(call.ani) ? call.ani : (h.opts.callerId ?? call.dnis);
  const form: Array<[string, string]> = [
    ['To', target.to],
    ['From', from],
    ['Url', h.url(`/agent?leg=${id}`)],
    ['Method', 'POST'],
    ['StatusCallback', h.url(`/leg-status?leg=${id}`)],
    ['StatusCallbackMethod', 'POST'],
    ...STATUS_EVENTS.map((e): [string, string] => ['StatusCallbackEvent', e]),
    ['Timeout', String(h.opts.ringTimeoutSec)],
  ];
  try {
    const r = await h.rest.createCall(form);
    leg.sid ??= r.sid || null;
    h.restSucceeded();
  } catch (err) {
    h.restFailed(err);
    leg.ended = true;
    h.legs.delete(id);
    call.legs.delete(id);
    if (call.ended) throw new AdapterError('CALL_GONE', `call ${callId} ended while ringing ${endpoint}`, { adapterId: h.id, cause: err });
    throw err;
  } finally {
    created();
  }
  // The caller hung up meanwhile: their end cancelled this leg (once it existed).
  if (call.ended) throw new AdapterError('CALL_GONE', `call ${callId} ended while ringing ${endpoint}`, { adapterId: h.id });
  if (!leg.ended) h.emit({ type: 'agent.ringing', callId, legId: id, endpoint });
  return { legId: id };
}

/** Twilio requested the leg's `Url`: the agent answered. Held open until bridge or cancel. */
export function agentAnswered(h: TwilioAdapter, p: Params, legId: string, res: Response): void {
  const leg = h.legs.get(legId);
  if (!leg || leg.ended || leg.cancelled || !h.calls.has(leg.callId)) {
    h.sendTwiml(res, [{ verb: 'Hangup' }]);
    if (leg && !leg.ended) endLeg(h, leg, 'system-hangup');
    return;
  }
  leg.sid ??= param(p, 'CallSid') || null;
  if (leg.held && leg.held !== res) h.sendTwiml(leg.held, [{ verb: 'Hangup' }]);
  leg.held = res;
  res.once('close', () => {
    if (leg.held === res && !res.writableEnded) {
      leg.held = null;
      h.log.warn({ adapter: h.id, legId }, 'Twilio stopped waiting for the agent leg\'s TwiML');
    }
  });
  if (leg.keepAlive) clearTimeout(leg.keepAlive);
  leg.keepAlive = setTimeout(() => {
    if (leg.held !== res) return;
    // Still not bridged: keep the agent on the line and have Twilio ask again.
    leg.held = null;
    h.sendTwiml(res, [{ verb: 'Pause', length: 1 }, { verb: 'Redirect', url: h.url(`/agent?leg=${legId}`) }]);
  }, AGENT_HOLD_MS);
  leg.keepAlive.unref();
  for (const w of [...leg.heldWaiters]) w();
  if (!leg.answered) {
    leg.answered = true;
    h.emit({ type: 'agent.answered', callId: leg.callId, legId });
  }
}

/** The leg's status callback. Only its end matters. */
export function legStatus(h: TwilioAdapter, p: Params, legId: string): void {
  const leg = h.legs.get(legId);
  if (!leg) return;
  leg.sid ??= param(p, 'CallSid') || null;
  const status = param(p, 'CallStatus');
  if (!isEnded(status) || leg.ended) return;
  if (leg.bridged) {
    // The agent hung up a connected call: the caller's Enqueue action follows and is answered <Hangup/>.
    dropLeg(h, leg);
    const call = h.calls.get(leg.callId);
    if (call && !call.ended) call.endRequest ??= 'agent';
    return;
  }
  endLeg(h, leg, leg.cancelled ? 'system-hangup' : legEndReason(status));
}

export async function cancelAgentLeg(h: TwilioAdapter, legId: string): Promise<void> {
  const leg = h.legs.get(legId);
  if (!leg || leg.ended || leg.cancelled) return;
  leg.cancelled = true;
  if (!leg.held) {
    await leg.creating;
    if (leg.ended) return;
    if (leg.sid) {
      try {
        await h.rest.endCall(leg.sid, leg.answered ? 'completed' : 'canceled');
        h.restSucceeded();
      } catch (err) {
        h.restFailed(err);
        if (leg.ended) return;
        leg.cancelled = false; // still ringing: a retry may cancel it
        throw err;
      }
    }
  }
  if (!leg.ended) endLeg(h, leg, 'system-hangup');
}

export async function bridge(h: TwilioAdapter, callId: string, legId: string): Promise<void> {
  const call = h.liveCall(callId);
  const leg = h.legs.get(legId);
  if (!leg || leg.ended || leg.callId !== callId) throw new AdapterError('CALL_GONE', `no agent leg ${legId} on call ${callId}`, { adapterId: h.id });
  if (!leg.answered) throw new AdapterError('PBX_REJECTED', `agent leg ${legId} has not answered`, { adapterId: h.id });
  if (leg.bridged) return;
  // The caller's next document puts them in their Twilio queue (if they are not there yet).
  call.wantQueue = true;
  const ready = await waitUntil(() => call.ended || leg.ended || (call.inQueue && leg.held !== null), [call.queueWaiters, leg.heldWaiters], Date.now() + BRIDGE_WAIT_MS);
  if (call.ended || leg.ended || leg.cancelled) throw new AdapterError('CALL_GONE', `call ${callId} or its agent leg ended before the bridge`, { adapterId: h.id });
  const res = leg.held;
  if (!ready || !res) {
    call.wantQueue = false;
    throw new AdapterError('PBX_TIMEOUT', `the caller did not reach the Twilio queue within ${BRIDGE_WAIT_MS} ms`, { adapterId: h.id });
  }
  leg.held = null;
  if (leg.keepAlive) clearTimeout(leg.keepAlive);
  h.sendTwiml(res, [{ verb: 'Dial', target: { kind: 'queue', value: queueName(call.sid) } }]);
  leg.bridged = true;
  call.bridgedLeg = legId;
  call.wantQueue = false;
  h.emit({ type: 'call.connected', callId, legId });
}

/** Forgets a leg without an event (a bridged leg's end is the call's end). */
function dropLeg(h: TwilioAdapter, leg: LegState): void {
  leg.ended = true;
  h.legs.delete(leg.id);
  h.calls.get(leg.callId)?.legs.delete(leg.id);
  if (leg.keepAlive) clearTimeout(leg.keepAlive);
  if (leg.held) h.sendTwiml(leg.held, [{ verb: 'Hangup' }]);
  leg.held = null;
  for (const w of [...leg.heldWaiters]) w();
}

/** The leg ended before a bridge: `agent.leg.ended`. */
export function endLeg(h: TwilioAdapter, leg: LegState, reason: EndReason): void {
  if (leg.ended) return;
  dropLeg(h, leg);
  h.emit({ type: 'agent.leg.ended', callId: leg.callId, legId: leg.id, reason });
}

/** The caller's call ended: its legs go too (after its `call.ended`). A ringing leg is cancelled at Twilio. */
export function endLegsOf(h: TwilioAdapter, call: CallerState, reason: EndReason): void {
  for (const legId of [...call.legs]) {
    const leg = h.legs.get(legId);
    if (!leg || leg.ended) continue;
    // Bridged: Twilio ends the agent's <Dial> with the caller. Answered and held: <Hangup/>.
    if (leg.bridged) {
      dropLeg(h, leg);
      continue;
    }
    if (leg.held) {
      endLeg(h, leg, reason);
      continue;
    }
    leg.cancelled = true;
    void leg.creating.then(async () => {
      if (!leg.sid) return;
      await h.rest.endCall(leg.sid, leg.answered ? 'completed' : 'canceled').then(
        () => h.restSucceeded(),
        (err: unknown) => h.restFailed(err),
      );
    });
    endLeg(h, leg, reason);
  }
}

/** Blind transfer: `<Dial><Number>` on the caller's next document (after `<Leave/>` if queued); the call then ends for Switchboard. */
export async function transfer(h: TwilioAdapter, callId: string, to: string): Promise<void> {
  const call = h.liveCall(callId);
  if (!/^\+[1-9][0-9]{6,14}$/.test(to)) {
    throw new AdapterError('INVALID_REQUEST', `not an E.164 number to transfer to: ${JSON.stringify(to)}`, { adapterId: h.id });
  }
  return new Promise<void>((resolve, reject) => {
    call.queue.push({ kind: 'transfer', to, sent: (err) => (err ? reject(err) : resolve()) });
  });
}
