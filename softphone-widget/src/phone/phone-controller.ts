/**
 * The softphone's composition: tab leadership, the SIP user agent, the calls in
 * progress (several with call waiting: see call-set.ts), the ringer, and what
 * the connector and the other tabs are told.
 *
 * Only the leader tab registers. It publishes its PhoneState on a
 * BroadcastChannel so follower tabs show the same thing, and it alone reports
 * `phone.state.set` to the connector, which stops offering calls while the
 * phone is unreachable.
 */
import type { Invitation } from 'sip.js';
import type { PhoneSettings } from '../../../connector/protocol.js';
import type { CallSession } from './call-session.js';
import { CallSet, type CallsView } from './call-set.js';
import { DEVICES_KEY, applySink, callConstraints, loadDevicePrefs, microphoneStreams, saveDevicePref, type DeviceKind, type DevicePrefs } from './devices.js';
import { dialTarget } from './dial-target.js';
import { electLeader, type Leadership } from './leader.js';
import { initialPhoneState, type DtmfKey, type PhoneCall, type PhoneState } from './phone-state.js';
import { Ringer, notificationPermission, requestNotifications } from './ringer.js';
import { Softphone } from './softphone.js';

export interface PhoneHost {
  getPhone(): PhoneState;
  setPhone(patch: Partial<PhoneState>): void;
  /** Tells the connector whether this agent can be rung (leader tab only). */
  report(registered: boolean): void;
  /** The connector's call ids currently offered to this agent (to link a SIP INVITE to its pop). */
  offeredCallIds(): readonly string[];
  /** A SIP call that belongs to no pop rings: announce it (the pop announces its own). */
  announceIncoming(call: PhoneCall): void;
  /** Ringing texts for the desktop notification. */
  ringText(call: PhoneCall): { title: string; body: string };
  /** A call ended (with its reason): an outbound call that failed or a transfer is reported to the agent. */
  callEnded?(call: PhoneCall): void;
}

type ChannelMessage = { type: 'hello' } | { type: 'state'; state: PhoneState };

/** Why the phone could not place a call or a transfer (the widget says so; nothing fails silently). */
export type PhoneRefusal = 'invalid-number' | 'busy' | 'not-registered' | 'other-tab' | 'no-phone' | 'no-call';
export type PhoneResult = { ok: true } | { ok: false; reason: PhoneRefusal };

export class PhoneController {
  private settings: PhoneSettings | null = null;
  private key = '';
  private leadership: Leadership | null = null;
  private channel: BroadcastChannel | null = null;
  private phone: Softphone | null = null;
  private readonly ringer = new Ringer();
  private audio: HTMLAudioElement | null = null;
  private readonly calls = new CallSet({ audio: () => (this.audio ??= this.callAudio()), constraints: callConstraints }, (view, ended) => this.callsChanged(view, ended));
  private devices: DevicePrefs = loadDevicePrefs();

  constructor(private readonly host: PhoneHost) {
    // Another tab of this agent chose a device: the leader applies it too.
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (e) => {
        if (e.key === DEVICES_KEY) this.applyDevices(loadDevicePrefs());
      });
    }
  }

  /** The agent's device choices ('' = the system default). */
  get devicePrefs(): DevicePrefs {
    return this.devices;
  }

  /** Remembers a device choice and applies it at once (the microphone from the next call on). */
  setDevice(kind: DeviceKind, id: string): void {
    this.applyDevices(saveDevicePref(kind, id));
  }

  private applyDevices(prefs: DevicePrefs): void {
    this.devices = prefs;
    if (this.audio) void applySink(this.audio, prefs.speaker);
    this.ringer.setSink(prefs.ringer);
  }

  /** Applies the settings from a session snapshot (every reconnect): restarts only when they changed. */
  configure(settings: PhoneSettings | null, username: string): void {
    const key = settings ? `${username}\n${JSON.stringify(settings)}` : '';
    if (key === this.key) {
      if (this.leadership?.isLeader) this.host.report(this.host.getPhone().registration === 'registered');
      return;
    }
    this.stop();
    this.key = key;
    this.settings = settings;
    if (!settings) return this.host.setPhone({ ...initialPhoneState, notifications: notificationPermission() });
    this.host.setPhone({ ...initialPhoneState, mode: 'softphone', role: 'none', registration: 'connecting', aor: settings.aor, notifications: notificationPermission() });
    const name = `switchboard.phone.${username}`;
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(name);
    if (this.channel) this.channel.onmessage = (e: MessageEvent<ChannelMessage>) => this.received(e.data);
    this.leadership = electLeader(name, (leader) => (leader ? this.lead() : this.follow()));
    if (!this.leadership.isLeader) this.follow();
  }

  /** Signs out: the registration ends and the next tab (if any) takes over. */
  stop(): void {
    // Settings first: losing the leadership below must not turn this tab into a follower.
    this.settings = null;
    this.key = '';
    this.leadership?.close();
    this.leadership = null;
    this.channel?.close();
    this.channel = null;
    void this.stopPhone();
  }

  takeOver(): void {
    this.leadership?.takeOver();
  }

  /** The agent pressed "Retry now" on the unreachable banner. */
  retryNow(): void {
    this.phone?.retryNow();
  }

  async enableNotifications(): Promise<void> {
    this.set({ notifications: await requestNotifications() });
  }

  /** Answers the focused call (the others that talk are held first). */
  answer(): Promise<void> {
    return this.answerSession(this.calls.focused);
  }

  hangup(): Promise<void> {
    return this.hangupSession(this.calls.focused);
  }

  /**
   * The connector's call `callId` was answered in the widget: answer its SIP
   * leg, after putting every other call that talks on hold (call waiting).
   */
  linkedAnswer(callId: string): Promise<void> {
    return this.answerSession(this.calls.linked(callId));
  }

  /** The connector's call `callId` was hung up or declined: end its SIP leg, focused or not. */
  linkedHangup(callId: string): Promise<void> {
    return this.hangupSession(this.calls.linked(callId));
  }

  /**
   * The connector's call `callId` went on hold or came back (`call.held` /
   * `call.resumed`): do the same to its SIP leg. No re-INVITE when it already
   * is so; resuming focuses it and holds the others.
   */
  linkedHold(callId: string, on: boolean): Promise<void> {
    const session = this.calls.linked(callId);
    return session ? this.calls.hold(session, on) : Promise.resolve();
  }

  /** Holds or resumes the focused call (resuming holds the others first). */
  hold(on: boolean): Promise<void> {
    const session = this.calls.focused;
    return session ? this.calls.hold(session, on) : Promise.resolve();
  }

  mute(on: boolean): void {
    this.calls.focused?.mute(on);
  }

  dtmf(key: DtmfKey): Promise<void> {
    return this.calls.focused?.dtmf(key) ?? Promise.resolve();
  }

  private async answerSession(session: CallSession | null): Promise<void> {
    if (!session) return;
    this.quiet(session);
    await this.calls.answer(session);
  }

  private async hangupSession(session: CallSession | null): Promise<void> {
    if (!session) return;
    this.quiet(session);
    await session.hangup();
  }

  /** The agent acted on `session`: its ringing stops at once, unless another call rings too. */
  private quiet(session: CallSession): void {
    if (!this.calls.ringing(session)) this.ringer.stop();
  }

  /** Whether this tab can place a call now, and why not. */
  canDial(): PhoneResult {
    const p = this.host.getPhone();
    if (p.mode !== 'softphone' || !this.settings) return { ok: false, reason: 'no-phone' };
    if (p.role !== 'leader' || !this.phone) return { ok: false, reason: 'other-tab' };
    if (this.calls.size > 0) return { ok: false, reason: 'busy' };
    if (p.registration !== 'registered') return { ok: false, reason: 'not-registered' };
    return { ok: true };
  }

  /** Calls `input` (a number, a `tel:` URI, an extension or a SIP URI) from the softphone. */
  async dial(input: string): Promise<PhoneResult> {
    const can = this.canDial();
    if (!can.ok) return can;
    const uri = this.target(input);
    const phone = this.phone;
    if (!uri || !phone) return { ok: false, reason: 'invalid-number' };
    await this.calls.outgoing(phone.inviter(uri), uri).dial();
    return { ok: true };
  }

  /** Blind transfer of the call in progress to `input` (REFER); on success this leg hangs up. */
  async transfer(input: string): Promise<PhoneResult> {
    const session = this.calls.focused;
    if (!session || session.call.state !== 'established') return { ok: false, reason: 'no-call' };
    const uri = this.target(input);
    if (!uri) return { ok: false, reason: 'invalid-number' };
    await session.transfer(uri);
    return { ok: true };
  }

  clearTransfer(): void {
    this.calls.focused?.clearTransfer();
  }

  private target(input: string) {
    const aor = this.settings?.aor;
    const s = aor ? dialTarget(input, aor) : null;
    return s ? Softphone.uri(s) : null;
  }

  /** The hidden element calls play on, routed to the chosen speaker. */
  private callAudio(): HTMLAudioElement {
    const el = document.body.appendChild(Object.assign(document.createElement('audio'), { autoplay: true, hidden: true }));
    el.dataset['audio'] = 'call';
    void applySink(el, this.devices.speaker);
    return el;
  }

  // ---- leader ----------------------------------------------------------

  private lead(): void {
    const settings = this.settings;
    if (!settings) return;
    this.set({ role: 'leader', registration: 'connecting', reason: null, retryAt: null, call: null, otherCalls: [] });
    this.host.report(false);
    if (!window.isSecureContext || !navigator.mediaDevices) {
      // getUserMedia needs a secure context: registering would only take calls that cannot be answered.
      this.set({ registration: 'unreachable', reason: 'media-unsupported' });
      return;
    }
    this.audio ??= this.callAudio();
    // Events of a phone this tab already stopped (it lost the leadership) are ignored.
    const phone: Softphone = new Softphone(settings, {
      registration: (registration, reason) => {
        if (this.phone !== phone) return;
        this.set({ registration, reason, ...(registration === 'registered' ? { retryAt: null } : {}) });
        this.host.report(registration === 'registered');
      },
      retryScheduled: (at) => {
        if (this.phone === phone) this.set({ retryAt: at === null ? null : new Date(at).toISOString() });
      },
      invite: (invitation) => {
        if (this.phone === phone) this.invited(invitation);
        else void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      },
      reconnected: () => this.calls.refresh(),
    }, microphoneStreams(() => this.devices.microphone));
    this.phone = phone;
    phone.start();
  }

  private follow(): void {
    void this.stopPhone();
    if (!this.settings) return;
    this.host.report(false);
    this.set({ role: 'follower', registration: 'off', reason: null, retryAt: null, call: null, otherCalls: [] });
    this.post({ type: 'hello' });
  }

  private async stopPhone(): Promise<void> {
    this.ringer.stop();
    await Promise.all(this.calls.clear().map((s) => s.hangup()));
    const phone = this.phone;
    this.phone = null;
    await phone?.stop();
  }

  /** An INVITE: it rings, or (a call in progress and no pop to link it to) is refused with 486 in CallSet. */
  private invited(invitation: Invitation): void {
    const session = this.calls.incoming(invitation, this.host.offeredCallIds());
    if (!session) return;
    // Over a call in progress too: the agent hears the call waiting on the ringer device.
    const { title, body } = this.host.ringText(session.call);
    this.ringer.start(title, body, this.devices.ringer);
    if (!session.call.linkedCallId) this.host.announceIncoming(session.call);
  }

  private callsChanged(view: CallsView, ended: PhoneCall | null): void {
    if (!this.calls.ringing()) this.ringer.stop();
    if (ended) this.host.callEnded?.(ended);
    this.set(ended ? { ...view, lastEnded: ended } : { ...view });
  }

  // ---- state and the other tabs ----------------------------------------------

  private set(patch: Partial<PhoneState>): void {
    this.host.setPhone(patch);
    if (this.leadership?.isLeader) this.post({ type: 'state', state: this.host.getPhone() });
  }

  private post(message: ChannelMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // The channel closed meanwhile (sign-out).
    }
  }

  private received(message: ChannelMessage): void {
    if (message.type === 'hello' && this.leadership?.isLeader) this.post({ type: 'state', state: this.host.getPhone() });
    if (message.type === 'state' && !this.leadership?.isLeader && this.settings) {
      const s = message.state;
      // A follower mirrors the leader's phone, read-only, with its own role and notification permission.
      // `?? []`: a leader tab still running an older build sends no `otherCalls`.
      this.host.setPhone({ registration: s.registration, reason: s.reason, retryAt: s.retryAt, call: s.call, otherCalls: s.otherCalls ?? [], role: 'follower' });
    }
  }
}
