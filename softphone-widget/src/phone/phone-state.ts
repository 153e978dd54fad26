/**
 * What the widget shows about its softphone. A plain value in the app state,
 * written by the phone controller (leader tab) or copied from the leader over
 * a BroadcastChannel (follower tabs). No SIP.js types here: views import this
 * file without pulling SIP.js in.
 */

/**
 * - `off`: not started (signed out, or desk-phone mode).
 * - `connecting`: opening the WebSocket or waiting for the first REGISTER answer.
 * - `registered`: the registrar accepted the last REGISTER on the current connection.
 * - `unreachable`: the WebSocket is down or the registrar refused or timed out;
 *   the widget retries with backoff and the connector offers no calls meanwhile.
 */
export type Registration = 'off' | 'connecting' | 'registered' | 'unreachable';

/** Why the phone is unreachable, for the banner. */
export type UnreachableReason = 'transport' | 'rejected' | 'timeout' | 'media-unsupported';

/** `dialing`: an outbound INVITE waits for the far end to answer. */
export type PhoneCallState = 'dialing' | 'ringing' | 'answering' | 'established' | 'ended';

/** A blind transfer (REFER) of the call in progress. */
export interface PhoneTransfer {
  /** The SIP URI the caller is sent to (the REFER's Refer-To). */
  target: string;
  /** `pending`: the REFER waits for its answer; `failed`: refused (the call stays up). */
  status: 'pending' | 'failed';
  /** The SIP status of a refusal, or null when no answer came (transport error, timeout). */
  statusCode: number | null;
}

export interface PhoneCall {
  /** SIP.js session id. */
  id: string;
  state: PhoneCallState;
  /** `in`: the phone rang; `out`: the agent dialed. */
  direction: 'in' | 'out';
  /** The caller's number or SIP user, as the INVITE's From header had it (the dialed number for `out`). */
  remoteNumber: string;
  remoteName: string | null;
  /** The connector call this SIP call belongs to, when known (its pop answers both). */
  linkedCallId: string | null;
  /** ISO times. */
  ringingSince: string;
  answeredAt: string | null;
  held: boolean;
  /** A re-INVITE for hold or resume is in flight. */
  holdPending: boolean;
  muted: boolean;
  /** Keys sent with SIP INFO during this call, in order. */
  dtmfSent: string;
  /** The blind transfer in progress or refused, if any. */
  transfer: PhoneTransfer | null;
  /** The label of the microphone the call sends (once established). */
  microphone: string | null;
  /** Why it ended (`ended` only): shown briefly. */
  endReason: 'local' | 'remote' | 'cancelled' | 'failed' | 'transferred' | null;
  /** The SIP status that ended an outbound call that never connected (486 Busy Here, 404 ...). */
  failStatus: number | null;
}

export interface PhoneState {
  /** `desk`: no SIP settings, the PBX rings a desk phone. */
  mode: 'desk' | 'softphone';
  /** `leader`: this tab holds the registration; `follower`: another tab does. */
  role: 'leader' | 'follower' | 'none';
  registration: Registration;
  reason: UnreachableReason | null;
  /** ISO time of the next automatic retry while unreachable. */
  retryAt: string | null;
  /** The focused call: the one the call card shows and the phone's buttons act on. */
  call: PhoneCall | null;
  /**
   * Call waiting: the other live calls (typically on hold, or ringing until
   * answered from their pop), oldest first. When the focused call ends, the
   * last of these takes the focus.
   */
  otherCalls: readonly PhoneCall[];
  /** The call that ended last (state `ended`, with its reason), for the embedding page. */
  lastEnded: PhoneCall | null;
  /** The agent's AOR, shown in the status. */
  aor: string | null;
  notifications: NotificationPermission | 'unsupported';
}

export const initialPhoneState: PhoneState = {
  mode: 'desk',
  role: 'none',
  registration: 'off',
  reason: null,
  retryAt: null,
  call: null,
  otherCalls: [],
  lastEnded: null,
  aor: null,
  notifications: 'unsupported',
};

/** DTMF keys the keypad offers (RFC 4733 events 0-11). */
export const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
export type DtmfKey = (typeof DTMF_KEYS)[number];
