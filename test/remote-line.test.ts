/**
 * One waiting line across nodes (connector/cluster/remote-line.ts): a node leaves
 * a free agent to another node's call waiting ahead of its own, only when that
 * agent could take it, and never for longer than the deferral window; the
 * dispatcher then offers its own call to the next agent. The multi-process
 * version is in test/cluster-nodes.test.ts.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PbxAdapter } from '../adapters/adapter.js';
import { PresenceBoard } from '../connector/agents/presence.js';
import type { CallRecord } from '../connector/calls/call-record.js';
import { Dispatcher } from '../connector/calls/dispatcher.js';
import type { LiveCall } from '../connector/calls/live-call.js';
import type { AgentNotifier } from '../connector/calls/notifier.js';
import { ranksAhead, RemoteLine, type RemoteWaiting } from '../connector/cluster/remote-line.js';
import { Metrics } from '../connector/metrics.js';

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
    const leftFor = (w: RemoteWaiting) => {
      const line = new RemoteLine(3_000);
      line.update(new Map([['b', [w]]]));
      const ahead = line.leftElsewhere([ann], 0).get('ann');
      return ahead !== undefined && ranksAhead(ahead, mine);
    };
    expect(leftFor({ record: record('older'), declinedBy: [] })).toBe(true);
    expect(leftFor({ record: record('newer', { queuedAt: '2026-11-23T10:00:09.000Z' }), declinedBy: [] })).toBe(false);
    expect(leftFor({ record: record('billing', { queue: 'billing' }), declinedBy: [] })).toBe(false);
    expect(leftFor({ record: record('french', { skills: ['fr'] }), declinedBy: [] })).toBe(false);
    expect(leftFor({ record: record('declined'), declinedBy: ['ann'] })).toBe(false);
    // An agent on a call (call waiting) is only ever offered calls by the node with their calls.
    b.set(ann, 'on-call');
    expect(leftFor({ record: record('older'), declinedBy: [] })).toBe(false);
  });

  it('leaves an agent for one window per spell of being available, however many remote calls a stale or dead node lists', () => {
    const ann = board().get('ann')!;
    const line = new RemoteLine(3_000);
    const calls = (n: number): RemoteWaiting[] => [...Array(n).keys()].map((i) => ({ record: record(`r${i}`, { queuedAt: `2026-11-23T09:00:0${i}.000Z` }), declinedBy: [] }));
    line.update(new Map([['b', calls(3)]]), 0);
    expect(line.leftElsewhere([ann], 1_000).get('ann')?.callId).toBe('r0');
    expect(line.leftElsewhere([ann], 3_999).has('ann')).toBe(true);
    line.update(new Map([['b', calls(1)]]), 3_000); // a call left the line and another came back: the same window
    expect(line.leftElsewhere([ann], 4_000).has('ann')).toBe(false);
    expect(line.all().map((w) => w.record.callId)).toEqual(['r0']);
  });
});

describe('the dispatcher with one line across nodes', () => {
  afterEach(() => vi.useRealTimers());

  function rig(agents: number, maxCalls = 1) {
    const presence = new PresenceBoard([]);
    for (let i = 0; i < agents; i++) presence.set(presence.upsert({ username: `a${i}`, displayName: `A${i}`, queues: ['support'], maxCalls }), 'available', 1_000 - i);
    const offered: Array<[string, string]> = [];
    const notifier = { offered: (u: string, pop: { callId: string }) => void offered.push([u, pop.callId]), offerWithdrawn: () => {}, callConnected: () => {}, callEnded: () => {}, agentState: () => {} } as unknown as AgentNotifier;
    const adapter = { id: 't', ringAgent: () => new Promise(() => {}), cancelAgentLeg: async () => {} } as unknown as PbxAdapter;
    const dispatcher = new Dispatcher({
      presence, notifier, queues: [{ id: 'support', name: 'S', caseType: 'technical_support', priority: 0, skills: [] }] as never,
      ringTimeoutMs: 3_600_000, metrics: new Metrics(), log: pino({ level: 'silent' }), startHold: () => new AbortController(),
    });
    const line = new RemoteLine(3_000);
    dispatcher.leftElsewhere = () => line.leftElsewhere(presence.all());
    const call = (id: string, queuedAt: string): LiveCall => ({
      record: record(id, { queuedAt, phase: 'ivr' }), adapter, ivr: null, hold: null, offer: null, declinedBy: new Set(), bridgedLegId: null, endRequestedByAgent: false,
    });
    const remote = (n: number): RemoteWaiting[] => [...Array(n).keys()].map((i) => ({ record: record(`r${i}`, { queuedAt: `2026-11-23T09:00:0${i}.000Z` }), declinedBy: [] }));
    return { presence, dispatcher, line, call, offered, remote };
  }

  it('offers the local call once the window ran out, though the other node (down or slow) still lists its calls', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const r = rig(1);
    r.line.update(new Map([['b', r.remote(4)]]));
    r.dispatcher.enqueue(r.call('mine', '2026-11-23T10:00:05.000Z'));
    expect(r.offered).toEqual([]);
    for (let t = 1_000; t <= 3_000; t += 1_000) {
      vi.setSystemTime(t);
      r.line.update(new Map([['b', r.remote(4)]]));
      r.dispatcher.dispatch(); // each poll
    }
    expect(r.offered).toEqual([['a0', 'mine']]);
  });

  it('never gives the call to an agent on a call (call waiting) while a free agent is only left to another node', () => {
    const r = rig(2, 2);
    const busy = r.presence.get('a1')!;
    r.presence.setCall(busy, 'other', ['other']);
    r.presence.set(busy, 'on-call');
    r.line.update(new Map([['b', r.remote(1)]]));
    r.dispatcher.enqueue(r.call('mine', '2026-11-23T10:00:05.000Z'));
    expect(r.offered).toEqual([]);
  });

  it('costs at most two picks per waiting call, however many free agents are left elsewhere', () => {
    const r = rig(1_000);
    r.line.update(new Map([['b', r.remote(1)]]));
    const waiting = (r.dispatcher as unknown as { waiting: LiveCall[] }).waiting;
    for (let i = 0; i < 50; i++) waiting.push(r.call(`m${i}`, `2026-11-23T10:00:${String(10 + (i % 40)).padStart(2, '0')}.000Z`));
    const pick = vi.spyOn(r.presence, 'pick');
    r.dispatcher.dispatch();
    expect(r.offered).toEqual([]);
    expect(pick.mock.calls.length).toBeLessThanOrEqual(2 * 50);
  });
});
