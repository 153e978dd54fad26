/**
 * One waiting line across the nodes of a cluster, as far as an agent is concerned.
 *
 * Each node offers the calls of its own PBX adapters. Without this, an agent
 * freed on node B would get whichever node's call claimed them first; B's own
 * newer caller would usually win, since B hears of the agent first. Here, before
 * a node takes a free agent for one of its calls, it asks whether another node
 * has a call waiting *ahead* of it (higher priority, or as high and queued
 * earlier) that this agent could take (its queue, its skills, not declined by
 * them). If so, the agent is left to that node.
 *
 * The other nodes' lines are polled each second, so they can be stale: a call
 * taken or ended meanwhile. An agent is left to another node's call for at most
 * `deferMs`; after that this node takes them, so nobody idles on a stale view.
 * An agent on a call (call waiting) is never left to another node: only the node
 * with their calls can offer them another.
 */
import type { AgentPresence } from '../agents/presence.js';
import type { CallRecord } from '../calls/call-record.js';

/** A call waiting on another node, as its node reported it. */
export interface RemoteWaiting {
  record: CallRecord;
  /** Agents who declined or missed it: that node will not offer it to them while anyone else could take it. */
  declinedBy: readonly string[];
}

/** Whether call `a` is served before call `b`: higher priority, then queued earlier, then by id (a total order every node shares). */
export function ranksAhead(a: Pick<CallRecord, 'priority' | 'queuedAt' | 'callId'>, b: Pick<CallRecord, 'priority' | 'queuedAt' | 'callId'>): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const qa = a.queuedAt ?? '';
  const qb = b.queuedAt ?? '';
  if (qa !== qb) return qa < qb;
  return a.callId < b.callId;
}

export class RemoteLine {
  private lines = new Map<string, readonly RemoteWaiting[]>();
  /** `agent|callId` -> when this node first left the agent to that remote call. */
  private readonly leftSince = new Map<string, number>();

  constructor(private readonly deferMs = 3_000) {}

  /** The other nodes' lines as last polled (node -> its waiting calls). */
  update(lines: ReadonlyMap<string, readonly RemoteWaiting[]>): void {
    this.lines = new Map(lines);
    const listed = new Set<string>();
    for (const list of this.lines.values()) for (const w of list) listed.add(w.record.callId);
    for (const key of this.leftSince.keys()) if (!listed.has(key.slice(key.indexOf('|') + 1))) this.leftSince.delete(key);
  }

  all(): RemoteWaiting[] {
    return [...this.lines.values()].flat();
  }

  /** Whether `agent` should be left to another node's call waiting ahead of `call` (see the file's comment). */
  aheadElsewhere(agent: AgentPresence, call: Pick<CallRecord, 'priority' | 'queuedAt' | 'callId'>, now: number = Date.now()): boolean {
    if (agent.state !== 'available') return false;
    for (const list of this.lines.values()) {
      for (const w of list) {
        const r = w.record;
        if (!ranksAhead(r, call) || !agent.queues.includes(r.queue ?? '') || w.declinedBy.includes(agent.username)) continue;
        if (!(r.skills ?? []).every((s) => agent.skills.includes(s))) continue;
        const key = `${agent.username}|${r.callId}`;
        const since = this.leftSince.get(key) ?? now;
        this.leftSince.set(key, since);
        if (now - since < this.deferMs) return true;
      }
    }
    return false;
  }
}
