/**
 * A fake Asterisk ARI server on 127.0.0.1 (port 0): REST on `/ari/...` validated
 * against the Swagger files, and the events WebSocket on `/ari/events`, with
 * Basic auth or `api_key`. Fault switches: dropped socket, Asterisk down/up,
 * 500/503 replies, slow replies, a socket hang-up, duplicated and reordered
 * events, events before or after the HTTP reply, a channel gone mid-command.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FarSide } from './far-side.js';
import { DEFAULT_SOUNDS } from './media.js';
import { operations, type OpResult } from './ops.js';
import { FakePbx } from './pbx.js';
import { AriSwagger } from './swagger.js';

export interface Faults {
  /** Events caused by a request go out before its HTTP reply (Asterisk 22's usual order) or after it. */
  eventOrder: 'before' | 'after';
  duplicateEvents: boolean;
  /** Swaps each pair of consecutive events to an application (but never two of one kind on one channel). */
  reorderEvents: boolean;
  /** Every matching request waits this long before Asterisk handles it. */
  slowReplyMs: number;
  slowMatch: (key: string) => boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  key: string | null;
  /** Path parameters (channelId, playbackId, ...). */
  params: Record<string, string>;
  query: Record<string, string>;
  status: number;
  /** Position of the reply on the fake's clock (see `writtenAt`). */
  repliedAt?: number;
}

let sharedSwagger: AriSwagger | null = null;

export class FakeAriServer {
  readonly swagger = (sharedSwagger ??= new AriSwagger());
  readonly pbx: FakePbx;
  readonly far: FarSide;
  readonly faults: Faults = { eventOrder: 'before', duplicateEvents: false, reorderEvents: false, slowReplyMs: 0, slowMatch: () => true };
  /** Every request, in arrival order. */
  readonly requests: RequestLogEntry[] = [];
  /** Requests the Swagger files reject (a test asserts the adapter sends none). */
  readonly invalid: Array<{ method: string; path: string; message: string }> = [];
  /** Replies that do not match their declared response class. */
  readonly badReplies: string[] = [];
  /** Position of each event on the fake's clock when it was written to its socket. */
  readonly writtenAt = new WeakMap<object, number>();
  private clock = 0;
  readonly username: string;
  readonly password: string;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly ops: ReturnType<typeof operations>;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly held = new Map<string, Record<string, unknown>>();
  private readonly failures: Array<{ status: number; match: (key: string) => boolean; count: number }> = [];
  private hangUps: Array<(key: string) => boolean> = [];
  private goneBefore: Array<(key: string) => boolean> = [];
  private capture: Array<{ app: string; event: Record<string, unknown> }> | null = null;
  private appWaiters: Array<{ app: string; resolve: () => void }> = [];
  private readonly requestWatchers = new Set<(r: RequestLogEntry) => void>();
  private tcp = new Set<Socket>();
  private port = 0;

  constructor(opts: { username?: string; password?: string; sounds?: Record<string, number> } = {}) {
    this.username = opts.username ?? 'switchboard';
    this.password = opts.password ?? 'secret';
    this.pbx = new FakePbx(this.swagger, (app, event) => this.deliver(app, event), { ...DEFAULT_SOUNDS, ...opts.sounds });
    this.far = new FarSide(this.pbx);
    this.ops = operations(this.pbx);
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.on('connection', (s: Socket) => {
      this.tcp.add(s);
      s.on('close', () => this.tcp.delete(s));
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  /** The ARI base URL, e.g. `http://127.0.0.1:PORT/ari`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/ari`;
  }

  // ---- fault switches ------------------------------------------------------

  /** The next `count` matching requests get `status` (500 or 503) without being handled. */
  failNext(status: 500 | 503, opts: { match?: (key: string) => boolean; count?: number } = {}): void {
    this.failures.push({ status, match: opts.match ?? (() => true), count: opts.count ?? 1 });
  }

  /** The next matching request's connection is destroyed with no reply ("socket hang up"). */
  hangUpNext(match: (key: string) => boolean = () => true): void {
    this.hangUps.push(match);
  }

  /** The channel of the next matching request hangs up just before Asterisk handles it (a 404 follows). */
  channelGoneOnNext(match: (key: string) => boolean): void {
    this.goneBefore.push(match);
  }

  /** Drops every events WebSocket (TCP reset, no close frame). */
  dropSockets(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** Asterisk stops: connections refused; with `restart`, every channel and bridge is gone when it comes back. */
  async down(opts: { restart?: boolean } = {}): Promise<void> {
    this.dropSockets();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      for (const s of this.tcp) s.destroy();
    });
    if (opts.restart) {
      this.pbx.stopAll();
      this.pbx.channels.clear();
      this.pbx.bridges.clear();
      this.pbx.playbacks.clear();
      this.pbx.endpointSubs.clear();
    }
  }

  async up(): Promise<void> {
    await this.start();
  }

  /** Resolves when `app` (re)connects its events WebSocket. */
  appConnected(app = 'switchboard'): Promise<void> {
    return new Promise((resolve) => this.appWaiters.push({ app, resolve }));
  }

  /** Resolves with the first event sent (already or later) that matches. */
  waitForEvent(pred: (e: Record<string, any>) => boolean, timeoutMs = 5_000): Promise<Record<string, any>> {
    const seen = this.pbx.emitted.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pbx.watchers.delete(watch);
        reject(new Error(`fake ARI: no matching event within ${timeoutMs} ms; sent: ${this.pbx.emitted.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      const watch = (e: Record<string, unknown>): void => {
        if (!pred(e)) return;
        clearTimeout(t);
        this.pbx.watchers.delete(watch);
        resolve(e);
      };
      this.pbx.watchers.add(watch);
    });
  }

  /** Resolves with the first request (already or later) that matches, once it has been answered. */
  waitForRequest(pred: (r: RequestLogEntry) => boolean, timeoutMs = 5_000): Promise<RequestLogEntry> {
    const seen = this.requests.find((r) => r.status !== 0 && pred(r));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.requestWatchers.delete(watch);
        reject(new Error(`fake ARI: no matching request within ${timeoutMs} ms; got: ${this.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}`));
      }, timeoutMs);
      const watch = (r: RequestLogEntry): void => {
        if (!pred(r)) return;
        clearTimeout(t);
        this.requestWatchers.delete(watch);
        resolve(r);
      };
      this.requestWatchers.add(watch);
    });
  }

  isConnected(app = 'switchboard'): boolean {
    return this.pbx.connectedApps.has(app);
  }

  async close(): Promise<void> {
    this.pbx.stopAll();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  // ---- REST ----------------------------------------------------------------

  private authorized(req: IncomingMessage, url: URL): boolean {
    const want = `${this.username}:${this.password}`;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic && Buffer.from(basic[1] as string, 'base64').toString() === want) return true;
    return url.searchParams.get('api_key') === want;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const log: RequestLogEntry = { method, path: url.pathname, key: null, params: {}, query: {}, status: 0 };
    this.requests.push(log);
    const reply = (r: OpResult): void => {
      log.status = r.status;
      log.repliedAt = ++this.clock;
      if (!res.destroyed) {
        if (r.body === undefined) res.writeHead(r.status).end();
        else res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      }
      for (const w of [...this.requestWatchers]) w(log);
    };
    if (!url.pathname.startsWith('/ari/')) return reply({ status: 404, body: { message: 'Not found' } });
    if (!this.authorized(req, url)) return reply({ status: 401, body: { message: 'Authentication required' } });
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return reply({ status: 400, body: { message: 'Invalid JSON body' } });
      }
    }
    const check = this.swagger.check(method, url.pathname.slice('/ari'.length), url.searchParams, body);
    if (!check.ok) {
      this.invalid.push({ method, path: `${url.pathname}${url.search}`, message: check.message });
      return reply({ status: check.status, body: { message: check.message } });
    }
    const r = check.req;
    log.key = r.key;
    log.params = r.path;
    log.query = r.query;
    const hangUp = this.hangUps.findIndex((m) => m(r.key));
    if (hangUp !== -1) {
      this.hangUps.splice(hangUp, 1);
      log.status = -1;
      req.socket.destroy();
      return;
    }
    const failure = this.failures.find((f) => f.count > 0 && f.match(r.key));
    if (failure) {
      failure.count--;
      return reply({ status: failure.status, body: { message: failure.status === 503 ? 'Service Unavailable' : 'Internal Server Error' } });
    }
    if (this.faults.slowReplyMs > 0 && this.faults.slowMatch(r.key)) await new Promise((resolve) => setTimeout(resolve, this.faults.slowReplyMs));
    const gone = this.goneBefore.findIndex((m) => m(r.key));
    if (gone !== -1 && r.path.channelId) {
      this.goneBefore.splice(gone, 1);
      const ch = this.pbx.channels.get(r.path.channelId);
      if (ch) this.pbx.hangup(ch, 16);
    }
    const op = this.ops.get(r.key);
    const captured: NonNullable<typeof this.capture> = [];
    this.capture = captured;
    let result: OpResult;
    try {
      result = op ? await op(r) : { status: 501, body: { message: `fake ARI does not model ${r.key}` } };
    } finally {
      this.capture = null;
    }
    if (result.status < 300) {
      const problems = this.swagger.validate(result.body, r.responseClass === 'void' ? 'void' : r.responseClass);
      if (problems.length) this.badReplies.push(`${r.key}: ${problems.join('; ')}`);
    } else if (result.status !== 501 && !r.errorCodes.includes(result.status)) {
      this.badReplies.push(`${r.key}: status ${result.status} is not declared`);
    }
    if (this.faults.eventOrder === 'before') {
      await this.send(captured);
      reply(result);
    } else {
      res.once('finish', () => setImmediate(() => void this.send(captured)));
      reply(result);
    }
  }

  // ---- events WebSocket ------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ari/events') return refuse(404, 'Not Found');
    if (!this.authorized(req, url)) return refuse(401, 'Unauthorized');
    const check = this.swagger.check('GET', '/events', url.searchParams, undefined);
    if (!check.ok) {
      this.invalid.push({ method: 'GET', path: `${url.pathname}${url.search}`, message: check.message });
      return refuse(400, 'Bad Request');
    }
    const apps = (check.req.query.app ?? '').split(',');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      for (const app of apps) {
        const old = this.sockets.get(app);
        if (old && old.readyState === WebSocket.OPEN) {
          old.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: new Date().toISOString().replace('Z', '+0000'), application: app }));
        }
        this.sockets.set(app, ws);
        this.pbx.connectedApps.add(app);
      }
      ws.on('close', () => {
        for (const app of apps) {
          if (this.sockets.get(app) !== ws) continue;
          this.sockets.delete(app);
          this.pbx.connectedApps.delete(app);
          this.pbx.endpointSubs.delete(app);
          this.held.delete(app);
        }
      });
      for (const w of this.appWaiters.filter((x) => apps.includes(x.app))) w.resolve();
      this.appWaiters = this.appWaiters.filter((x) => !apps.includes(x.app));
    });
  }

  private deliver(app: string, event: Record<string, unknown>): void {
    if (this.capture) this.capture.push({ app, event });
    else void this.send([{ app, event }]);
  }

  /** Writes events to their applications' sockets, applying the duplicate/reorder switches. */
  private async send(items: Array<{ app: string; event: Record<string, unknown> }>): Promise<void> {
    const writes: Array<Promise<void>> = [];
    const write = (app: string, event: Record<string, unknown>): void => {
      const ws = this.sockets.get(app);
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const text = JSON.stringify(event);
      if (!this.writtenAt.has(event)) this.writtenAt.set(event, ++this.clock);
      for (let i = 0; i < (this.faults.duplicateEvents ? 2 : 1); i++) writes.push(new Promise((resolve) => ws.send(text, () => resolve())));
    };
    for (const { app, event } of items) {
      if (!this.faults.reorderEvents) {
        write(app, event);
        continue;
      }
      const held = this.held.get(app);
      if (held) {
        this.held.delete(app);
        // Asterisk delivers one channel's events of one kind in order (digits stay in
        // the order pressed); what interleaves differently is across kinds and objects.
        if (held.type === event.type && channelOf(held) === channelOf(event)) {
          write(app, held);
          write(app, event);
        } else {
          write(app, event);
          write(app, held);
        }
      } else {
        this.held.set(app, event);
        // Nothing came after it: let it go on the next turn.
        setImmediate(() => {
          if (this.held.get(app) !== event) return;
          this.held.delete(app);
          write(app, event);
        });
      }
    }
    await Promise.all(writes);
  }
}

const channelOf = (e: Record<string, unknown>): string | undefined => (e.channel as { id?: string } | undefined)?.id;
