/**
 * Call waiting in the browser softphone: several SIP sessions at once
 * (softphone-widget/src/phone/call-set.ts, which PhoneController delegates
 * to). Real CallSessions run over fake SIP.js Invitations that record what
 * the phone sends (486, 200 OK, hold re-INVITEs) and let the test end calls.
 */
import { describe, expect, it } from 'vitest';
import { SessionState, type Bye, type Invitation, type SessionDelegate } from 'sip.js';
import { CALL_ID_HEADER, type CallSession } from '../softphone-widget/src/phone/call-session.js';
import { CallSet, linkIncoming, type CallAudio, type CallsView } from '../softphone-widget/src/phone/call-set.js';
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

describe('linkIncoming', () => {
  const none = new Set<string>();
  it.each([
    ['idle, one offer: linked', ['x'], none, null, false, { accept: true, callId: 'x' }],
    ['idle, no offer: rings unlinked', [], none, null, false, { accept: true, callId: null }],
    ['idle, two offers: rings unlinked', ['x', 'y'], none, null, false, { accept: true, callId: null }],
    ['busy, the one free offer: linked', ['a', 'b'], new Set(['a']), null, true, { accept: true, callId: 'b' }],
    ['busy, the same id offered twice counts once', ['b', 'b'], new Set(['a']), null, true, { accept: true, callId: 'b' }],
    ['busy, no offer: refused', [], new Set(['a']), null, true, { accept: false }],
    ['busy, only the linked call offered: refused', ['a'], new Set(['a']), null, true, { accept: false }],
    ['busy, two free offers: ambiguous, refused', ['b', 'c'], new Set(['a']), null, true, { accept: false }],
    ['busy with an unlinked call, one offer: linked', ['b'], none, null, true, { accept: true, callId: 'b' }],
    ['busy, the PBX names a new call: linked even before its offer', [], new Set(['a']), 'b', true, { accept: true, callId: 'b' }],
    ['busy, the PBX names a call that already has a session: refused', ['b'], new Set(['a']), 'a', true, { accept: false }],
    ['idle, the PBX names the call: linked', ['x', 'y'], none, 'y', false, { accept: true, callId: 'y' }],
  ] as const)('%s', (_name, offered, linked, header, busy, want) => {
    expect(linkIncoming(offered, linked, header, busy)).toEqual(want);
  });
});

describe('CallSet: one call (unchanged behaviour)', () => {
  it('rings, links to the only offer, answers, plays, and ends with focus gone', async () => {
    const r = rig();
    const a = r.invite('A', ['call-a']);
    expect(r.summary()).toEqual({ call: 'A:ringing', others: [] });
    expect(r.view().call?.linkedCallId).toBe('call-a');
    expect(r.calls.ringing()).toBe(true);
    await r.calls.answer(r.linked('call-a'));
    expect(r.summary()).toEqual({ call: 'A:established', others: [] });
    expect(r.audio.srcObject).toBe(a.stream);
    a.remoteBye();
    expect(r.summary()).toEqual({ call: null, others: [] });
    expect(r.ended.map((c) => [c.id, c.endReason])).toEqual([['A', 'remote']]);
    expect(r.audio.srcObject).toBeNull();
    expect(r.calls.size).toBe(0);
  });

  it('an INVITE with several offers rings unlinked', () => {
    const r = rig();
    r.invite('A', ['x', 'y']);
    expect(r.view().call?.linkedCallId).toBeNull();
  });
});

describe('CallSet: a second call', () => {
  it('rings beside the call in progress when linked to the one free offer (no 486); the focus stays', async () => {
    const r = await onCallA();
    r.invite('B', ['call-b']);
    expect(r.log).toEqual([]);
    expect(r.summary()).toEqual({ call: 'A:established', others: ['B:ringing'] });
    expect(r.view().otherCalls[0]?.linkedCallId).toBe('call-b');
    expect(r.view().otherCalls[0]?.remoteName).toBe('Caller B');
    expect(r.calls.ringing()).toBe(true);
    // The agent still hears A.
    expect(r.audio.srcObject).toBe(r.a.stream);
  });

  it.each([
    ['no offer', []],
    ['only the call in progress offered', ['call-a']],
    ['two free offers (ambiguous)', ['call-b', 'call-c']],
  ])('is refused with 486 Busy Here when it cannot be linked: %s', async (_name, offered) => {
    const r = await onCallA();
    r.invite('B', offered);
    expect(r.log).toEqual(['B:486']);
    expect(r.summary()).toEqual({ call: 'A:established', others: [] });
    expect(r.calls.size).toBe(1);
    expect(r.ended).toEqual([]);
  });

  it('a duplicate INVITE for a call that already has a session gets 486', async () => {
    const r = await onCallA();
    r.invite('A2', ['call-b'], 'call-a');
    expect(r.log).toEqual(['A2:486']);
  });

  it('answering it holds the first call (re-INVITE awaited) before the 200 OK; it takes the focus and the speaker', async () => {
    const r = await onCallA();
    const b = r.invite('B', ['call-b']);
    const answered = r.calls.answer(r.linked('call-b'));
    // The focus moves at once (the agent chose B); A's hold is in flight.
    expect(r.view().call?.id).toBe('B');
    expect(r.view().otherCalls[0]?.holdPending).toBe(true);
    await answered;
    expect(r.log).toEqual(['A:hold', 'B:accept']);
    expect(r.summary()).toEqual({ call: 'B:established', others: ['A:established:held'] });
    expect(r.a.receiving).toEqual([false]);
    expect(r.audio.srcObject).toBe(b.stream);
    expect(r.calls.ringing()).toBe(false);
  });

  it('an already held call is not held again when another is answered', async () => {
    const r = await onCallA();
    await r.calls.hold(r.linked('call-a'), true);
    r.log.length = 0;
    r.invite('B', ['call-b']);
    await r.calls.answer(r.linked('call-b'));
    expect(r.log).toEqual(['B:accept']);
  });

  it('resuming the held call holds the other first, refocuses it and plays it; resuming again sends nothing', async () => {
    const r = await onCallA();
    const b = r.invite('B', ['call-b']);
    await r.calls.answer(r.linked('call-b'));
    r.log.length = 0;
    await r.calls.hold(r.linked('call-a'), false);
    expect(r.log).toEqual(['B:hold', 'A:resume']);
    expect(r.summary()).toEqual({ call: 'A:established', others: ['B:established:held'] });
    expect(r.audio.srcObject).toBe(r.a.stream);
    expect(b.receiving).toEqual([false]);
    // The connector's call.held for B arriving after the swap, and a repeated resume: no re-INVITE.
    await r.calls.hold(r.linked('call-b'), true);
    await r.calls.hold(r.linked('call-a'), false);
    expect(r.log).toEqual(['B:hold', 'A:resume']);
  });

  it('holding the focused call keeps the focus and silences the speaker', async () => {
    const r = await onCallA();
    await r.calls.hold(r.focused(), true);
    expect(r.log).toEqual(['A:hold']);
    expect(r.summary()).toEqual({ call: 'A:established:held', others: [] });
    expect(r.audio.srcObject).toBeNull();
  });

  it('when the focused call ends, the focus moves to the other (still held, not heard) and the end is reported', async () => {
    const r = await onCallA();
    const b = r.invite('B', ['call-b']);
    await r.calls.answer(r.linked('call-b'));
    b.remoteBye();
    expect(r.summary()).toEqual({ call: 'A:established:held', others: [] });
    expect(r.ended.map((c) => [c.id, c.linkedCallId, c.endReason])).toEqual([['B', 'call-b', 'remote']]);
    expect(r.audio.srcObject).toBeNull();
    // The connector resumes A: it plays again.
    await r.calls.hold(r.linked('call-a'), false);
    expect(r.audio.srcObject).toBe(r.a.stream);
  });

  it('a non-focused call that ends leaves the focus alone; hanging it up by its link works too', async () => {
    const r = await onCallA();
    r.invite('B', ['call-b']);
    await r.linked('call-b').hangup();
    expect(r.log).toEqual(['B:603']);
    expect(r.summary()).toEqual({ call: 'A:established', others: [] });
    expect(r.ended.map((c) => [c.id, c.endReason])).toEqual([['B', 'local']]);
    expect(r.audio.srcObject).toBe(r.a.stream);
    // The call in progress ends too: a new INVITE rings as on an idle phone again.
    r.a.remoteBye();
    r.invite('C', []);
    expect(r.summary()).toEqual({ call: 'C:ringing', others: [] });
  });

  it('with three calls, the focus goes to the one added last, and otherCalls stay oldest first', async () => {
    const r = await onCallA();
    r.invite('B', ['call-b']);
    await r.calls.answer(r.linked('call-b'));
    r.invite('C', ['call-b', 'call-c']);
    expect(r.summary()).toEqual({ call: 'B:established', others: ['A:established:held', 'C:ringing'] });
    await r.calls.answer(r.linked('call-c'));
    expect(r.summary()).toEqual({ call: 'C:established', others: ['A:established:held', 'B:established:held'] });
    await r.focused().hangup();
    expect(r.summary()).toEqual({ call: 'B:established:held', others: ['A:established:held'] });
  });

  it('a call waiting that is cancelled while the first is held for it is not answered', async () => {
    const r = await onCallA();
    const b = r.invite('B', ['call-b']);
    const answered = r.calls.answer(r.linked('call-b'));
    b.remoteBye(); // the caller gave up (CANCEL) during A's hold re-INVITE
    await answered;
    expect(r.log).toEqual(['A:hold']);
    expect(r.summary()).toEqual({ call: 'A:established:held', others: [] });
  });

  it('clear() forgets every call without publishing, silences the speaker and ignores their later ends', async () => {
    const r = await onCallA();
    r.invite('B', ['call-b']);
    const before = r.view();
    const sessions = r.calls.clear();
    expect(sessions.map((s) => s.call.id)).toEqual(['A', 'B']);
    expect(r.audio.srcObject).toBeNull();
    await Promise.all(sessions.map((s) => s.hangup()));
    expect(r.log).toEqual(['A:bye', 'B:603']);
    expect(r.view()).toBe(before);
    expect(r.ended).toEqual([]);
    expect(r.calls.size).toBe(0);
  });
});
