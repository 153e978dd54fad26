/**
 * FreeSWITCH hangup causes -> normalized end reasons.
 *
 * Events carry the cause by name (`Hangup-Cause: NORMAL_CLEARING`), and `originate`
 * fails with it (`-ERR USER_BUSY`). The names are FreeSWITCH's "Hangup Cause Code
 * Table" (switch_channel.c CAUSE_CHART, switch_types.h SWITCH_CAUSE_*): the ITU-T
 * Q.850 causes under FreeSWITCH's names, plus FreeSWITCH's own above 127. A SIP
 * final response maps to them in mod_sofia (sofia_glue_sip_cause_to_freeswitch):
 * 486 -> USER_BUSY, 603 -> CALL_REJECTED, 480 -> NO_USER_RESPONSE, 408 ->
 * RECOVERY_ON_TIMER_EXPIRE, 404 -> UNALLOCATED_NUMBER, 503 -> NORMAL_TEMPORARY_FAILURE.
 */
import type { EndReason } from '../events.js';

/** Who the channel belongs to: a normal clearing is that party hanging up. */
export type Party = 'caller' | 'agent';

/** The party hung up (Q.850 16, 31; 0 when unknown). */
const NORMAL = new Set(['NORMAL_CLEARING', 'NORMAL_UNSPECIFIED', 'UNSPECIFIED', 'NONE', 'SUCCESS']);

/** Busy, or rejected at the phone (Q.850 17 USER_BUSY, 21 CALL_REJECTED). */
const BUSY = new Set(['USER_BUSY', 'CALL_REJECTED']);

/**
 * Nobody answered: Q.850 18 NO_USER_RESPONSE, 19 NO_ANSWER, 20 SUBSCRIBER_ABSENT,
 * 102 RECOVERY_ON_TIMER_EXPIRE, and FreeSWITCH's own LOSE_RACE (a phone that lost a
 * ring-all), ALLOTTED_TIMEOUT (originate timeout), PROGRESS_TIMEOUT, NO_PICKUP,
 * PICKED_OFF, USER_NOT_REGISTERED (a desk phone or softphone not registered now).
 */
const NO_ANSWER = new Set([
  'NO_USER_RESPONSE', 'NO_ANSWER', 'SUBSCRIBER_ABSENT', 'LOSE_RACE', 'RECOVERY_ON_TIMER_EXPIRE',
  'ALLOTTED_TIMEOUT', 'PROGRESS_TIMEOUT', 'NO_PICKUP', 'USER_NOT_REGISTERED', 'PICKED_OFF',
]);

/** Ended by a switch-side request (ours, or an operator's `uuid_kill`): ORIGINATOR_CANCEL (487), MANAGER_REQUEST, SYSTEM_SHUTDOWN. */
const SYSTEM = new Set(['ORIGINATOR_CANCEL', 'MANAGER_REQUEST', 'SYSTEM_SHUTDOWN']);

/** Handed elsewhere: BLIND_TRANSFER, ATTENDED_TRANSFER (FreeSWITCH's own, 800 and 801). */
const TRANSFER = new Set(['BLIND_TRANSFER', 'ATTENDED_TRANSFER', 'REDIRECTION_TO_NEW_DESTINATION']);

/**
 * Maps a hangup cause name to an end reason. Normal clearing (or no cause) is the
 * party hanging up; busy and rejected are `busy`; the no-answer family is
 * `no-answer`; switch-side requests are `system-hangup`; transfers `transferred`;
 * everything else (unallocated numbers, congestion, media timeouts, gateways down,
 * protocol errors) is `failed`. Unknown names are `failed` too.
 */
export function causeToEndReason(cause: string | null | undefined, party: Party): EndReason {
  const name = (cause ?? '').trim().toUpperCase();
  if (name === '' || NORMAL.has(name)) return party === 'caller' ? 'caller-hangup' : 'agent-hangup';
  if (BUSY.has(name)) return 'busy';
  if (NO_ANSWER.has(name)) return 'no-answer';
  if (SYSTEM.has(name)) return 'system-hangup';
  if (TRANSFER.has(name)) return 'transferred';
  return 'failed';
}

/** The cause in a failed originate's job output (`-ERR USER_BUSY`), or null. */
export function originateCause(jobOutput: string): string | null {
  const m = /^-ERR\s+([A-Z_]+)\s*$/.exec(jobOutput.trim());
  return m?.[1] ?? null;
}
