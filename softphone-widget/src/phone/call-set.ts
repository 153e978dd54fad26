/**
 * The softphone's live SIP sessions. With call waiting (an agent whose
 * `maxCalls` is above 1) a second call may ring while the agent is on a first.
 *
 * One session is focused: the call card shows it and the phone's buttons act
 * on it. The others are typically on hold, or ringing until the agent answers
 * them from their pop. The agent talks to one caller at a time: answering or
 * resuming a session first holds every other one that still talks, and only
 * the focused, un-held session plays on the one shared audio element, so a
 * held caller is never heard.
 *
 * No ringer and no connector here: the controller hears every change through
 * `onChange` and does those.
 */
import type { Invitation, Inviter, URI } from 'sip.js';
import { CALL_ID_HEADER, CallSession, type CallMedia } from './call-session.js';
import type { PhoneCall } from './phone-state.js';

/** The element remote audio plays on: an HTMLAudioElement, typed structurally so tests can fake it. */
export interface CallAudio {
  srcObject: MediaProvider | null;
  play(): Promise<void>;
}

export interface CallSetMedia extends CallMedia {
  /** The one element every session's remote audio shares (its output device already chosen). */
  audio(): CallAudio;
}

/** What the phone state shows of the sessions (PhoneState's `call` and `otherCalls`). */
export interface CallsView {
  /** The focused call, or null when there is no session. */
  call: PhoneCall | null;
  /** The other live sessions, oldest first. */
  otherCalls: readonly PhoneCall[];
}

/** Whether a new INVITE may ring, and the connector call (pop) it belongs to. */
export type IncomingLink = { accept: true; callId: string | null } | { accept: false };

/**
 * Links a new INVITE to a connector call.
 *
 * - The PBX MAY name the call in `X-Switchboard-Call-Id` (`header`): that
 *   link wins, unless a live session already has it (a duplicate INVITE).
 * - With no live session (`busy` false), the phone rings as it always did,
 *   linked when exactly one call is offered.
 * - With live sessions (call waiting), the INVITE rings only when exactly one
 *   offered call is not yet linked to a session (`linked`): that is the call
 *   waiting for this agent. Anything else (an unknown caller, an ambiguous
 *   offer) would ring over a call with no pop to answer it from: it is
 *   refused (486 Busy Here, as a one-call phone always did).
 */
export function linkIncoming(offered: readonly string[], linked: ReadonlySet<string>, header: string | null, busy: boolean): IncomingLink {
  if (header) return linked.has(header) ? { accept: false } : { accept: true, callId: header };
  if (!busy) return { accept: true, callId: offered.length === 1 ? (offered[0] ?? null) : null };
  const free = [...new Set(offered)].filter((id) => !linked.has(id));
  return free.length === 1 && free[0] ? { accept: true, callId: free[0] } : { accept: false };
}

export class CallSet {
  /** Live sessions, oldest first. A session leaves the set when it ends. */
  private sessions: CallSession[] = [];
  private current: CallSession | null = null;
  /** A stream is on the audio element (so a follower tab that never had a call never creates one). */
  private attached = false;

  constructor(
    private readonly media: CallSetMedia,
    /** Every change of a session or of the focus; `ended` is the session that just ended, if one did. */
    private readonly onChange: (view: CallsView, ended: PhoneCall | null) => void,
  ) {}

  /** The session the buttons act on. */
  get focused(): CallSession | null {
    return this.current;
  }

  /** The number of live sessions. */
  get size(): number {
    return this.sessions.length;
  }

  view(): CallsView {
    return { call: this.current?.call ?? null, otherCalls: this.sessions.filter((s) => s !== this.current).map((s) => s.call) };
  }

  /** The live session of connector call `callId`. */
  linked(callId: string): CallSession | null {
    return this.sessions.find((s) => s.call.linkedCallId === callId) ?? null;
  }

  /** True when a session other than `except` is ringing (the ringer must go on). */
  ringing(except?: CallSession): boolean {
    return this.sessions.some((s) => s !== except && s.call.state === 'ringing');
  }

  /** A new INVITE: a ringing session, or null when it was refused with 486 Busy Here. */
  incoming(invitation: Invitation, offered: readonly string[]): CallSession | null {
    const linked = new Set(this.sessions.flatMap((s) => (s.call.linkedCallId ? [s.call.linkedCallId] : [])));
    const link = linkIncoming(offered, linked, header(invitation), this.sessions.length > 0);
    if (!link.accept) {
      void invitation.reject({ statusCode: 486, reasonPhrase: 'Busy Here' }).catch(() => undefined);
      return null;
    }
    const session: CallSession = CallSession.incoming(invitation, this.media, (call) => this.changed(session, call), link.callId);
    this.add(session);
    return session;
  }

  /** An outgoing call (the caller checked that no session is live); `dial()` on it sends the INVITE. */
  outgoing(inviter: Inviter, target: URI): CallSession {
    const session: CallSession = CallSession.outgoing(inviter, target, this.media, (call) => this.changed(session, call));
    this.add(session);
    return session;
  }

  /** Answers a ringing session after holding the others that talk; it becomes the focused call. */
  async answer(session: CallSession): Promise<void> {
    if (!this.sessions.includes(session) || session.call.state !== 'ringing') return;
    this.focus(session);
    await this.holdOthers(session);
    await session.answer();
  }

  /**
   * Holds or resumes `session` (no re-INVITE when it already is so). Resuming
   * makes it the focused call and first holds the others, so the agent never
   * talks to two callers at once, whichever order the connector reports a swap in.
   */
  async hold(session: CallSession, on: boolean): Promise<void> {
    if (!this.sessions.includes(session)) return;
    // Now, before any await: a later request for this session wins over this one.
    session.wish(on);
    if (!on) {
      this.focus(session);
      await this.holdOthers(session);
    }
    await session.hold(session.wantsHeld);
  }

  /** After the WebSocket came back: every session re-INVITEs on the new connection (a held one stays held). */
  refresh(): void {
    for (const s of this.sessions) void s.refresh();
  }

  /**
   * Forgets every session without publishing (the phone stops) and returns
   * them for hanging up; their later changes are ignored.
   */
  clear(): CallSession[] {
    const all = this.sessions;
    this.sessions = [];
    this.current = null;
    this.route();
    return all;
  }

  private add(session: CallSession): void {
    this.sessions.push(session);
    // A new call takes the focus only from nothing: a call waiting rings beside the call in progress.
    this.current ??= session;
    this.publish(null);
  }

  private focus(session: CallSession): void {
    if (this.current === session) return;
    this.current = session;
    this.publish(null);
  }

  private async holdOthers(session: CallSession): Promise<void> {
    // Every other call that talks or is about to (a resume in flight).
    await Promise.all(this.sessions.filter((s) => s !== session && s.call.state === 'established' && !s.wantsHeld).map((s) => s.hold(true)));
  }

  private changed(session: CallSession, call: PhoneCall): void {
    if (!this.sessions.includes(session)) return;
    if (call.state !== 'ended') return this.publish(null);
    this.sessions = this.sessions.filter((s) => s !== session);
    // The focus moves to the call added last (it stays held until the agent resumes it).
    if (this.current === session) this.current = this.sessions.at(-1) ?? null;
    this.publish(call);
  }

  private publish(ended: PhoneCall | null): void {
    this.route();
    this.onChange(this.view(), ended);
  }

  /** Plays the focused call's far end when it talks; nothing otherwise (a held caller is never heard). */
  private route(): void {
    const s = this.current;
    const stream = s && !s.call.held ? s.remoteStream : null;
    if (!stream && !this.attached) return;
    const audio = this.media.audio();
    if (audio.srcObject === stream) return;
    audio.srcObject = stream;
    this.attached = stream !== null;
    if (stream) audio.play().catch(() => undefined);
  }
}

function header(invitation: Invitation): string | null {
  return invitation.request.getHeader(CALL_ID_HEADER) ?? null;
}
