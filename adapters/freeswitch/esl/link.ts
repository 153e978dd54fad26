/**
 * Keeps one Event Socket connection up: connects, and after every failure or
 * close retries with exponential backoff and jitter, forever, until `stop()`.
 * Every (re)connection authenticates and subscribes again (a new socket has no
 * subscriptions), and FreeSWITCH keeps no events for a closed socket, so whoever
 * owns the link MUST resynchronize on every open (`show channels`).
 */
import { connectEsl, type EslConnectOptions, type EslConnection } from './connection.js';
import { EslConnectFailed } from './failures.js';
import type { EslEvent } from './messages.js';

export interface BackoffOptions {
  /** First retry delay (ms). */
  initialMs: number;
  /** Cap on the delay (ms). */
  maxMs: number;
}

/**
 * Delay before retry `attempt` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random), so connectors restarted together spread out.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Callbacks run on the socket's I/O path: they MUST NOT throw. */
export interface EslLinkOptions extends Omit<EslConnectOptions, 'onEvent' | 'onClose'> {
  backoff: BackoffOptions;
  /** A connection attempt starts (the first one and every retry). */
  onAttempt?(): void;
  /** Connected, authenticated and subscribed. */
  onOpen(conn: EslConnection): void;
  onEvent(event: EslEvent): void;
  /** Down (closed, or an attempt failed); the next attempt starts in `retryInMs`. */
  onDown(reason: string, retryInMs: number, failure: EslConnectFailed | null): void;
  /** For tests: how connections are made. */
  connect?: (o: EslConnectOptions) => Promise<EslConnection | EslConnectFailed>;
}

export class EslLink {
  private conn: EslConnection | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** Bumped by `stop()`, so an attempt in flight when stopped closes what it opened. */
  private epoch = 0;
  /** Connection attempts made (for tests). */
  attempts = 0;

  constructor(private readonly o: EslLinkOptions) {}

  /** The open connection, or null while down. */
  get current(): EslConnection | null {
    return this.conn?.open ? this.conn : null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Closes the connection and stops retrying. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.epoch++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const conn = this.conn;
    this.conn = null;
    conn?.close('closed by Switchboard');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const epoch = this.epoch;
    this.attempts++;
    this.o.onAttempt?.();
    let conn: EslConnection | null = null;
    const result = await (this.o.connect ?? connectEsl)({
      ...this.o,
      onEvent: (e) => {
        if (this.conn === conn) this.o.onEvent(e);
      },
      onClose: (reason) => {
        if (this.conn !== conn || conn === null) return;
        this.conn = null;
        this.down(reason, null);
      },
    });
    if (result instanceof EslConnectFailed) {
      if (epoch === this.epoch) this.down(result.message, result);
      return;
    }
    conn = result;
    if (epoch !== this.epoch || this.stopped) {
      conn.close('closed by Switchboard');
      return;
    }
    if (!conn.open) {
      // Closed between the handshake and now: its close was not reported to us.
      this.down(conn.closeReason ?? 'the event socket closed', null);
      return;
    }
    this.conn = conn;
    this.attempt = 0;
    this.o.onOpen(conn);
  }

  private down(reason: string, failure: EslConnectFailed | null): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.o.backoff);
    this.o.onDown(reason, delay, failure);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}
