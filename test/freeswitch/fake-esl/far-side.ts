/**
 * The far side of the fake FreeSWITCH: a caller on the trunk whom the dialplan
 * parks for Switchboard, digits, hangups, and the agents' phones answering or
 * rejecting an originated leg. Each action produces the events FreeSWITCH sends.
 */
import type { FakeChannel, FakeSwitch } from './switch.js';

export class FarSide {
  constructor(private readonly sw: FakeSwitch) {}

  /**
   * A call arrives from the carrier; the dialplan sets `switchboard_app` (unless
   * told otherwise) and `playback_terminators=none`, then parks it: CHANNEL_CREATE,
   * CHANNEL_PARK. Returns the caller's channel id.
   */
  placeCall(from: string, to: string, opts: { callerName?: string; app?: string | null; answered?: boolean } = {}): string {
    const vars: Record<string, string> = { playback_terminators: 'none', sip_from_user: from, sip_to_user: to };
    if (opts.app !== null) vars.switchboard_app = opts.app ?? 'switchboard';
    const ch = this.sw.create({
      direction: 'inbound', name: `sofia/external/${from}@203.0.113.7`, cidNum: from, cidName: opts.callerName ?? '', dest: to, context: 'public', vars,
    });
    ch.state = 'CS_ROUTING';
    ch.callState = 'RINGING';
    if (opts.answered) this.sw.answer(ch);
    this.sw.park(ch);
    return ch.uuid;
  }

  /** RFC 2833 digits, one DTMF event each (DTMF-Duration in 8 kHz samples). No variables on DTMF events. */
  pressDigits(uuid: string, digits: string, durationMs = 120): void {
    const ch = this.live(uuid);
    for (const digit of digits) {
      this.sw.event('DTMF', ch, { 'DTMF-Digit': digit, 'DTMF-Duration': String(durationMs * 8), 'DTMF-Source': 'RTP' }, 'switch_channel_dequeue_dtmf');
    }
  }

  /** The party hangs up (a BYE: NORMAL_CLEARING unless told). */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): void {
    this.sw.hangup(this.live(uuid), cause);
  }

  /** The agent's phone picks up: CHANNEL_ANSWER, the originate job `+OK <uuid>`, then `&park()`: CHANNEL_PARK. */
  answerLeg(legId: string): void {
    const leg = this.live(legId);
    if (leg.answerState === 'answered') return;
    this.sw.answer(leg);
    const done = leg.originate;
    leg.originate = null;
    for (const t of leg.timers) clearTimeout(t);
    leg.timers.clear();
    done?.(`+OK ${leg.uuid}\n`);
    this.sw.park(leg);
  }

  /** The agent's phone rejects (603 Decline -> CALL_REJECTED; 486 -> USER_BUSY). */
  rejectLeg(legId: string, cause = 'CALL_REJECTED'): void {
    this.sw.hangup(this.live(legId), cause);
  }

  /** The channel disappears with no event reaching anyone (its events are still on their way). */
  vanish(uuid: string): void {
    const ch = this.live(uuid);
    for (const t of ch.timers) clearTimeout(t);
    this.sw.channels.delete(uuid);
  }

  live(uuid: string): FakeChannel {
    const ch = this.sw.channels.get(uuid);
    if (!ch) throw new Error(`fake FreeSWITCH: no channel ${uuid}`);
    return ch;
  }
}
