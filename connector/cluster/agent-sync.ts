/**
 * The admin console's agent changes, carried to every node of a cluster.
 *
 * Each node keeps its agents in its own SQLite (logins and role checks read
 * them synchronously) and bootstraps them from the same config file. A change
 * made in the console on one node (a new agent, new queues, a password reset,
 * a disabled agent) is written to PostgreSQL's `agents` table and announced on
 * the cluster bus (`agents.changed`); every other node reads the row and takes
 * it, so the agent can log in anywhere, is routed by every node, and a disabled
 * agent is off everywhere. A node that starts later takes every row newer than
 * its own copy, and writes its own newer ones (a config file changed on it).
 * The newer `updatedAt` wins everywhere, so a change that arrives late never
 * undoes a later one.
 *
 * The audit entry stays on the node where the change was made (docs/scale-out.md).
 */
import type { Logger } from 'pino';
import type { AgentStore, StoredAgent } from '../agents/agent-store.js';
import type { SharedAgentRepo } from '../store/data-layer.js';
import type { ClusterBus } from './bus.js';

export const AGENTS_TOPIC = 'agents.changed';

export interface AgentSyncOptions {
  repo: SharedAgentRepo;
  bus: ClusterBus;
  store: AgentStore;
  /** Another node's version of an agent was taken into the store: bring the live parts in step (presence, sockets). */
  applied: (after: StoredAgent, before: StoredAgent | null) => void;
  log: Logger;
}

export class AgentSync {
  private off: (() => void) | null = null;
  /** One read-and-apply per agent at a time, in order. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly o: AgentSyncOptions) {}

  /** Takes the newer rows, writes this node's newer agents, then follows other nodes' changes. */
  async start(): Promise<void> {
    this.off = this.o.bus.subscribe(AGENTS_TOPIC, (msg) => {
      const username = typeof (msg as { username?: unknown } | null)?.username === 'string' ? (msg as { username: string }).username : null;
      if (username) this.follow(username);
      else this.o.log.warn('agents: a malformed change notice was dropped');
    });
    const shared = new Map((await this.o.repo.all()).map((a) => [a.username, a]));
    for (const a of shared.values()) this.take(a);
    const mine = this.o.store.list().filter((a) => !shared.has(a.username) || shared.get(a.username)!.updatedAt < a.updatedAt);
    for (const a of mine) if (await this.o.repo.put(a)) await this.announce(a.username);
  }

  close(): void {
    this.off?.();
    this.off = null;
  }

  /**
   * This node's console changed `username` (its store has the change): write it for the
   * others and tell them. Failures are logged; the change holds here either way.
   */
  async changed(username: string): Promise<void> {
    const agent = this.o.store.find(username);
    if (!agent) return;
    try {
      if (await this.o.repo.put(agent)) await this.announce(username);
    } catch (err) {
      this.o.log.error({ err, agent: username }, 'agents: sharing a change with the other nodes failed; it applies on this node only until it is made again');
    }
  }

  private async announce(username: string): Promise<void> {
    await this.o.bus.publish(AGENTS_TOPIC, { username }, { includeSelf: false });
  }

  private follow(username: string): void {
    const prev = this.chains.get(username) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const a = await this.o.repo.get(username);
        if (a) this.take(a);
      })
      .catch((err: unknown) => this.o.log.warn({ err, agent: username }, 'agents: reading another node\'s change failed'))
      .finally(() => {
        if (this.chains.get(username) === next) this.chains.delete(username);
      });
    this.chains.set(username, next);
  }

  /** Takes a shared row when it is newer than this node's copy. */
  private take(a: StoredAgent): void {
    const local = this.o.store.find(a.username);
    if (local && local.updatedAt >= a.updatedAt) return;
    const before = this.o.store.replace(a);
    this.o.log.info({ agent: a.username, disabled: a.disabled }, 'agents: took another node\'s change');
    this.o.applied(a, before);
  }
}
