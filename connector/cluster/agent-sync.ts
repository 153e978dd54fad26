/**
 * The admin console's agent changes, carried to every node of a cluster.
 *
 * Each node keeps its agents in its own SQLite (logins and role checks read
 * them synchronously) and bootstraps them from the same config file. A change
 * made in the console on one node (a new agent, new queues, a password reset,
 * a disabled agent) is written to PostgreSQL's `agents` table and announced on
 * the cluster bus (`agents.changed`); every other node reads the row and takes
 * it, so the agent can log in anywhere, is routed by every node, and a disabled
 * agent is off everywhere.
 *
 * - **Order**: PostgreSQL gives every write the next `version`; a node takes a
 *   row whose version is above the last it took or wrote. The later write wins,
 *   whatever the nodes' clocks say.
 * - **Start**: a node takes every row, except where its own config file changed
 *   the agent since the cluster applied the file (the row's config hash differs
 *   from this node's): then the file wins, as on one node, and the node writes
 *   it. Agents only this node has are written too. So a node added with a fresh
 *   store, or restarted with the same file, keeps the console's changes.
 * - **Missed notices** (the bus reconnecting) and writes that failed (PostgreSQL
 *   away) are caught up on the bus's reconnect and every 30 s.
 *
 * The audit entry stays on the node where the change was made (docs/scale-out.md).
 */
import type { Logger } from 'pino';
import type { AgentStore, StoredAgent } from '../agents/agent-store.js';
import type { SharedAgent, SharedAgentRepo } from '../store/data-layer.js';
import type { ClusterBus } from './bus.js';

export const AGENTS_TOPIC = 'agents.changed';

/** How often a node reads the whole table again (missed notices) and retries failed writes. */
const RESYNC_MS = 30_000;

export interface AgentSyncOptions {
  repo: SharedAgentRepo;
  bus: ClusterBus;
  store: AgentStore;
  /** Another node's version of an agent was taken into the store: bring the live parts in step (presence, sockets). */
  applied: (after: StoredAgent, before: StoredAgent | null) => void;
  log: Logger;
  /** Default 30 s. */
  resyncMs?: number;
}

export class AgentSync {
  private readonly offs: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  /** The version of each agent this node last took or wrote. */
  private readonly seen = new Map<string, number>();
  /** Changes made here that could not be written yet (PostgreSQL away): retried. */
  private readonly unsent = new Set<string>();
  /** One read-and-take per agent at a time, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly o: AgentSyncOptions) {}

  /** Takes the cluster's agents (this node's config file changes aside), writes this node's own, then follows changes. */
  async start(): Promise<void> {
    this.offs.push(
      this.o.bus.subscribe(AGENTS_TOPIC, (msg) => {
        const username = typeof (msg as { username?: unknown } | null)?.username === 'string' ? (msg as { username: string }).username : null;
        if (username) this.follow(username);
        else this.o.log.warn('agents: a malformed change notice was dropped');
      }),
      this.o.bus.onReconnect(() => void this.resync()),
    );
    const rows = new Map((await this.o.repo.all()).map((a) => [a.username, a]));
    for (const local of this.o.store.list()) {
      const row = rows.get(local.username);
      const hash = this.o.store.configHashOf(local.username) ?? null;
      // Only here, or changed here by this node's config file since the cluster applied it: this node's wins.
      if (!row || (local.source === 'config' && hash !== row.configHash)) {
        rows.delete(local.username);
        await this.write(local.username);
      }
    }
    for (const row of rows.values()) this.take(row);
    await Promise.all(this.chains.values());
    this.timer = setInterval(() => void this.resync(), this.o.resyncMs ?? RESYNC_MS);
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** This node's console changed `username` (its store has the change): write it for the others and tell them. */
  async changed(username: string): Promise<void> {
    await this.write(username);
  }

  /** Reads every row again (notices missed while the bus reconnected) and retries the writes that failed. */
  async resync(): Promise<void> {
    if (this.closed) return;
    for (const u of [...this.unsent]) await this.write(u);
    try {
      for (const row of await this.o.repo.all()) this.take(row);
    } catch (err) {
      this.o.log.warn({ err }, 'agents: reading the shared agents failed; trying again later');
    }
  }

  private async write(username: string): Promise<void> {
    const agent = this.o.store.find(username);
    if (!agent) return;
    try {
      const row = await this.o.repo.put(agent, this.o.store.configHashOf(username) ?? null);
      this.unsent.delete(username);
      this.seen.set(username, Math.max(this.seen.get(username) ?? 0, row.version));
      await this.o.bus.publish(AGENTS_TOPIC, { username }, { includeSelf: false }).catch((err: unknown) => {
        // The row is written: the others read it on their next resync.
        this.o.log.warn({ err, agent: username }, 'agents: announcing a change failed; the other nodes read it within 30 s');
      });
    } catch (err) {
      this.unsent.add(username);
      this.o.log.error({ err, agent: username }, 'agents: writing a change for the other nodes failed; it holds here and is retried');
    }
  }

  private follow(username: string): void {
    const prev = this.chains.get(username) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const a = await this.o.repo.get(username);
        if (a) this.take(a);
      })
      .catch((err: unknown) => this.o.log.warn({ err, agent: username }, 'agents: reading another node\'s change failed; the next resync reads it'))
      .finally(() => {
        if (this.chains.get(username) === next) this.chains.delete(username);
      });
    this.chains.set(username, next);
  }

  /** Takes a row written after the last one this node took or wrote; no-op when it says nothing new. */
  private take(a: SharedAgent): void {
    if (a.version <= (this.seen.get(a.username) ?? 0) || this.unsent.has(a.username)) return;
    this.seen.set(a.username, a.version);
    const local = this.o.store.find(a.username);
    const { version: _v, configHash, ...agent } = a;
    if (local && same(local, agent) && this.o.store.configHashOf(a.username) === configHash) return;
    const before = this.o.store.replace(agent, configHash);
    this.o.log.info({ agent: a.username, disabled: a.disabled, version: a.version }, 'agents: took the cluster\'s change');
    this.o.applied(agent, before);
  }
}

/** Whether two versions of an agent say the same (times aside). */
function same(x: StoredAgent, y: StoredAgent): boolean {
  return (
    x.displayName === y.displayName && x.passwordHash === y.passwordHash && x.role === y.role && x.endpoint === y.endpoint && x.disabled === y.disabled && x.maxCalls === y.maxCalls &&
    x.source === y.source && JSON.stringify(x.queues) === JSON.stringify(y.queues) && JSON.stringify(x.skills) === JSON.stringify(y.skills)
  );
}
