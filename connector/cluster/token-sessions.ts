/**
 * ClusterSessionStore: login sessions shared by every connector process of a cluster, with a
 * synchronous `verify` (no I/O per request). A token is signed (session-token.ts), so any node
 * checks it alone; what must be shared is revocation (revocations.ts), kept in three Redis sorted
 * sets and mirrored in memory on every node.
 *
 * A revocation applies locally at once, then is written to Redis and published on
 * `<prefix>sess:events` in one MULTI (kept in an outbox and retried while Redis is away). Pub/sub
 * is lossy and this Redis keeps nothing across a restart, so after every reconnection a node
 * pushes all it knows to Redis and loads all Redis knows (revocations only add up, so the union
 * is always right): a restart that empties Redis loses nothing while one node is alive.
 *
 * Limits: every node MUST share the secret, the TTL, and a synchronized clock (a user cut
 * compares the revoking node's clock with the issuing node's `iat`).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IssuedToken, SessionInfo, SessionStoreLike } from '../auth/session-store.js';
import { RedisLink, closeLink, within } from './redis-link.js';
import { Revocations, fromEntry, revocation, toEntry, username, type Revocation, type RevocationSet } from './revocations.js';
import { TokenSigner } from './session-token.js';

export interface ClusterSessionStoreOptions {
  /** The command connection. The store owns it: `close()` quits it (and its subscriber duplicate). */
  redis: Redis;
  /** The cluster's signing secret, at least 32 bytes; the same on every node. */
  secret: string | Buffer;
  /** How long a token lives; the same on every node (a token claiming a longer life is refused). */
  ttlMs: number;
  log: Logger;
  prefix?: string;
  /** How long `start()` waits for Redis before it rejects with BUS_UNAVAILABLE. */
  startTimeoutMs?: number;
}

/** A revocation this node learned from another one (by message or at a resync). */
export type RemoteRevocation =
  | { kind: 'token'; username: string; jti: string }
  | { kind: 'user'; username: string; cut: number }
  | { kind: 'except'; except: readonly string[]; cut: number };

/** A message on `<prefix>sess:events`; `origin` tells a node its own messages. */
const event = z.object({ v: z.literal(1), origin: z.string().max(100), r: revocation });
const SETS: readonly RevocationSet[] = ['revoked', 'user-cut', 'except-cut'];

type Multi = ReturnType<Redis['multi']>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const PRUNE_EVERY_MS = 60_000;

export class ClusterSessionStore implements SessionStoreLike {
  private readonly signer: TokenSigner;
  private readonly ttlMs: number;
  private readonly redis: Redis;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly startTimeoutMs: number;
  private readonly origin = randomUUID();
  private readonly cmd: RedisLink;
  private sub: RedisLink | undefined;
  private readonly revocations = new Revocations();
  /** Revocations not yet in Redis and published, oldest first. */
  private readonly outbox: Revocation[] = [];
  private readonly remoteListeners = new Set<(r: RemoteRevocation) => void>();
  private flushing = false;
  private syncing = false;
  private syncWanted = false;
  private started = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private pruner: NodeJS.Timeout | undefined;

  constructor(o: ClusterSessionStoreOptions) {
    if (!(Number.isInteger(o.ttlMs) && o.ttlMs > 0)) throw new RangeError('ClusterSessionStore: ttlMs must be a positive integer');
    this.signer = new TokenSigner(o.secret);
    this.ttlMs = o.ttlMs;
    this.redis = o.redis;
    this.log = o.log.child({ component: 'cluster-sessions' });
    this.prefix = o.prefix ?? 'sb:';
    this.startTimeoutMs = o.startTimeoutMs ?? 10_000;
    this.cmd = new RedisLink(this.redis, { log: this.log, name: 'cluster sessions commands', onReady: (again) => again && this.started && !this.closed && this.requestSync() });
  }

  /** Subscribes to revocation events and loads (and merges) the revocations in Redis. MUST resolve before the store serves. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ClusterSessionStore: start() was already called');
    this.started = true;
    const deadline = Date.now() + this.startTimeoutMs;
    let markSubscribed: () => void = () => undefined;
    const subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));
    const sub = new RedisLink(this.redis.duplicate({ autoResubscribe: false }), {
      log: this.log,
      name: 'cluster sessions subscriber',
      onReady: (again) => void this.listen(again).then((ok) => ok && markSubscribed()),
    });
    this.sub = sub;
    sub.conn.on('message', (_channel: string, text: string) => this.onMessage(text));
    try {
      const unavailable = (): AppError => new AppError('BUS_UNAVAILABLE', 'cluster sessions: Redis did not answer in time');
      await within(subscribed, deadline - Date.now(), unavailable);
      if (!(await this.cmd.waitReady(deadline - Date.now()))) throw unavailable();
      await within(this.syncOnce(), deadline - Date.now(), unavailable);
    } catch (err) {
      await this.close();
      throw err;
    }
    this.pruner = setInterval(() => this.pruneLocal(Date.now()), PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  /** Tries (1 s) to get unsent revocations out, then quits both connections. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Calls `fn` for each revocation learned from another node, e.g. to close that user's sockets here. */
  onRemoteRevocation(fn: (r: RemoteRevocation) => void): () => void {
    this.remoteListeners.add(fn);
    return () => this.remoteListeners.delete(fn);
  }

  /** Revocations not yet written to Redis and published (0 when every node has been told). */
  get unsent(): number {
    return this.outbox.length;
  }

  issue(user: string, now = Date.now()): IssuedToken {
    if (!username.safeParse(user).success) throw new RangeError(`ClusterSessionStore.issue: bad username`);
    const exp = now + this.ttlMs;
    return { token: this.signer.sign({ u: user, iat: now, exp, jti: TokenSigner.newJti() }), expiresAt: new Date(exp).toISOString() };
  }

  verify(token: unknown, now = Date.now()): string | null {
    return this.session(token, now)?.username ?? null;
  }

  session(token: unknown, now = Date.now()): SessionInfo | null {
    const c = this.signer.parse(token);
    if (!c || c.exp <= now || c.iat > c.exp || c.exp - c.iat > this.ttlMs || this.revocations.refuses(c)) return null;
    return { username: c.u, expiresAtMs: c.exp };
  }

  /** A token that is not ours (bad signature) or already expired needs nothing. */
  revoke(token: string, now = Date.now()): void {
    const c = this.signer.parse(token);
    if (!c || c.exp <= now) return;
    this.local({ k: 'token', jti: c.jti, exp: c.exp, u: c.u });
  }

  revokeUser(user: string, now = Date.now()): void {
    if (!username.safeParse(user).success) return;
    this.local({ k: 'user', u: user, cut: now });
  }

  revokeAllExcept(usernames: readonly string[], now = Date.now()): void {
    this.local({ k: 'except', except: [...new Set(usernames)].sort(), cut: now });
  }

  /** Drops what can no longer matter, here and in Redis (asynchronously). */
  purgeExpired(now = Date.now()): void {
    this.pruneLocal(now);
    if (!this.cmd.up || this.closed) return;
    const failed = (err: unknown): void => this.log.debug({ err }, 'cluster sessions: purge failed');
    try {
      const tx = this.redis.multi();
      this.pruneRedis(tx, now);
      tx.exec().catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private key(name: RevocationSet): string {
    return `${this.prefix}sess:${name}`;
  }
  private get channel(): string {
    return `${this.prefix}sess:events`;
  }

  /** Applies a revocation made here and queues it for Redis and the other nodes. */
  private local(r: Revocation): void {
    this.revocations.add(r);
    this.outbox.push(r);
    void this.flush();
  }

  private applyRemote(r: Revocation): void {
    if (!this.revocations.add(r)) return;
    const remote: RemoteRevocation =
      r.k === 'token' ? { kind: 'token', username: r.u, jti: r.jti } : r.k === 'user' ? { kind: 'user', username: r.u, cut: r.cut } : { kind: 'except', except: r.except, cut: r.cut };
    for (const fn of [...this.remoteListeners]) {
      try {
        fn(remote);
      } catch (err) {
        this.log.error({ err }, 'cluster sessions: revocation listener failed');
      }
    }
  }

  /** Adds the ZADD that stores `r` to a transaction. */
  private store(tx: Multi, r: Revocation): void {
    const { set, member, score } = toEntry(r);
    // GT: a cut only moves later, whichever node writes last (Redis 6.2+).
    if (set === 'revoked') tx.zadd(this.key(set), score, member);
    else tx.zadd(this.key(set), 'GT', score, member);
  }

  /** Adds the removal of entries that can no longer refuse anything (see Revocations.prune). */
  private pruneRedis(tx: Multi, now: number): void {
    tx.zremrangebyscore(this.key('revoked'), '-inf', now);
    tx.zremrangebyscore(this.key('user-cut'), '-inf', `(${now - this.ttlMs}`);
    tx.zremrangebyscore(this.key('except-cut'), '-inf', `(${now - this.ttlMs}`);
  }

  /** Sends the outbox in order, one MULTI (store + publish) per revocation, retrying while Redis is up. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      let wait = 50;
      while (this.outbox.length > 0 && !this.closed && this.cmd.up) {
        const r = this.outbox[0] as Revocation;
        try {
          const tx = this.redis.multi();
          this.store(tx, r);
          tx.publish(this.channel, JSON.stringify({ v: 1, origin: this.origin, r }));
          const results = await within(tx.exec(), 5_000, () => new Error('no reply in 5 s'));
          const failed = results?.find(([err]) => err);
          if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
          this.outbox.shift();
          wait = 50;
        } catch (err) {
          // Once per streak: Redis being away is logged by the link already.
          if (wait === 50) this.log.warn({ err }, 'cluster sessions: revocation not stored yet; retrying');
          await sleep(wait);
          wait = Math.min(wait * 2, 2_000);
        }
      }
    } finally {
      this.flushing = false;
    }
    // Redis went away meanwhile: the command connection's next 'ready' flushes again.
  }

  private async listen(again: boolean): Promise<boolean> {
    const sub = this.sub;
    if (!sub || this.closed) return false;
    try {
      await sub.conn.subscribe(this.channel);
    } catch (err) {
      this.log.debug({ err }, 'cluster sessions: subscribe failed');
      return false;
    }
    // Events published while we were away are lost: catch up from Redis.
    if (again) this.requestSync();
    return true;
  }

  private onMessage(text: string): void {
    try {
      const parsed = event.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      if (parsed.data.origin !== this.origin) this.applyRemote(parsed.data.r);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cluster sessions: dropped a malformed revocation event');
    }
  }

  /** Runs syncOnce until it succeeds (backing off), then flushes; one at a time. */
  private requestSync(): void {
    this.syncWanted = true;
    if (this.syncing) return;
    this.syncing = true;
    void (async () => {
      let wait = 100;
      try {
        while (this.syncWanted && !this.closed && this.cmd.up) {
          this.syncWanted = false;
          try {
            await within(this.syncOnce(), 10_000, () => new Error('no reply in 10 s'));
            wait = 100;
          } catch (err) {
            this.syncWanted = true;
            this.log.debug({ err }, 'cluster sessions: resync failed; retrying');
            await sleep(wait);
            wait = Math.min(wait * 2, 5_000);
          }
        }
      } finally {
        this.syncing = false;
      }
      void this.flush();
    })();
  }

  /** Pushes everything this node knows to Redis, prunes, and loads everything Redis knows: one MULTI. */
  private async syncOnce(): Promise<void> {
    const now = Date.now();
    this.pruneLocal(now);
    const tx = this.redis.multi();
    // One ZADD per revocation: a few thousand at most (those within one TTL), in one round trip.
    for (const r of this.revocations.all()) this.store(tx, r);
    this.pruneRedis(tx, now);
    for (const set of SETS) tx.zrange(this.key(set), 0, -1, 'WITHSCORES');
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
    let junk = 0;
    for (const [i, [, reply]] of results.slice(-SETS.length).entries()) {
      for (const [member, score] of pairsOf(reply)) {
        const r = fromEntry(SETS[i] as RevocationSet, member, score);
        if (r) this.applyRemote(r);
        else junk++;
      }
    }
    if (junk > 0) this.log.warn({ junk }, 'cluster sessions: ignored malformed revocation entries in Redis');
  }

  private pruneLocal(now: number): void {
    this.revocations.prune(now, this.ttlMs);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.pruner) clearInterval(this.pruner);
    if (this.outbox.length > 0 && this.cmd.up) {
      // flush() stops on `closed`; send what is left once, bounded.
      try {
        const tx = this.redis.multi();
        for (const r of this.outbox) {
          this.store(tx, r);
          tx.publish(this.channel, JSON.stringify({ v: 1, origin: this.origin, r }));
        }
        await within(tx.exec(), 1_000, () => new Error('timeout'));
        this.outbox.length = 0;
      } catch {
        // reported below
      }
    }
    if (this.outbox.length > 0) {
      this.log.error({ unsent: this.outbox.length }, 'cluster sessions: closing with revocations other nodes were not told about');
    }
    await Promise.all([this.cmd, ...(this.sub ? [this.sub] : [])].map((link) => closeLink(link)));
  }
}

/** `[member, score]` pairs from a `ZRANGE ... WITHSCORES` reply. */
function pairsOf(value: unknown): Array<[string, number]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[string, number]> = [];
  for (let i = 0; i + 1 < value.length; i += 2) out.push([String(value[i]), Number(value[i + 1])]);
  return out;
}
