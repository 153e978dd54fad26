/**
 * Call waiting in the browser softphone: several SIP sessions at once
 * (softphone-widget/src/phone/call-set.ts, which PhoneController delegates
 * to). Real CallSessions run over fake SIP.js Invitations that record what
 * the phone sends (486, 200 OK, hold re-INVITEs) and let the test end calls.
 */
import { describe, expect, it } from 'vitest';
import { linkIncoming } from '../softphone-widget/src/phone/call-set.js';
import { onCallA, rig } from './helpers/fake-call-set.js';

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
