/**
 * Which nodes of the cluster are alive, from heartbeat keys in Redis:
 *
 * - `<prefix>node:<id>`: `{nodeId, host, pid, at}` (JSON), SET with PX nodeTtlMs every heartbeatMs;
 * - `<prefix>nodes`: the set of node ids that have beaten, so a poll reads a few keys (SMEMBERS +
 *   MGET) instead of scanning the keyspace; ids whose key is gone are removed from it.
 *
 * A node is down when its key is gone: every heartbeat also polls, and a node seen alive before
 * and missing now is reported `expired`; a goodbye on the bus reports it `left` at once.
 * No keyspace notifications (no Redis configuration) are needed.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { NODE_ID } from './bus-wire.js';
import { within } from './redis-link.js';

/** `left`: the node said goodbye (close()); `expired`: its heartbeat stopped (crash, hang, lost network). */
export type NodeDownReason = 'left' | 'expired';

export interface LivenessOptions {
  redis: Redis;
  nodeId: string;
  prefix: string;
  heartbeatMs: number;
  nodeTtlMs: number;
  log: Logger;
  /** Runs a command once the connection is up, by `deadline` (else throws an AppError). */
  run: <T>(command: () => Promise<T>, deadline: number) => Promise<T>;
  /** Whether the command connection is up now (a beat is skipped, not queued, while it is not). */
  up: () => boolean;
  /** A node seen alive went down. Never called for this node. */
  onDown: (nodeId: string, reason: NodeDownReason) => void;
}

export class Liveness {
  /** Other nodes last seen alive. */
  private readonly known = new Set<string>();
  /** When each node said goodbye: a poll that began earlier cannot bring it back. */
  private readonly leftAt = new Map<string, number>();
  /** After our own reconnect, nodes are re-registering: no down notices until this time. */
  private graceUntil = 0;
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(private readonly o: LivenessOptions) {}

  /** Writes the first heartbeat (by `deadline`), then beats and polls every heartbeatMs. */
  async start(deadline: number): Promise<void> {
    await this.o.run(() => this.beat(), deadline);
    if (this.stopped) return; // stop() came first
    this.ticker = setInterval(() => void this.tick(), this.o.heartbeatMs);
  }

  /** Stops beating and deletes this node's key (within 1 s; skipped while Redis is away: the key expires). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (!this.o.up()) return;
    await within(this.o.redis.multi().del(this.keyOf(this.o.nodeId)).srem(this.registryKey, this.o.nodeId).exec(), 1_000, () => new Error('no reply in 1 s'));
  }

  /** Whether `node` has a heartbeat key now. */
  async exists(node: string, deadline: number): Promise<boolean> {
    return (await this.o.run(() => this.o.redis.exists(this.keyOf(node)), deadline)) === 1;
  }

  /** The nodes with a heartbeat key now (this one included), sorted. */
  alive(deadline: number): Promise<string[]> {
    return this.o.run(() => this.readAlive(), deadline);
  }

  /** The other nodes seen alive at the last poll, sorted. */
  peers(): string[] {
    return [...this.known].sort();
  }

  /**
   * True for nodeTtlMs after this node's command connection came back: Redis may have restarted
   * empty and the others not beaten yet, so a missing key does not mean a missing node.
   */
  get settling(): boolean {
    return Date.now() < this.graceUntil;
  }

  /** `node` said goodbye. */
  left(node: string): void {
    if (node === this.o.nodeId) return;
    this.leftAt.set(node, Date.now());
    this.known.delete(node);
    this.o.onDown(node, 'left');
  }

  /** Our command connection is back: beat now, and give the others nodeTtlMs to do the same. */
  reconnected(): void {
    if (!this.ticker) return; // not started, or stopped
    this.graceUntil = Date.now() + this.o.nodeTtlMs;
    void this.tick();
  }

  private keyOf(node: string): string {
    return `${this.o.prefix}node:${node}`;
  }
  private get registryKey(): string {
    return `${this.o.prefix}nodes`;
  }

  /** One heartbeat: the key with its expiry, and the registry entry (re-added after a Redis restart). */
  private async beat(): Promise<void> {
    const info = JSON.stringify({ nodeId: this.o.nodeId, host: hostname(), pid: process.pid, at: Date.now() });
    const results = await this.o.redis
      .multi()
      .set(this.keyOf(this.o.nodeId), info, 'PX', this.o.nodeTtlMs)
      .sadd(this.registryKey, this.o.nodeId)
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('heartbeat transaction aborted');
  }

  private async readAlive(): Promise<string[]> {
    const redis = this.o.redis;
    const ids = (await redis.smembers(this.registryKey)).filter((id) => NODE_ID.test(id));
    if (ids.length === 0) return [];
    const values = await redis.mget(ids.map((id) => this.keyOf(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    // Keeps the registry small. A node that beats between MGET and SREM is back in it at its next beat.
    if (gone.length > 0) await redis.srem(this.registryKey, ...gone);
    return ids.filter((_, i) => values[i] !== null).sort();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped || !this.o.up()) return;
    this.ticking = true;
    const startedAt = Date.now();
    try {
      const budget = startedAt + this.o.nodeTtlMs;
      await this.o.run(() => this.beat(), budget);
      this.note(await this.o.run(() => this.readAlive(), budget), startedAt);
    } catch (err) {
      if (!(err instanceof AppError)) this.o.log.debug({ err }, 'cluster bus: heartbeat failed');
    } finally {
      this.ticking = false;
    }
  }

  private note(alive: string[], pollStartedAt: number): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const [id, at] of this.leftAt) if (now - at > this.o.nodeTtlMs * 2) this.leftAt.delete(id);
    // A poll that began before a goodbye may still list the node: it must not bring it back.
    const others = new Set(alive.filter((id) => id !== this.o.nodeId && !((this.leftAt.get(id) ?? -1) >= pollStartedAt)));
    if (!this.settling) {
      for (const id of [...this.known]) {
        if (others.has(id)) continue;
        this.known.delete(id);
        this.o.onDown(id, 'expired');
      }
    }
    for (const id of others) this.known.add(id);
  }
}
