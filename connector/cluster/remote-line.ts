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
 * taken or ended meanwhile, a node gone but still listed. An agent is left to
 * other nodes for at most `deferMs` per spell of being available; after that
 * this node takes them, so nobody idles on a stale view. An agent on a call
 * (call waiting) is never left to another node: only the node with their calls
 * can offer them another.
 */
import type { AgentPresence } from '../agents/presence.js';
import type { CallRecord } from '../calls/call-record.js';
import { ranksAhead } from '../routing/rank.js';

/** A call waiting on another node, as its node reported it. */
export interface RemoteWaiting {
  record: CallRecord;
  /** Agents who declined or missed it: that node will not offer it to them while anyone else could take it. */
  declinedBy: readonly string[];
}

export { ranksAhead };

export class RemoteLine {
  private lines = new Map<string, readonly RemoteWaiting[]>();
  /**
   * `agent|stateSince` -> when this node first left the agent, in this spell of being
   * available, to any other node's call. One window per spell, however many remote
   * calls there are or however often they leave and come back to a line.
   */
  private readonly leftSince = new Map<string, number>();

  constructor(private readonly deferMs = 3_000) {}

  /** The other nodes' lines as last polled (node -> its waiting calls). */
  update(lines: ReadonlyMap<string, readonly RemoteWaiting[]>, now: number = Date.now()): void {
    this.lines = new Map(lines);
    // Spells long over (the agent took a call, or their window ran out a while ago).
    for (const [key, since] of this.leftSince) if (now - since > 10 * this.deferMs) this.leftSince.delete(key);
  }

  /** One node's line as last polled. */
  of(node: string): readonly RemoteWaiting[] {
    return this.lines.get(node) ?? [];
  }

  all(): RemoteWaiting[] {
    return [...this.lines.values()].flat();
  }

  /**
   * For one dispatch: each free agent this node should leave to another node, with the
   * best-ranked remote call they could take. A local call ranked behind that call is not
   * offered to them (`ranksAhead(left.get(agent), call)`). Agents whose window ran out are
   * not in it. Cost: agents x remote calls, once per dispatch.
   */
  leftElsewhere(agents: Iterable<AgentPresence>, now: number = Date.now()): Map<string, RemoteWaiting['record']> {
    const out = new Map<string, RemoteWaiting['record']>();
    const remote = this.all();
    if (remote.length === 0) return out;
    for (const agent of agents) {
      if (agent.state !== 'available' || !agent.reachable || agent.offeredCallId !== null) continue;
      let best: RemoteWaiting['record'] | null = null;
      for (const w of remote) {
        const r = w.record;
        if (best && !ranksAhead(r, best)) continue;
        if (!agent.queues.includes(r.queue ?? '') || w.declinedBy.includes(agent.username) || !(r.skills ?? []).every((s) => agent.skills.includes(s))) continue;
        best = r;
      }
      if (!best) continue;
      const key = `${agent.username}|${agent.stateSinceMs}`;
      const since = this.leftSince.get(key) ?? now;
      this.leftSince.set(key, since);
      if (now - since < this.deferMs) out.set(agent.username, best);
    }
    return out;
  }
}
