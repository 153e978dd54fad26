/**
 * The far side of the fake Asterisk: a caller on the trunk, the agents' phones
 * (answering or rejecting an originated leg), and app_queue ringing a desk phone
 * for observe mode. Each action produces the events a real Asterisk 22 sends.
 */
import type { FakeChannel, FakePbx } from './pbx.js';

export type PlaceCallResult = { channelId: string; declined: false } | { channelId: null; declined: true; sipStatus: 603 };

export class FarSide {
  constructor(private readonly pbx: FakePbx) {}

  /**
   * A call arrives on the trunk and the dialplan sends it to `Stasis(app)`. With no
   * application connected, Stasis fails and the caller gets 603 Decline: no event.
   */
  placeCall(from: string, to: string, opts: { app?: string; callerName?: string } = {}): PlaceCallResult {
    const app = opts.app ?? 'switchboard';
    const ch = this.pbx.createChannel({ endpoint: 'PJSIP/trunk', state: 'Ring', callerNumber: from, callerName: opts.callerName ?? '', exten: to, context: 'from-trunk' });
    if (!this.pbx.connectedApps.has(app)) {
      this.pbx.channels.delete(ch.snap.id);
      return { channelId: null, declined: true, sipStatus: 603 };
    }
    ch.snap.dialplan.priority = 2;
    this.pbx.enterStasis(ch, app, []);
    return { channelId: ch.snap.id, declined: false };
  }

  /** Digits end one by one (ChannelDtmfReceived is sent when a digit ends). */
  pressDigits(channelId: string, digits: string, durationMs = 120): void {
    const ch = this.live(channelId);
    for (const digit of digits) {
      this.pbx.emit('ChannelDtmfReceived', { digit, duration_ms: durationMs, channel: this.pbx.snap(ch) }, this.pbx.channelApps(ch));
      for (const r of [...this.pbx.recordings.values()]) {
        if (r.channelId === channelId && (r.terminateOn === 'any' || r.terminateOn === digit)) this.pbx.finishRecording(r.snap.name, 'done');
      }
    }
  }

  /** The caller (or any party) hangs up: a BYE, Q.850 cause 16 unless told. */
  hangup(channelId: string, cause = 16): void {
    this.pbx.hangup(this.live(channelId), cause);
  }

  /** The agent's phone picks up an originated leg: Up, Dial ANSWER, then it enters the application. */
  answerLeg(legId: string): void {
    const ch = this.live(legId);
    if (ch.snap.state === 'Up') return;
    for (const t of ch.timers) clearTimeout(t);
    this.pbx.setState(ch, 'Up');
    this.pbx.emit('Dial', { peer: this.pbx.snap(ch), dialstatus: 'ANSWER', dialstring: ch.endpoint.split('/')[1] ?? '' }, this.pbx.channelApps(ch));
    if (ch.originate) this.pbx.enterStasis(ch, ch.originate.app, ch.originate.args);
  }

  /** The agent's desk phone presses Hold (a re-INVITE with a=sendonly) or resumes: ChannelHold / ChannelUnhold. */
  holdLeg(legId: string, on: boolean): void {
    const ch = this.live(legId);
    this.pbx.emit(on ? 'ChannelHold' : 'ChannelUnhold', { channel: this.pbx.snap(ch) }, this.pbx.channelApps(ch));
  }

  /** The agent's phone rejects the leg (486 Busy -> cause 17, 603 Decline -> cause 21). */
  rejectLeg(legId: string, cause = 21): void {
    const ch = this.live(legId);
    this.pbx.emit('Dial', { peer: this.pbx.snap(ch), dialstatus: cause === 17 ? 'BUSY' : 'CHANUNAVAIL', dialstring: ch.endpoint.split('/')[1] ?? '' }, this.pbx.channelApps(ch));
    this.pbx.hangup(ch, cause);
  }

  // ---- observe mode: the dialplan queues the call and rings desk phones ----

  /** A call the dialplan keeps (app_queue), never sent to Stasis. */
  dialplanCall(from: string, to: string, callerName = ''): string {
    const ch = this.pbx.createChannel({ endpoint: 'PJSIP/trunk', state: 'Up', callerNumber: from, callerName, exten: to, context: 'from-trunk' });
    ch.snap.dialplan = { ...ch.snap.dialplan, priority: 3, app_name: 'Queue', app_data: 'support' };
    return ch.snap.id;
  }

  /** app_queue rings a member's phone; apps subscribed to that endpoint see it. */
  queueRings(callerId: string, endpoint: string): string {
    const caller = this.live(callerId);
    const peer = this.pbx.createChannel({
      endpoint,
      state: 'Down',
      callerNumber: caller.snap.caller.number,
      callerName: caller.snap.caller.name,
      connectedNumber: caller.snap.caller.number,
      exten: caller.snap.dialplan.exten,
      context: 'from-queue',
    });
    peer.snap.connected = { ...caller.snap.caller };
    const apps = this.pbx.channelApps(peer);
    this.pbx.emit('ChannelCreated', { channel: this.pbx.snap(peer) }, apps);
    const dial = (dialstatus: string): void =>
      this.pbx.emit('Dial', { caller: this.pbx.snap(caller), peer: this.pbx.snap(peer), dialstring: endpoint.split('/')[1] ?? '', dialstatus }, apps);
    dial('');
    this.pbx.setState(peer, 'Ringing');
    dial('RINGING');
    (peer as FakeChannel & { queueCaller?: string }).queueCaller = callerId;
    return peer.snap.id;
  }

  /** The member picks up the desk phone. */
  queueAnswered(peerId: string): void {
    const peer = this.live(peerId) as FakeChannel & { queueCaller?: string };
    const caller = peer.queueCaller ? this.pbx.channels.get(peer.queueCaller) : undefined;
    this.pbx.setState(peer, 'Up');
    this.pbx.emit(
      'Dial',
      { ...(caller ? { caller: this.pbx.snap(caller) } : {}), peer: this.pbx.snap(peer), dialstring: peer.endpoint.split('/')[1] ?? '', dialstatus: 'ANSWER' },
      this.pbx.channelApps(peer),
    );
  }

  live(id: string): FakeChannel {
    const ch = this.pbx.channels.get(id);
    if (!ch) throw new Error(`fake ARI: no channel ${id}`);
    return ch;
  }
}
