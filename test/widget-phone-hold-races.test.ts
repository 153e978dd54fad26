/**
 * Regressions (found in review): the softphone's CallSet when the connector's call.held /
 * call.resumed arrive while a hold re-INVITE of the same leg is in flight
 * (a quick Hold then Resume, or a swap and a swap back). Fakes copied from
 * test/widget-phone-waiting.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SessionState, type Bye, type Invitation, type SessionDelegate } from 'sip.js';
import { CALL_ID_HEADER, type CallSession } from '../softphone-widget/src/phone/call-session.js';
import { CallSet, type CallAudio, type CallsView } from '../softphone-widget/src/phone/call-set.js';
import type { PhoneCall } from '../softphone-widget/src/phone/phone-state.js';

/** What the fakes did, in order, across every session of a test. */
type Sent = `${string}:${'486' | '603' | 'accept' | 'hold' | 'resume' | 'bye'}`;

interface FakeMediaHandler {
  remoteMediaStream: MediaStream;
  peerConnection: undefined;
  enableSenderTracks(enable: boolean): void;
  enableReceiverTracks(enable: boolean): void;
}

interface ReInviteOptions {
  requestDelegate?: { onAccept?(response: unknown): void; onReject?(response: unknown): void };
}

/** The parts of a SIP.js Invitation that CallSession uses. */
class FakeInvitation {
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

function rig() {
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
async function onCallA() {
  const r = rig();
  const a = r.invite('A', ['call-a']);
  await r.calls.answer(r.linked('call-a'));
  r.log.length = 0;
  return { ...r, a };
}


describe('CallSet, a hold and its undo in flight together', () => {
  it('Hold then Resume before the hold re-INVITE is answered: the leg ends up talking, as the connector says', async () => {
    const r = await onCallA();
    // The PBX answers re-INVITEs after a round trip: the test releases them.
    const pending: Array<() => void> = [];
    r.a.invite = async (options?: ReInviteOptions) => {
      r.log.push(`A:${r.a.sessionDescriptionHandlerOptionsReInvite.hold ? 'hold' : 'resume'}`);
      pending.push(() => options?.requestDelegate?.onAccept?.({}));
    };
    // call.held A, then call.resumed A (the agent pressed Resume at once): linkedHold(A, true), linkedHold(A, false).
    const held = r.calls.hold(r.linked('call-a'), true);
    const resumed = r.calls.hold(r.linked('call-a'), false);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    while (pending.length) {
      pending.shift()!();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    await Promise.all([held, resumed]);
    expect(r.summary()).toEqual({ call: 'A:established', others: [] });
    expect(r.audio.srcObject).toBe(r.a.stream);
  });

  it('a swap and a swap back in quick succession: B talks and is heard, A is held', async () => {
    const r = await onCallA();
    const b = r.invite('B', ['call-b']);
    await r.calls.answer(r.linked('call-b'));
    // Connector: resume(A) -> held B, resumed A; then resume(B) -> held A, resumed B.
    const steps = [
      r.calls.hold(r.linked('call-b'), true),
      r.calls.hold(r.linked('call-a'), false),
      r.calls.hold(r.linked('call-a'), true),
      r.calls.hold(r.linked('call-b'), false),
    ];
    await Promise.all(steps);
    await Promise.resolve();
    expect(r.summary()).toEqual({ call: 'B:established', others: ['A:established:held'] });
    expect(r.audio.srcObject).toBe(b.stream);
  });
});
