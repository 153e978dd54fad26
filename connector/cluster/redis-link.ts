/**
 * One ioredis connection as the cluster modules see it: whether it is usable now, a bounded wait
 * until it is, and its state changes logged once each ("lost", "restored"), never once per
 * reconnection attempt. ioredis reconnects by itself; what a fresh connection lacks (subscriptions,
 * a heartbeat, a state reload) is the owner's job, done in `onReady`, which runs on every
 * (re)connection. Owning that explicitly, rather than leaning on ioredis' `autoResubscribe`, lets
 * the owner know when it is back and catch up on what it missed.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisLinkOptions {
  log: Logger;
  /** Names the connection in logs, e.g. `cluster bus subscriber`. */
  name: string;
  /** Runs on every `ready`; `again` is false for the first one. It MUST NOT throw. */
  onReady?: (again: boolean) => void;
}

export class RedisLink {
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private everReady = false;
  private lastError: string | undefined;
  private disposed = false;
  private readonly waiters = new Set<() => void>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
  private readonly listeners: Array<[string, (...args: any[]) => void]> = [];

  constructor(
    readonly conn: Redis,
    private readonly o: RedisLinkOptions,
  ) {
    this.on('ready', () => this.ready());
    this.on('error', (err: Error) => {
      // Every failed reconnection attempt emits one; the transition is what gets logged.
      this.lastError = err.message;
      if (this.state === 'connecting' && !this.everReady) this.lost();
      else this.o.log.debug({ err: err.message, connection: this.o.name }, 'redis connection error');
    });
    this.on('close', () => this.lost());
    this.on('end', () => {
      if (!this.disposed) this.o.log.error({ connection: this.o.name }, 'redis connection ended; ioredis gave up reconnecting');
      this.wake();
    });
    if (conn.status === 'ready') {
      this.state = 'up';
      this.everReady = true;
    }
    // A `lazyConnect` connection (and its duplicates) waits for a first command; the owner waits for 'ready'.
    if (conn.status === 'wait') conn.connect().catch(() => undefined);
  }

  /** The connection can take commands now (not queued for later). */
  get up(): boolean {
    return !this.disposed && this.conn.status === 'ready';
  }

  /** Resolves true once the connection is ready, false when `ms` passed first or the link was disposed. */
  waitReady(ms: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    if (this.disposed || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.up);
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Stops listening and logging (the owner is closing the connection). */
  dispose(): void {
    this.disposed = true;
    for (const [event, fn] of this.listeners) this.conn.off(event, fn);
    // Keep swallowing late errors: an 'error' with no listener is printed by ioredis.
    this.conn.on('error', () => undefined);
    this.wake();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
  private on(event: string, fn: (...args: any[]) => void): void {
    this.conn.on(event, fn);
    this.listeners.push([event, fn]);
  }

  private ready(): void {
    const again = this.everReady;
    if (this.state === 'down') this.o.log.info({ connection: this.o.name }, 'redis connection restored');
    else if (!again) this.o.log.debug({ connection: this.o.name }, 'redis connected');
    this.state = 'up';
    this.everReady = true;
    this.lastError = undefined;
    this.wake();
    this.o.onReady?.(again);
  }

  private lost(): void {
    if (this.disposed || this.state === 'down') return;
    this.state = 'down';
    this.o.log.warn(
      { connection: this.o.name, err: this.lastError },
      this.everReady ? 'redis connection lost; reconnecting' : 'redis not reachable; retrying',
    );
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * `promise`, or `onTimeout()`'s error after `ms`. The losing promise's rejection is swallowed:
 * a command that finishes after its caller gave up must not become an unhandled rejection.
 */
export function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  promise.catch(() => undefined);
  if (ms <= 0) return Promise.reject(onTimeout());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Closes the owner's connection: QUIT when it is up (bounded), else drop it; no reconnection follows. */
export async function closeLink(link: RedisLink): Promise<void> {
  const up = link.up;
  link.dispose();
  if (up) {
    try {
      await within(link.conn.quit(), 1_000, () => new Error('QUIT timed out'));
      return;
    } catch {
      // dropped below
    }
  }
  link.conn.disconnect(false);
}
