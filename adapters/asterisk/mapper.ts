/**
 * The pure mapper: one raw ARI event (events.json) plus a read-only view of what
 * the adapter knows -> the normalized events it means. No I/O, no mutation; the
 * adapter applies the result. Idempotence lives here: the view says what was
 * already emitted (a call answered, a channel ended), so a duplicated or late
 * event maps to nothing.
 *
 * Roles: a `call` is a caller's channel in our application (or the customer's leg
 * of a click-to-dial); a `leg` is a channel we originated to an agent's phone; an
 * `observed` leg is a watched desk phone ringing with a call the dialplan routes.
 */
import { DTMF_DIGITS, type EndReason, type PbxEvent } from '../events.js';
import type { Channel, Dial } from './ari/types.gen.js';
import type { AriEvent } from './ari/types.gen.js';
import { causeToEndReason } from './hangup-cause.js';

/** Why we asked for a call's end (our own DELETE or continue), for the end reason. */
export type EndRequest = 'system' | 'agent' | 'transfer';

export type ChannelRole =
  | { role: 'call'; answered: boolean; ended: boolean; endRequest: EndRequest | null; cause: number | null; outbound: boolean }
  | { role: 'leg'; callId: string; endpoint: string; answered: boolean; bridged: boolean; ended: boolean; cancelled: boolean; cause: number | null }
  | { role: 'observed'; callId: string; endpoint: string; answered: boolean; ended: boolean };

/**
 * What the mapper may know about the adapter's state. It MUST already reflect
 * every normalized event the mapper returned for earlier raw events (that is what
 * makes a duplicate map to nothing), and MUST NOT change while one event is mapped.
 */
export interface MapperView {
  adapterId: string;
  /** What the adapter knows about a channel id. */
  channel(id: string): ChannelRole | undefined;
  /** A channel that ended already (kept a while, so late duplicates map to nothing). */
  isEnded(id: string): boolean;
  /** The watched endpoint a channel belongs to (observe mode), from its name `PJSIP/alice-0000001a`. */
  watchedEndpoint(channelName: string): string | undefined;
}

/** appArgs marking the channels we originate (their StasisStart is not a new call). */
export const LEG_ARG = 'switchboard-leg';

/** ARI timestamps (`2025-05-01T10:00:00.123+0000`) -> ISO 8601 in UTC. */
const UTC_ARI = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

export function isoTime(ariTimestamp: string | undefined, now: () => Date = () => new Date()): string {
  // The usual case (a server on UTC) needs no date arithmetic.
  if (ariTimestamp && UTC_ARI.test(ariTimestamp)) return `${ariTimestamp.slice(0, -5)}Z`;
  if (ariTimestamp) {
    const t = Date.parse(ariTimestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return now().toISOString();
}

type Out = PbxEvent[];

/**
 * Maps one raw ARI event to the normalized events it means (often none). Pure: the
 * same event and view always give the same result, and nothing is changed.
 */
export function mapAriEvent(e: AriEvent, view: MapperView): Out {
  const at = isoTime(e.timestamp);
  const base = { adapterId: view.adapterId, at };
  switch (e.type) {
    case 'StasisStart':
      return stasisStart(e.channel, e.args, view, base);
    case 'ChannelStateChange': {
      const r = view.channel(e.channel.id);
      if (e.channel.state !== 'Up' || !r || r.ended) return [];
      if (r.role === 'call' && !r.answered) return [{ ...base, type: 'call.answered', callId: e.channel.id }];
      if (r.role === 'observed' && !r.answered) return [{ ...base, type: 'observed.answered', callId: r.callId, legId: e.channel.id, endpoint: r.endpoint }];
      // A leg that is Up is not in Stasis yet: agent.answered waits for its StasisStart,
      // or a bridge would race the channel into the application (422 from addChannel).
      return [];
    }
    case 'ChannelDtmfReceived': {
      const r = view.channel(e.channel.id);
      if (r?.role !== 'call' || r.ended || !DTMF_DIGITS.has(e.digit)) return [];
      return [{ ...base, type: 'call.dtmf', callId: e.channel.id, digit: e.digit, durationMs: Number.isFinite(e.duration_ms) ? e.duration_ms : null }];
    }
    case 'StasisEnd':
      return ended(e.channel.id, null, view, base, false);
    case 'ChannelDestroyed':
      return ended(e.channel.id, e.cause, view, base, true);
    case 'Dial':
      return dial(e, view, base);
    case 'ChannelHold':
    case 'ChannelUnhold': {
      // The agent's phone held or resumed its leg (a desk phone's own Hold button).
      const r = view.channel(e.channel.id);
      if (r?.role !== 'leg' || !r.bridged || r.ended) return [];
      return [{ ...base, type: 'agent.leg.held', callId: r.callId, legId: e.channel.id, held: e.type === 'ChannelHold' }];
    }
    default:
      return [];
  }
}

function stasisStart(channel: Channel, args: string[], view: MapperView, base: { adapterId: string; at: string }): Out {
  const r = view.channel(channel.id);
  if (!r) {
    if (view.isEnded(channel.id) || args[0] === LEG_ARG) return [];
    return [{ ...base, type: 'call.started', callId: channel.id, ani: channel.caller.number, callerName: channel.caller.name || null, dnis: channel.dialplan.exten }];
  }
  if (r.ended) return [];
  if (r.role === 'leg' && !r.answered) return [{ ...base, type: 'agent.answered', callId: r.callId, legId: channel.id }];
  if (r.role === 'call' && r.outbound && !r.answered) return [{ ...base, type: 'call.answered', callId: channel.id }];
  return [];
}

/**
 * A channel left the application (StasisEnd) or was destroyed. The first of the
 * two ends it; StasisEnd has no cause, so the cause of an earlier
 * ChannelHangupRequest (in the view) or normal clearing stands in.
 */
function ended(id: string, cause: number | null, view: MapperView, base: { adapterId: string; at: string }, destroyed: boolean): Out {
  const r = view.channel(id);
  if (!r || r.ended) return [];
  const c = cause ?? ('cause' in r ? r.cause : null);
  if (r.role === 'call') return [{ ...base, type: 'call.ended', callId: id, reason: callEndReason(r.endRequest, c) }];
  if (r.role === 'leg') {
    // A bridged leg's end is the call's end (the adapter hangs the caller up); an
    // unanswered leg that left Stasis cannot happen (it was never in it).
    if (r.bridged || (!destroyed && !r.answered)) return [];
    const reason: EndReason = r.cancelled ? 'system-hangup' : causeToEndReason(c, 'agent');
    return [{ ...base, type: 'agent.leg.ended', callId: r.callId, legId: id, reason }];
  }
  if (!destroyed) return []; // observed legs are never in our application
  return [{ ...base, type: 'observed.ended', callId: r.callId, legId: id, endpoint: r.endpoint, reason: causeToEndReason(c, 'agent') }];
}

export function callEndReason(request: EndRequest | null, cause: number | null): EndReason {
  if (request === 'transfer') return 'transferred';
  if (request === 'agent') return 'agent-hangup';
  if (request === 'system') return 'system-hangup';
  return causeToEndReason(cause, 'caller');
}

/** Observe mode: app_queue (or Dial) ringing a watched phone. */
function dial(e: Dial, view: MapperView, base: { adapterId: string; at: string }): Out {
  const peer = e.peer;
  const r = view.channel(peer.id);
  if (r && r.role !== 'observed') return []; // our own legs are not observed
  if (!r) {
    const endpoint = view.watchedEndpoint(peer.name);
    if (!endpoint || view.isEnded(peer.id) || !['', 'RINGING', 'PROGRESS'].includes(e.dialstatus)) return [];
    const caller = e.caller;
    return [
      {
        ...base,
        type: 'observed.ringing',
        callId: caller?.id ?? peer.id,
        legId: peer.id,
        endpoint,
        ani: caller?.caller.number ?? peer.connected.number,
        callerName: (caller?.caller.name ?? peer.connected.name) || null,
        dnis: caller?.dialplan.exten ?? peer.dialplan.exten,
      },
    ];
  }
  if (e.dialstatus === 'ANSWER' && !r.answered && !r.ended) return [{ ...base, type: 'observed.answered', callId: r.callId, legId: peer.id, endpoint: r.endpoint }];
  return [];
}
