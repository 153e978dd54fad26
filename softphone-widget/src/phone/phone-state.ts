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

export type PhoneCallState = 'ringing' | 'answering' | 'established' | 'ended';

export interface PhoneCall {
  /** SIP.js session id. */
  id: string;
  state: PhoneCallState;
  /** The caller's number or SIP user, as the INVITE's From header had it. */
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
  /** Why it ended (`ended` only): shown briefly. */
  endReason: 'local' | 'remote' | 'cancelled' | 'failed' | null;
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
  call: PhoneCall | null;
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
  aor: null,
  notifications: 'unsupported',
};

/** DTMF keys the keypad offers (RFC 4733 events 0-11). */
export const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
export type DtmfKey = (typeof DTMF_KEYS)[number];
