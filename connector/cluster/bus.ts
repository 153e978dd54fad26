/**
 * ClusterBus: node-to-node messaging for connector processes that share one Redis.
 *
 * - Liveness (liveness.ts): each node keeps `<prefix>node:<id>` alive (SET ... PX nodeTtlMs every
 *   heartbeatMs) and lists itself in the set `<prefix>nodes`; a node whose key is gone is down.
 * - Request/response: a request goes to the target's channel `<prefix>bus:node:<id>`, the reply
 *   to the requester's. At most once: a request is sent again only while PUBLISH says that no
 *   subscriber received it (the target is between a reconnect and its resubscribe), so a
 *   handler never runs twice. Every request has its own timeout.
 * - Broadcast: `<prefix>bus:all`, one channel for every topic (the subscriptions never change,
 *   so a reconnect has exactly two channels to restore).
 *
 * Redis pub/sub is fire-and-forget: a message published while a node's subscriber is
 * disconnected is lost to it. Requests surface that as their timeout; broadcasts do not, so a
 * consumer that must not miss one reloads its state when {@link ClusterBus.onReconnect} fires.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { MAX_TIMEOUT_MS, NODE_ID, decode, encode, fromWireError, toWireError, type Envelope, type Outcome } from './bus-wire.js';
import { Liveness, type NodeDownReason } from './liveness.js';
import { RedisLink, closeLink, within } from './redis-link.js';

export type { NodeDownReason } from './liveness.js';

export interface ClusterBusOptions {
  /** The command connection. The bus owns it: `close()` quits it (and its subscriber duplicate). */
  redis: Redis;
  /** Unique in the cluster: two live processes MUST NOT share one (both would take its requests). */
  nodeId: string;
  log: Logger;
  /** Of every key and channel; lets clusters (or test files) share one Redis. */
  prefix?: string;
  heartbeatMs?: number;
  /** How long a heartbeat lasts; MUST exceed heartbeatMs (twice or more leaves room for a slow beat). */
  nodeTtlMs?: number;
  /** How long `start()` waits for Redis before it rejects with BUS_UNAVAILABLE. */
  startTimeoutMs?: number;
}

/** Runs a request for another node; its value (JSON) or its error (an AppError keeps its code) is the reply. */
export type RequestHandler = (payload: unknown, from: string) => unknown;
export type TopicListener = (msg: unknown, from: string) => void;
export type NodeDownListener = (nodeId: string, reason: NodeDownReason) => void;

interface Pending {
  node: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Between sends of a request nobody received yet. */
const RESEND_MIN_MS = 20;
const RESEND_MAX_MS = 250;
/** Junk on a channel is logged at most this often (with a count), so a flood cannot flood the log. */
const JUNK_LOG_EVERY_MS = 10_000;

export class ClusterBus {
  readonly nodeId: string;
  private readonly redis: Redis;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly startTimeoutMs: number;
  private readonly cmd: RedisLink;
  private readonly liveness: Liveness;
  private sub: RedisLink | undefined;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly topics = new Map<string, Set<TopicListener>>();
  private readonly downListeners = new Set<NodeDownListener>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly pending = new Map<string, Pending>();
  private started = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private subscribed: Promise<void> | undefined;
  private markSubscribed: (() => void) | undefined;
  private junk = { count: 0, loggedAt: 0 };

  constructor(o: ClusterBusOptions) {
    if (!NODE_ID.test(o.nodeId)) throw new RangeError(`ClusterBus: nodeId ${JSON.stringify(o.nodeId)} must match ${NODE_ID}`);
    const heartbeatMs = o.heartbeatMs ?? 1_000;
    const nodeTtlMs = o.nodeTtlMs ?? 3_000;
    if (!(heartbeatMs > 0 && nodeTtlMs > heartbeatMs)) throw new RangeError('ClusterBus: nodeTtlMs must exceed heartbeatMs (> 0)');
    this.redis = o.redis;
    this.nodeId = o.nodeId;
    this.log = o.log.child({ component: 'cluster-bus', node: o.nodeId });
    this.prefix = o.prefix ?? 'sb:';
    this.startTimeoutMs = o.startTimeoutMs ?? 10_000;
    this.liveness = new Liveness({
      redis: this.redis,
      nodeId: this.nodeId,
      prefix: this.prefix,
      heartbeatMs,
      nodeTtlMs,
      log: this.log,
      run: (command, deadline) => this.run(command, deadline),
      up: () => this.cmd.up,
      onDown: (node, reason) => this.down(node, reason),
    });
    this.cmd = new RedisLink(this.redis, { log: this.log, name: 'cluster bus commands', onReady: (again) => again && this.liveness.reconnected() });
  }

  /** Subscribes to this node's channel and the broadcast channel, writes the first heartbeat, starts beating. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ClusterBus: start() was already called');
    this.started = true;
    this.subscribed = new Promise((resolve) => (this.markSubscribed = resolve));
    const sub = new RedisLink(this.redis.duplicate({ autoResubscribe: false }), {
      log: this.log,
      name: 'cluster bus subscriber',
      onReady: (again) => void this.listen(again),
    });
    this.sub = sub;
    sub.conn.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    if (sub.up) void this.listen(false);
    try {
      const deadline = Date.now() + this.startTimeoutMs;
      await within(this.subscribed, this.startTimeoutMs, () => new AppError('BUS_UNAVAILABLE', 'cluster bus: Redis did not answer the subscription in time'));
      await this.liveness.start(deadline);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Stops beating, says goodbye (deletes the heartbeat key), rejects open requests with BUS_CLOSED, quits both connections. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Serves `method` for other nodes (and this one). At most one handler per method; the
   * returned function removes it.
   */
  handle(method: string, fn: RequestHandler): () => void {
    if (this.handlers.has(method)) throw new Error(`ClusterBus: a handler for '${method}' is already registered`);
    this.handlers.set(method, fn);
    return () => {
      if (this.handlers.get(method) === fn) this.handlers.delete(method);
    };
  }

  /**
   * Runs `method` on `node` and resolves with its reply. Rejects with the handler's AppError
   * (same code and message), INTERNAL for any other handler failure, NODE_UNREACHABLE when
   * `node` has no heartbeat (checked first, except in the nodeTtlMs after this node reconnected
   * to Redis, while nodes re-register) or goes down meanwhile, NODE_METHOD_UNKNOWN, NODE_TIMEOUT
   * after `timeoutMs` (including while Redis is down; the handler may still have run),
   * BUS_CLOSED. It MUST settle by `timeoutMs`, whatever Redis does.
   */
  request<T>(node: string, method: string, payload: unknown, opts: { timeoutMs: number }): Promise<T> {
    const { timeoutMs } = opts;
    if (!(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      return Promise.reject(new RangeError(`ClusterBus.request: timeoutMs must be an integer in 1..${MAX_TIMEOUT_MS}`));
    }
    if (this.closed || !this.started) return Promise.reject(new AppError('BUS_CLOSED', this.closed ? undefined : 'cluster bus: not started'));
    if (!NODE_ID.test(node)) return Promise.reject(new AppError('NODE_UNREACHABLE', `cluster bus: ${JSON.stringify(node)} is not a node id`));
    const id = randomUUID();
    let data: string;
    try {
      data = encode({ v: 1, k: 'req', id, from: this.nodeId, method, payload, timeoutMs });
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(id, new AppError('NODE_TIMEOUT', `cluster bus: no reply from node ${node} to '${method}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.set(id, { node, resolve: resolve as (v: unknown) => void, reject, timer });
      void this.sendRequest(id, node, data, Date.now() + timeoutMs);
    });
  }

  /**
   * Sends `msg` (JSON) on `topic` to every node's subscribers, this node's too unless
   * `includeSelf` is false. Resolves once Redis took it; rejects with BUS_UNAVAILABLE when Redis
   * does not within `timeoutMs` (default 5 s). Delivery is at most once, and a node whose
   * subscriber is reconnecting misses it.
   */
  async publish(topic: string, msg: unknown, opts: { includeSelf?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.closed || !this.started) throw new AppError('BUS_CLOSED', this.closed ? undefined : 'cluster bus: not started');
    const data = encode({ v: 1, k: 'pub', from: this.nodeId, topic, msg, self: opts.includeSelf ?? true });
    const timeoutMs = opts.timeoutMs ?? 5_000;
    await this.run(() => this.redis.publish(this.allChannel, data), Date.now() + timeoutMs);
  }

  /** Calls `fn` with every broadcast on `topic`; the returned function unsubscribes. */
  subscribe(topic: string, fn: TopicListener): () => void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  /** The nodes whose heartbeat key exists now (this one included), sorted. Rejects with BUS_UNAVAILABLE after `timeoutMs`. */
  async aliveNodes(opts: { timeoutMs?: number } = {}): Promise<string[]> {
    if (this.closed) throw new AppError('BUS_CLOSED');
    return this.liveness.alive(Date.now() + (opts.timeoutMs ?? 5_000));
  }

  /** The other nodes this one saw alive at its last heartbeat poll (no I/O), sorted. */
  peers(): string[] {
    return this.liveness.peers();
  }

  /** Calls `fn` once per node that goes down: it left (close) or its heartbeat expired. Never for this node. */
  onNodeDown(fn: NodeDownListener): () => void {
    this.downListeners.add(fn);
    return () => this.downListeners.delete(fn);
  }

  /**
   * Calls `fn` each time the subscriber is back after a Redis outage and resubscribed: broadcasts
   * sent meanwhile were lost, so a consumer that keeps state from them reloads it here.
   */
  onReconnect(fn: () => void): () => void {
    this.reconnectListeners.add(fn);
    return () => this.reconnectListeners.delete(fn);
  }

  private get nodeChannel(): string {
    return this.channelOf(this.nodeId);
  }
  private get allChannel(): string {
    return `${this.prefix}bus:all`;
  }
  private channelOf(node: string): string {
    return `${this.prefix}bus:node:${node}`;
  }

  /**
   * Runs one Redis command once the command connection is up (not queued in ioredis' offline
   * queue, which would send it after its caller gave up), by `deadline`: else BUS_UNAVAILABLE.
   */
  private async run<T>(command: () => Promise<T>, deadline: number): Promise<T> {
    const unavailable = (): AppError => new AppError('BUS_UNAVAILABLE', 'cluster bus: Redis did not answer in time');
    for (;;) {
      if (this.closed) throw new AppError('BUS_CLOSED');
      const left = deadline - Date.now();
      if (left <= 0) throw unavailable();
      if (!this.cmd.up) {
        await this.cmd.waitReady(left);
        continue;
      }
      return within(command(), left, unavailable);
    }
  }

  private async sendRequest(id: string, node: string, data: string, deadline: number): Promise<void> {
    let wait = RESEND_MIN_MS;
    while (this.pending.has(id)) {
      try {
        const alive = await this.liveness.exists(node, deadline);
        if (!this.pending.has(id)) return;
        // Right after our own reconnect, Redis may have restarted empty and the node not beaten yet.
        if (!alive && !this.liveness.settling) {
          this.settle(id, new AppError('NODE_UNREACHABLE', `cluster bus: node ${node} has no heartbeat`));
          return;
        }
        // PUBLISH answers how many subscribers received the message. Zero means nobody did, so
        // sending it again cannot run the handler twice.
        if ((await this.run(() => this.redis.publish(this.channelOf(node), data), deadline)) > 0) return;
      } catch (err) {
        // BUS_CLOSED: close() rejected it already. BUS_UNAVAILABLE: the timer rejects it.
        if (err instanceof AppError) return;
        this.log.debug({ err, node }, 'cluster bus: request send failed; retrying');
      }
      await sleep(Math.min(wait, deadline - Date.now()));
      wait = Math.min(wait * 2, RESEND_MAX_MS);
    }
  }

  private settle(id: string, result: { value: unknown } | Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result.value);
  }

  private async listen(again: boolean): Promise<void> {
    const sub = this.sub;
    if (!sub || this.closed) return;
    try {
      await sub.conn.subscribe(this.nodeChannel, this.allChannel);
    } catch (err) {
      // The connection dropped again; its next 'ready' retries.
      this.log.debug({ err }, 'cluster bus: subscribe failed');
      return;
    }
    this.markSubscribed?.();
    if (!again) return;
    this.log.info('cluster bus: resubscribed after reconnect');
    for (const fn of this.reconnectListeners) this.safely(() => fn(), 'reconnect listener');
  }

  private onMessage(channel: string, text: string): void {
    try {
      const decoded = decode(text);
      if (!decoded.ok) return this.dropJunk(channel, decoded.why);
      const env = decoded.env;
      const direct = channel === this.nodeChannel;
      if (direct && env.k === 'req') void this.serve(env);
      else if (direct && env.k === 'res') this.onReply(env);
      else if (!direct && env.k === 'pub') this.deliver(env);
      else if (!direct && env.k === 'bye') this.liveness.left(env.from);
      else this.dropJunk(channel, `'${env.k}' does not belong on this channel`);
    } catch (err) {
      this.log.error({ err, channel }, 'cluster bus: message handling failed');
    }
  }

  private async serve(req: Extract<Envelope, { k: 'req' }>): Promise<void> {
    const deadline = Date.now() + req.timeoutMs;
    const fn = this.handlers.get(req.method);
    let outcome: Outcome;
    if (!fn) {
      outcome = { ok: false, error: { code: 'NODE_METHOD_UNKNOWN', message: `node ${this.nodeId} has no handler for '${req.method}'` } };
    } else {
      try {
        outcome = { ok: true, value: await fn(req.payload, req.from) };
      } catch (err) {
        if (!(err instanceof AppError)) this.log.error({ err, method: req.method, from: req.from }, 'cluster bus: handler failed');
        outcome = { ok: false, error: toWireError(err) };
      }
    }
    let data: string;
    try {
      data = encode({ v: 1, k: 'res', id: req.id, from: this.nodeId, outcome });
    } catch (err) {
      this.log.error({ err, method: req.method }, 'cluster bus: reply cannot travel');
      data = encode({ v: 1, k: 'res', id: req.id, from: this.nodeId, outcome: { ok: false, error: toWireError(err) } });
    }
    let wait = RESEND_MIN_MS;
    while (!this.closed && Date.now() < deadline) {
      try {
        // Zero receivers: the requester is resubscribing; past its timeout nobody waits any more.
        if ((await this.run(() => this.redis.publish(this.channelOf(req.from), data), deadline)) > 0) return;
      } catch (err) {
        if (err instanceof AppError) return;
        this.log.debug({ err }, 'cluster bus: reply send failed; retrying');
      }
      await sleep(Math.min(wait, deadline - Date.now()));
      wait = Math.min(wait * 2, RESEND_MAX_MS);
    }
  }

  private onReply(res: Extract<Envelope, { k: 'res' }>): void {
    const p = this.pending.get(res.id);
    if (!p) return this.log.debug({ id: res.id, from: res.from }, 'cluster bus: reply to no open request (timed out?)');
    if (p.node !== res.from) return this.dropJunk(this.nodeChannel, `reply from ${res.from} to a request sent to ${p.node}`);
    this.settle(res.id, res.outcome.ok ? { value: res.outcome.value } : fromWireError(res.outcome.error, res.from));
  }

  private deliver(pub: Extract<Envelope, { k: 'pub' }>): void {
    if (!pub.self && pub.from === this.nodeId) return;
    for (const fn of [...(this.topics.get(pub.topic) ?? [])]) this.safely(() => fn(pub.msg, pub.from), `subscriber of '${pub.topic}'`);
  }

  private down(node: string, reason: NodeDownReason): void {
    this.log.info({ peer: node, reason }, 'cluster bus: node down');
    for (const [id, p] of this.pending) {
      if (p.node === node) this.settle(id, new AppError('NODE_UNREACHABLE', `cluster bus: node ${node} went down (${reason})`));
    }
    for (const fn of [...this.downListeners]) this.safely(() => fn(node, reason), 'node-down listener');
  }

  private dropJunk(channel: string, why: string): void {
    this.junk.count++;
    const now = Date.now();
    if (now - this.junk.loggedAt < JUNK_LOG_EVERY_MS) return;
    this.log.warn({ channel, why, dropped: this.junk.count }, 'cluster bus: dropped a malformed message');
    this.junk = { count: 0, loggedAt: now };
  }

  private safely(fn: () => unknown, what: string): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.log.error({ err }, `cluster bus: ${what} failed`));
    } catch (err) {
      this.log.error({ err }, `cluster bus: ${what} failed`);
    }
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new AppError('BUS_CLOSED'));
    if (this.started) {
      try {
        // Key first, goodbye second: a node that hears the goodbye and then polls finds no key.
        await this.liveness.stop();
        if (this.cmd.up) await within(this.redis.publish(this.allChannel, encode({ v: 1, k: 'bye', from: this.nodeId })), 1_000, () => new Error('timeout'));
      } catch (err) {
        this.log.debug({ err }, 'cluster bus: goodbye not sent');
      }
    }
    const links = [this.cmd, ...(this.sub ? [this.sub] : [])];
    await Promise.all(links.map((link) => closeLink(link)));
  }
}
