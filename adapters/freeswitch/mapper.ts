/**
 * The pure mapper: one FreeSWITCH event (as `event json` delivers it) plus a
 * read-only view of what the adapter knows -> the normalized events it means. No
 * I/O, no mutation; the adapter applies the result. Idempotence lives here: the
 * view says what was already emitted, so a duplicated or late event maps to nothing.
 *
 * Roles: a `call` is a caller's channel parked for Switchboard by the dialplan
 * (`set switchboard_app=<application>`, then `park`); a `leg` is a channel we
 * originated to an agent's phone (`originate {origination_uuid=...}<endpoint> &park()`).
 * Events of every other channel on the switch (FreeSWITCH sends a subscriber all of
 * them) map to nothing.
 */
import { DTMF_DIGITS, type EndReason, type PbxEvent } from '../events.js';
import type { EslEvent } from './esl/messages.js';
import { causeToEndReason } from './hangup-cause.js';

/** Why we asked for a call's end (our own uuid_kill or uuid_transfer), for the end reason. */
export type EndRequest = 'system' | 'agent' | 'transfer';

export type ChannelRole =
  | { role: 'call'; answered: boolean; ended: boolean; endRequest: EndRequest | null }
  | { role: 'leg'; callId: string; endpoint: string; answered: boolean; bridged: boolean; ended: boolean; cancelled: boolean };

/**
 * What the mapper may know of the adapter's state. It MUST already reflect every
 * normalized event the mapper returned for earlier raw events, and MUST NOT change
 * while one event is mapped.
 */
export interface MapperView {
  adapterId: string;
  /** The value of the channel variable `switchboard_app` that marks our calls. */
  application: string;
  channel(id: string): ChannelRole | undefined;
  /** A channel that ended already (kept a while, so late duplicates map to nothing). */
  isEnded(id: string): boolean;
}

/** The channel variable the dialplan sets on calls for Switchboard (`switchboard_app=switchboard`). */
export const APP_VARIABLE = 'switchboard_app';
/** The channel variable on legs we originate: the caller's call id. */
export const LEG_VARIABLE = 'switchboard_leg';

/**
 * The event's time: `Event-Date-Timestamp` is microseconds since the epoch
 * (switch_event_prep_for_delivery); `now` when it is missing or unreadable.
 */
export function eventTime(e: EslEvent, now: () => Date = () => new Date()): string {
  const us = e.get('Event-Date-Timestamp');
  if (us && /^\d{13,19}$/.test(us)) {
    const ms = Number(us.slice(0, -3));
    if (Number.isSafeInteger(ms)) return new Date(ms).toISOString();
  }
  return now().toISOString();
}

/**
 * DTMF duration in ms. `DTMF-Duration` is in samples of the 8 kHz RTP event clock
 * (switch_core_default_dtmf_duration is 2000 = 250 ms).
 */
export function dtmfDurationMs(samples: string | undefined): number | null {
  if (!samples || !/^\d+$/.test(samples)) return null;
  return Math.round(Number(samples) / 8);
}

/** Maps one event to the normalized events it means (often none). Pure. */
export function mapEslEvent(e: EslEvent, view: MapperView): PbxEvent[] {
  const id = e.uniqueId;
  if (!id) return [];
  const base = { adapterId: view.adapterId, at: eventTime(e) };
  const r = view.channel(id);
  switch (e.name) {
    case 'CHANNEL_PARK': {
      if (!r) {
        if (view.isEnded(id) || e.get('Call-Direction') !== 'inbound' || e.variable(APP_VARIABLE) !== view.application) return [];
        const started: PbxEvent = {
          ...base,
          type: 'call.started',
          callId: id,
          ani: e.get('Caller-Caller-ID-Number') ?? '',
          callerName: e.get('Caller-Caller-ID-Name') || null,
          dnis: e.get('Caller-Destination-Number') ?? '',
        };
        // The dialplan may answer before it parks.
        return e.get('Answer-State') === 'answered' ? [started, { ...base, type: 'call.answered', callId: id }] : [started];
      }
      // `&park()` runs once the originated leg answered: the agent picked up.
      if (r.role === 'leg' && !r.answered && !r.ended && !r.cancelled) return [{ ...base, type: 'agent.answered', callId: r.callId, legId: id }];
      return [];
    }
    case 'CHANNEL_ANSWER':
      if (r?.role === 'call' && !r.answered && !r.ended) return [{ ...base, type: 'call.answered', callId: id }];
      return [];
    case 'DTMF': {
      const digit = e.get('DTMF-Digit') ?? '';
      if (r?.role !== 'call' || r.ended || !DTMF_DIGITS.has(digit)) return [];
      return [{ ...base, type: 'call.dtmf', callId: id, digit, durationMs: dtmfDurationMs(e.get('DTMF-Duration')) }];
    }
    case 'CHANNEL_HANGUP':
    case 'CHANNEL_HANGUP_COMPLETE':
      return ended(id, e.get('Hangup-Cause') ?? null, r, base);
    case 'CHANNEL_HOLD':
    case 'CHANNEL_UNHOLD':
      // The agent's phone held or resumed its bridged leg (a desk phone's own Hold button).
      if (r?.role !== 'leg' || !r.bridged || r.ended) return [];
      return [{ ...base, type: 'agent.leg.held', callId: r.callId, legId: id, held: e.name === 'CHANNEL_HOLD' }];
    default:
      return [];
  }
}

/** A channel hung up (CHANNEL_HANGUP, then CHANNEL_HANGUP_COMPLETE: the first one counts). */
function ended(id: string, cause: string | null, r: ChannelRole | undefined, base: { adapterId: string; at: string }): PbxEvent[] {
  if (!r || r.ended) return [];
  if (r.role === 'call') return [{ ...base, type: 'call.ended', callId: id, reason: callEndReason(r.endRequest, cause) }];
  // A bridged leg's end is the call's end: the adapter hangs the caller up.
  if (r.bridged) return [];
  const reason: EndReason = r.cancelled ? 'system-hangup' : causeToEndReason(cause, 'agent');
  return [{ ...base, type: 'agent.leg.ended', callId: r.callId, legId: id, reason }];
}

export function callEndReason(request: EndRequest | null, cause: string | null): EndReason {
  if (request === 'transfer') return 'transferred';
  if (request === 'agent') return 'agent-hangup';
  if (request === 'system') return 'system-hangup';
  return causeToEndReason(cause, 'caller');
}
