/**
 * Normalized PBX events: the one vocabulary every adapter maps its wire events
 * into (ARI `StasisStart` -> `call.started`, ESL `CHANNEL_HANGUP` -> `call.ended`,
 * ...). Lowercase, dot-namespaced, past tense.
 */

/** Why a call ended, normalized across PBXs (ARI hangup causes, SIP codes, ESL causes). */
export type EndReason =
  | 'caller-hangup'
  | 'agent-hangup'
  | 'system-hangup'
  | 'no-answer'
  | 'busy'
  /** The caller was handed to another number (blind transfer). */
  | 'transferred'
  | 'failed';

interface Base {
  /** The adapter that saw the event. */
  adapterId: string;
  callId: string;
  /** ISO time the PBX reported the event (or we received it). */
  at: string;
}

export interface CallStarted extends Base {
  type: 'call.started';
  /** Calling number as the PBX sent it, verbatim. */
  ani: string;
  callerName: string | null;
  /** Dialed number / extension. */
  dnis: string;
  /**
   * STIR/SHAKEN attestation of `ani` (RFC 8588 `attest`: A full, B partial, C
   * gateway), when the PBX verified an Identity header. Absent: not known.
   */
  attestation?: 'A' | 'B' | 'C';
}

export interface CallAnswered extends Base {
  type: 'call.answered';
}

export interface CallDtmf extends Base {
  type: 'call.dtmf';
  /** One of 0-9 * # A-D. */
  digit: string;
  durationMs: number | null;
}

export interface AgentRinging extends Base {
  type: 'agent.ringing';
  legId: string;
  endpoint: string;
}

export interface AgentAnswered extends Base {
  type: 'agent.answered';
  legId: string;
}

/** The agent leg ended before being bridged (rejected, failed, cancelled). */
export interface AgentLegEnded extends Base {
  type: 'agent.leg.ended';
  legId: string;
  reason: EndReason;
}

/**
 * The agent's phone put its bridged leg on hold (its own Hold button: a re-INVITE
 * with a=sendonly or inactive), or took it off hold. Optional: adapters that see it
 * (ARI ChannelHold / ChannelUnhold, ESL CHANNEL_HOLD / CHANNEL_UNHOLD) emit it, so a
 * swap made on a desk phone reaches the widget and the caller hears music.
 */
export interface AgentLegHeld extends Base {
  type: 'agent.leg.held';
  legId: string;
  held: boolean;
}

export interface CallConnected extends Base {
  type: 'call.connected';
  legId: string;
}

export interface CallEnded extends Base {
  type: 'call.ended';
  reason: EndReason;
}

/**
 * Observe mode: a phone the adapter watches is ringing with a call the PBX routes
 * by itself (its dialplan queues the call, e.g. app_queue). Nothing is controlled:
 * `callId` is the caller's channel, `legId` the watched phone's. An adapter MUST
 * emit it at most once per `legId` and MUST NOT emit it for legs it rang itself.
 */
export interface ObservedRinging extends Base {
  type: 'observed.ringing';
  legId: string;
  /** The watched endpoint, as configured (e.g. `PJSIP/alice`). */
  endpoint: string;
  /** Calling number, verbatim. */
  ani: string;
  callerName: string | null;
  dnis: string;
}

/** Observe mode: the watched phone answered. At most once per `legId`. */
export interface ObservedAnswered extends Base {
  type: 'observed.answered';
  legId: string;
  endpoint: string;
}

/** Observe mode: the watched phone's leg ended (answered or not). At most once per `legId`. */
export interface ObservedEnded extends Base {
  type: 'observed.ended';
  legId: string;
  endpoint: string;
  reason: EndReason;
}

export type PbxEvent =
  | CallStarted
  | CallAnswered
  | CallDtmf
  | AgentRinging
  | AgentAnswered
  | AgentLegEnded
  | AgentLegHeld
  | CallConnected
  | CallEnded
  | ObservedRinging
  | ObservedAnswered
  | ObservedEnded;

export type PbxEventType = PbxEvent['type'];

/** DTMF digits as RFC 4733 section 3.2 names them (events 0-15). */
export const DTMF_DIGITS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D']);
