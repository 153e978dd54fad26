/**
 * Regression (found in review): tier escalation gives a case "to the longest-idle available
 * agent of the queue; with nobody available it waits" (escalation.ts,
 * docs/api.md). It routes with PresenceBoard.candidates(), which call waiting
 * widened to agents on a call with room for another.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { PresenceBoard } from '../connector/agents/presence.js';
import { CaseEscalation } from '../connector/cases/escalation.js';
import type { CaseRepo } from '../connector/store/data-layer.js';

describe('escalation and call waiting', () => {
  it('does not hand an escalated case to an agent who is on a call (maxCalls 2), it waits', async () => {
    const presence = new PresenceBoard([]);
    const carol = presence.upsert({ username: 'carol', displayName: 'Carol', queues: ['tier2'], maxCalls: 2 });
    presence.set(carol, 'available');
    presence.setCall(carol, 'call-1');
    presence.set(carol, 'on-call');
    const assigned: string[] = [];
    const record = { number: '1001', queue: 'support', status: 'open' } as never;
    const cases = {
      get: async () => record,
      escalate: async () => ({ kind: 'escalated', record: { ...(record as object), queue: 'tier2' } }),
      assign: async (_n: string, a: { assignee: string }) => {
        assigned.push(a.assignee);
        return { kind: 'assigned', record: { ...(record as object), queue: 'tier2', assignee: a.assignee } };
      },
      events: async () => [],
      list: async () => [],
    } as unknown as CaseRepo;
    const esc = new CaseEscalation({
      cases, presence, log: pino({ level: 'silent' }), assigned: () => undefined,
      queues: [{ id: 'support', name: 'Support', escalateTo: 'tier2', skills: [] }, { id: 'tier2', name: 'Tier 2', skills: [] }] as never,
    });
    await esc.escalate('alice', '1001', {});
    expect(assigned).toEqual([]);
  });
});
