/**
 * ARI hangup causes -> normalized end reasons.
 *
 * `ChannelDestroyed.cause` and `ChannelHangupRequest.cause` (events.json) are
 * Asterisk hangup causes: the ITU-T Q.850 cause values, as Asterisk defines them
 * in include/asterisk/causes.h (AST_CAUSE_*). A SIP final response reaches them
 * through chan_pjsip.c `hangup_sip2cause()`: 486 Busy Here -> 17, 600 -> 17,
 * 603 Decline -> 21, 480 -> 19, 408 -> 18, 404 -> 1, 503 -> 34, 500 -> 38.
 */
import type { EndReason } from '../events.js';

/** Q.850 cause values used below (include/asterisk/causes.h). */
export const Q850 = {
  NOT_DEFINED: 0,
  UNALLOCATED: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  ANSWERED_ELSEWHERE: 26,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  BEARERCAPABILITY_NOTAVAIL: 58,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  INTERWORKING: 127,
} as const;

/** Who the channel belongs to: a normal clearing is that party hanging up. */
export type Party = 'caller' | 'agent';

/**
 * Maps a Q.850 cause to an end reason. Normal clearing (16, 31, or no cause) is
 * the party hanging up; busy (17) and a rejection (21: 603 Decline, a phone's
 * reject button) are `busy`; no answer (18, 19, 20, and 26 "answered elsewhere"
 * for a phone that lost a ring-all) is `no-answer`; everything else (unallocated
 * numbers, congestion, network and interworking failures) is `failed`.
 */
export function causeToEndReason(cause: number | null | undefined, party: Party): EndReason {
  switch (cause ?? Q850.NOT_DEFINED) {
    case Q850.NOT_DEFINED:
    case Q850.NORMAL_CLEARING:
    case Q850.NORMAL_UNSPECIFIED:
      return party === 'caller' ? 'caller-hangup' : 'agent-hangup';
    case Q850.USER_BUSY:
    case Q850.CALL_REJECTED:
      return 'busy';
    case Q850.NO_USER_RESPONSE:
    case Q850.NO_ANSWER:
    case Q850.SUBSCRIBER_ABSENT:
    case Q850.ANSWERED_ELSEWHERE:
      return 'no-answer';
    default:
      return 'failed';
  }
}
