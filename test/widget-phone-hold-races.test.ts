/**
 * Regressions (found in review): the softphone's CallSet when the connector's call.held /
 * call.resumed arrive while a hold re-INVITE of the same leg is in flight
 * (a quick Hold then Resume, or a swap and a swap back). Fakes: test/helpers/fake-call-set.ts.
 */
import { describe, expect, it } from 'vitest';
import { onCallA, type ReInviteOptions } from './helpers/fake-call-set.js';

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
