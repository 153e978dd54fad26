/**
 * One waiting line across nodes (connector/cluster/remote-line.ts): a node leaves
 * a free agent to another node's call waiting ahead of its own, only when that
 * agent could take it, and never for longer than the deferral window; the
 * dispatcher then offers its own call to the next agent. The multi-process
 * version is in test/cluster-nodes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PresenceBoard } from '../connector/agents/presence.js';
import type { CallRecord } from '../connector/calls/call-record.js';
import { ranksAhead, RemoteLine, type RemoteWaiting } from '../connector/cluster/remote-line.js';

const record = (callId: string, over: Partial<CallRecord> = {}): CallRecord =>
  ({ callId, priority: 0, queuedAt: '2026-11-23T10:00:00.000Z', queue: 'support', skills: [], ...over }) as CallRecord;

function board() {
  const b = new PresenceBoard([]);
  b.upsert({ username: 'ann', displayName: 'Ann', queues: ['support'], skills: ['en'] });
  b.upsert({ username: 'ben', displayName: 'Ben', queues: ['billing'] });
  for (const a of b.all()) b.set(a, 'available');
  return b;
}

describe('one line across nodes', () => {
  it('orders calls by priority, then queue time, then id, the same on every node', () => {
    expect(ranksAhead(record('b', { priority: 5 }), record('a', { priority: 1 }))).toBe(true);
    expect(ranksAhead(record('b', { queuedAt: '2026-11-23T09:59:00.000Z' }), record('a'))).toBe(true);
    expect(ranksAhead(record('a'), record('b'))).toBe(true);
    expect(ranksAhead(record('b'), record('a'))).toBe(false);
    expect(ranksAhead(record('a'), record('a'))).toBe(false);
  });

  it('leaves a free agent to an older remote call they could take; not for one behind, another queue, missing skills or declined', () => {
    const b = board();
    const ann = b.get('ann')!;
    const mine = record('mine', { queuedAt: '2026-11-23T10:00:05.000Z' });
    const line = new RemoteLine(3_000);
    const only = (w: RemoteWaiting) => line.update(new Map([['b', [w]]]));
    only({ record: record('older'), declinedBy: [] });
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(true);
    only({ record: record('newer', { queuedAt: '2026-11-23T10:00:09.000Z' }), declinedBy: [] });
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(false);
    only({ record: record('billing', { queue: 'billing' }), declinedBy: [] });
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(false);
    only({ record: record('french', { skills: ['fr'] }), declinedBy: [] });
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(false);
    only({ record: record('declined'), declinedBy: ['ann'] });
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(false);
    // An agent on a call (call waiting) is only ever offered calls by the node with their calls.
    only({ record: record('older'), declinedBy: [] });
    b.set(ann, 'on-call');
    expect(line.aheadElsewhere(ann, mine, 0)).toBe(false);
  });

  it('leaves the agent for the deferral window only (the other node\'s view may be stale), and again for a new remote call', () => {
    const ann = board().get('ann')!;
    const mine = record('mine', { queuedAt: '2026-11-23T10:00:05.000Z' });
    const line = new RemoteLine(3_000);
    line.update(new Map([['b', [{ record: record('older'), declinedBy: [] }]]]));
    expect(line.aheadElsewhere(ann, mine, 1_000)).toBe(true);
    expect(line.aheadElsewhere(ann, mine, 3_999)).toBe(true);
    expect(line.aheadElsewhere(ann, mine, 4_000)).toBe(false);
    // The stale call left the other node's line; a new older one starts a new window.
    line.update(new Map([['b', [{ record: record('another', { queuedAt: '2026-11-23T09:00:00.000Z' }), declinedBy: [] }]]]));
    expect(line.aheadElsewhere(ann, mine, 5_000)).toBe(true);
    expect(line.all().map((w) => w.record.callId)).toEqual(['another']);
  });
});
