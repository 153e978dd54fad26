/**
 * The ARI events WebSocket (`GET /ari/events?app=NAME`, events.json) with `ws`:
 * reconnects with exponential backoff and jitter and never gives up until
 * `stop()`. Pings detect a dead TCP connection (a peer that vanished without a
 * close). Asterisk keeps no events for a disconnected application, so whoever
 * owns this socket MUST resynchronize (re-read channels and bridges) on every open.
 */
import { WebSocket } from 'ws';
import type { AriEvent } from './types.gen.js';

export interface BackoffOptions {
  /** First retry delay (ms). */
  initialMs: number;
  /** Cap on the delay (ms). */
  maxMs: number;
}

/**
 * Delay before retry `attempt` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so many connectors restarting together spread out.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Callbacks run on the socket's I/O path: they MUST NOT throw and MUST NOT block (queue slow work). */
export interface EventSocketOptions {
  url: string;
  headers: Record<string, string>;
  backoff: BackoffOptions;
  /** Ping interval (ms); a missing pong by the next ping drops the socket. */
  pingIntervalMs: number;
  /** A connection attempt starts (the first one, and every retry). */
  onAttempt?(): void;
  onOpen(): void;
  onEvent(event: AriEvent): void;
  /** The socket closed or could not open; `retryInMs` is when the next attempt starts. */
  onDown(reason: string, retryInMs: number): void;
  /** A frame that is not a JSON ARI message. */
  onBadFrame?(text: string, err: unknown): void;
}

export class AriEventSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** Connection attempts made (for tests). */
  attempts = 0;

  constructor(private readonly o: EventSocketOptions) {}

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and stops retrying. Resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.clearPing();
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000).unref();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.attempts++;
    this.o.onAttempt?.();
    const ws = new WebSocket(this.o.url, { headers: this.o.headers, handshakeTimeout: 10_000 });
    this.ws = ws;
    let failure = 'closed';
    ws.on('open', () => {
      this.attempt = 0;
      this.startPing(ws);
      this.o.onOpen();
    });
    ws.on('message', (data) => {
      const text = data.toString();
      let event: AriEvent;
      try {
        event = JSON.parse(text) as AriEvent;
      } catch (err) {
        this.o.onBadFrame?.(text, err);
        return;
      }
      this.o.onEvent(event);
    });
    ws.on('unexpected-response', (_req, res) => {
      failure = `the events WebSocket was refused: HTTP ${res.statusCode ?? '?'}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      // A refused upgrade already said why; the error that follows is only "closed before established".
      if (failure === 'closed') failure = err.message || String(err);
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.clearPing();
      this.ws = null;
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, this.o.backoff);
      this.o.onDown(failure === 'closed' ? `the events WebSocket closed (code ${code})` : failure, delay);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay);
      this.retryTimer.unref();
    });
  }

  private startPing(ws: WebSocket): void {
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    this.pingTimer = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, this.o.pingIntervalMs);
    this.pingTimer.unref();
  }

  private clearPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
