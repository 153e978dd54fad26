/**
 * Fakes for the softphone's CallSet tests: real CallSessions over fake SIP.js
 * Invitations that record what the phone sends (486, 200 OK, hold re-INVITEs)
 * and let the test end calls; a rig around one CallSet.
 */
import { SessionState, type Bye, type Invitation, type SessionDelegate } from 'sip.js';
import { CALL_ID_HEADER, type CallSession } from '../../softphone-widget/src/phone/call-session.js';
import { CallSet, type CallAudio, type CallsView } from '../../softphone-widget/src/phone/call-set.js';
import type { PhoneCall } from '../../softphone-widget/src/phone/phone-state.js';

/** What the fakes did, in order, across every session of a test. */
export type Sent = `${string}:${'486' | '603' | 'accept' | 'hold' | 'resume' | 'bye'}`;

interface FakeMediaHandler {
  remoteMediaStream: MediaStream;
  peerConnection: undefined;
  enableSenderTracks(enable: boolean): void;
  enableReceiverTracks(enable: boolean): void;
}

export interface ReInviteOptions {
  requestDelegate?: { onAccept?(response: unknown): void; onReject?(response: unknown): void };
}

/** The parts of a SIP.js Invitation that CallSession uses. */
export class FakeInvitation {
  state: SessionState = SessionState.Initial;
  delegate: SessionDelegate | undefined;
  sessionDescriptionHandler: FakeMediaHandler | undefined;
  sessionDescriptionHandlerOptionsReInvite: { hold?: boolean } = {};
  readonly stream: MediaStream;
  readonly receiving: boolean[] = [];
  private readonly listeners: Array<(s: SessionState) => void> = [];
  readonly stateChange = { addListener: (l: (s: SessionState) => void): void => void this.listeners.push(l) };
  readonly remoteIdentity: { uri: { user: string; host: string }; displayName: string };
  readonly request: { getHeader(name: string): string | undefined };

  constructor(
    readonly id: string,
    private readonly log: Sent[],
    header?: string,
  ) {
    this.remoteIdentity = { uri: { user: `+1555${id}`, host: 'pbx.test' }, displayName: `Caller ${id}` };
    this.request = { getHeader: (name) => (name === CALL_ID_HEADER ? header : undefined) };
    this.stream = { id: `stream-${id}` } as unknown as MediaStream;
  }

  get invitation(): Invitation {
    return this as unknown as Invitation;
  }

  async reject(options?: { statusCode?: number }): Promise<void> {
    this.log.push(`${this.id}:${options?.statusCode === 486 ? '486' : '603'}`);
    this.setState(SessionState.Terminated);
  }

  async accept(): Promise<void> {
    this.log.push(`${this.id}:accept`);
    this.setState(SessionState.Establishing);
    this.sessionDescriptionHandler = {
      remoteMediaStream: this.stream,
      peerConnection: undefined,
      enableSenderTracks: () => undefined,
      enableReceiverTracks: (enable) => void this.receiving.push(enable),
    };
    this.setState(SessionState.Established);
  }

  /** A hold or resume re-INVITE: the far end answers 200 OK on the next microtask. */
  async invite(options?: ReInviteOptions): Promise<void> {
    this.log.push(`${this.id}:${this.sessionDescriptionHandlerOptionsReInvite.hold ? 'hold' : 'resume'}`);
    await Promise.resolve();
    options?.requestDelegate?.onAccept?.({});
  }

  async bye(): Promise<void> {
    this.log.push(`${this.id}:bye`);
    this.setState(SessionState.Terminated);
  }

  /** The caller hangs up (a BYE arrives). */
  remoteBye(): void {
    this.delegate?.onBye?.({ accept: async () => undefined } as unknown as Bye);
    this.setState(SessionState.Terminated);
  }

  private setState(s: SessionState): void {
    this.state = s;
    for (const l of this.listeners) l(s);
  }
}

export function rig() {
  const log: Sent[] = [];
  const audio: CallAudio & { plays: number } = {
    srcObject: null,
    plays: 0,
    play() {
      this.plays++;
      return Promise.resolve();
    },
  };
  const views: CallsView[] = [];
  const ended: PhoneCall[] = [];
  const calls = new CallSet({ audio: () => audio, constraints: () => ({ audio: true }) }, (view, end) => {
    views.push(view);
    if (end) ended.push(end);
  });
  const invite = (id: string, offered: readonly string[], header?: string): FakeInvitation => {
    const fake = new FakeInvitation(id, log, header);
    calls.incoming(fake.invitation, offered);
    return fake;
  };
  const linked = (callId: string): CallSession => {
    const session = calls.linked(callId);
    if (!session) throw new Error(`no session for ${callId}`);
    return session;
  };
  const focused = (): CallSession => {
    if (!calls.focused) throw new Error('no focused session');
    return calls.focused;
  };
  const view = (): CallsView => views.at(-1) ?? { call: null, otherCalls: [] };
  /** Who is focused and who else is there, as `id:state[:held]`. */
  const summary = (): { call: string | null; others: string[] } => {
    const label = (c: PhoneCall): string => `${c.id}:${c.state}${c.held ? ':held' : ''}`;
    const v = view();
    return { call: v.call ? label(v.call) : null, others: v.otherCalls.map(label) };
  };
  return { log, audio, calls, ended, invite, linked, focused, view, summary };
}

/** A rig with call A (pop `call-a`) answered and talking. */
export async function onCallA() {
  const r = rig();
  const a = r.invite('A', ['call-a']);
  await r.calls.answer(r.linked('call-a'));
  r.log.length = 0;
  return { ...r, a };
}
