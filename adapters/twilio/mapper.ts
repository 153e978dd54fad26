/**
 * Pure mappings between Twilio's webhook parameters and the normalized vocabulary.
 * Parameter names and values from Twilio's "TwiML Voice: Your Response" request
 * parameters, the `<Gather>`, `<Enqueue>` action parameters and the Calls resource
 * `Status` values (queued, ringing, in-progress, completed, busy, failed, no-answer,
 * canceled).
 */
import { DTMF_DIGITS, type EndReason } from '../events.js';
import type { DialTarget } from './twiml.js';

export type Params = ReadonlyMap<string, readonly string[]>;

/** The first value of a parameter, or `''`. */
export function param(p: Params, name: string): string {
  return p.get(name)?.[0] ?? '';
}

/** A Call SID: `CA` + 32 hex digits. */
export const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/** An inbound call's identity from the voice webhook: `From` and `To` verbatim, `CallerName` when looked up. */
export function callerOf(p: Params): { ani: string; dnis: string; callerName: string | null } {
  return { ani: param(p, 'From') || param(p, 'Caller'), dnis: param(p, 'To') || param(p, 'Called'), callerName: param(p, 'CallerName') || null };
}

/**
 * The keys a `<Gather>` reported, in order: `Digits` (every key, as `finishOnKey`
 * is `''`), then `FinishedOnKey` if Twilio sent one. Anything that is not a DTMF
 * digit is dropped (the parameter is signed, but a digit is a digit).
 */
export function keysOf(p: Params): string[] {
  const keys = [...param(p, 'Digits'), ...param(p, 'FinishedOnKey')];
  return keys.filter((k) => DTMF_DIGITS.has(k));
}

export const ENDED_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** Whether a `CallStatus` means the call is over. */
export function isEnded(status: string): boolean {
  return ENDED_STATUSES.has(status);
}

/** Why the caller's call ended: what we asked for, or else its final `CallStatus`. */
export function callerEndReason(status: string, requested: 'system' | 'agent' | 'transfer' | null): EndReason {
  if (requested === 'system') return 'system-hangup';
  if (requested === 'agent') return 'agent-hangup';
  if (requested === 'transfer') return 'transferred';
  // An inbound call that is completed or canceled was ended by the caller (Twilio does not say who hung up).
  return status === 'failed' ? 'failed' : 'caller-hangup';
}

/** Why an agent leg ended before a bridge, from its final `CallStatus`. */
export function legEndReason(status: string): EndReason {
  switch (status) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no-answer';
    case 'canceled':
      return 'system-hangup';
    case 'completed':
      // Answered, then hung up before being bridged.
      return 'agent-hangup';
    default:
      return 'failed';
  }
}

/** A Twilio Client identity (the Voice SDK's `identity`): letters, digits and `_-.@/`, at most 121. */
const IDENTITY = /^[A-Za-z0-9_\-.@/]{1,121}$/;

/**
 * An agent's endpoint -> the Calls resource `To` and the matching `<Dial>` noun:
 * `client:alice` (the Twilio Voice SDK), `sip:alice@pbx.example` (a SIP phone),
 * `+14155550111` (a phone number, E.164), or a bare identity `alice` (= `client:alice`).
 */
export function agentTarget(endpoint: string): { to: string; target: DialTarget } | null {
  const e = endpoint.trim();
  if (/^\+[1-9][0-9]{6,14}$/.test(e)) return { to: e, target: { kind: 'number', value: e } };
  if (/^sips?:[^\s<>"]+@[^\s<>"]+$/i.test(e)) return { to: e, target: { kind: 'sip', value: e } };
  const identity = /^client:/i.test(e) ? e.slice('client:'.length) : e;
  if (IDENTITY.test(identity)) return { to: `client:${identity}`, target: { kind: 'client', value: identity } };
  return null;
}

/** The queue name a caller waits in: one per call, so an agent's `<Dial><Queue>` takes exactly that caller. */
export function queueName(callSid: string): string {
  return `sb-${callSid}`.slice(0, 64);
}
