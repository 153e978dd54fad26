/**
 * A fake FreeSWITCH Event Socket (mod_event_socket, inbound mode) on 127.0.0.1,
 * port 0, writing the literal protocol text: `Content-Type: auth/request`,
 * `command/reply` with `Reply-Text`, `api/response` and `text/event-json` with
 * `Content-Length` framing, `text/disconnect-notice`, `text/rude-rejection`.
 *
 * Fault switches: several frames in one TCP write, one frame split over many
 * writes, duplicated events, slow replies and slow jobs, a disconnect notice with
 * junk after it, a queue overflow (events lost, then the socket closed without a
 * word, as kill_listener does), dropped sockets, FreeSWITCH down and restarted, an
 * ACL rejection, a wrong password.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { runApi } from './api.js';
import { apiResponse, commandReply, coreHeaders, disconnectNotice, GOODBYE, jsonFrame, KNOWN_EVENTS, plainFrame, rudeRejection } from './events.js';
import { FarSide } from './far-side.js';
import { FakeSwitch } from './switch.js';

export interface EslFaults {
  /** Everything written in one turn of the event loop goes out in one TCP write. */
  coalesce: boolean;
  /** Each write is cut into pieces of this many bytes, one per turn (0: off). */
  splitBytes: number;
  duplicateEvents: boolean;
  /** Replies to matching commands (the command line) wait this long. */
  slowReplyMs: number;
  slowReplyMatch: (line: string) => boolean;
  /** Matching bgapi jobs run this late. */
  slowJobMs: number;
  slowJobMatch: (line: string) => boolean;
  /** New connections are refused by the ACL (text/rude-rejection). */
  rudeRejection: boolean;
}

export interface CommandLogEntry {
  conn: number;
  line: string;
  headers: Record<string, string>;
  /** The reply text (Reply-Text or the api output); the job output once a bgapi job ended. */
  reply?: string;
  job?: string;
}

interface Conn {
  id: number;
  socket: Socket;
  authed: boolean;
  format: 'json' | 'plain' | null;
  events: Set<string>;
  pending: Buffer[];
  flushing: boolean;
  buffer: string;
  replies: Promise<void>;
  /** Queue overflow: events left to lose before the socket is closed. */
  lose: number | null;
  closed: boolean;
}

export class FakeEslServer {
  readonly sw: FakeSwitch;
  readonly far: FarSide;
  readonly faults: EslFaults = {
    coalesce: false, splitBytes: 0, duplicateEvents: false, slowReplyMs: 0, slowReplyMatch: () => true, slowJobMs: 0, slowJobMatch: () => true, rudeRejection: false,
  };
  readonly password: string;
  /** Every command, in arrival order. */
  readonly commands: CommandLogEntry[] = [];
  /** Every event fired, in order. */
  readonly emitted: Array<Record<string, string>> = [];
  /** Things a real FreeSWITCH would mind (tests assert none). */
  readonly problems: string[];
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  private nextId = 0;
  private port = 0;
  private readonly watchers = new Set<() => void>();

  constructor(opts: { password?: string; sounds?: Record<string, number> } = {}) {
    this.password = opts.password ?? 'ClueCon';
    this.sw = new FakeSwitch((h, body) => this.fire(h, body), opts.sounds);
    this.problems = this.sw.problems;
    this.far = new FarSide(this.sw);
    this.server = createServer((s) => this.accept(s));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get listenPort(): number {
    return this.port;
  }

  /** Connections that finished `event json`. */
  get subscribers(): number {
    return [...this.conns].filter((c) => !c.closed && c.format !== null).length;
  }

  // ---- waits ------------------------------------------------------------------------

  private until<T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = find();
        if (v === undefined) return;
        clearTimeout(t);
        this.watchers.delete(check);
        resolve(v);
      };
      const t = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`fake FreeSWITCH: no ${what} within ${timeoutMs} ms; commands: ${this.commands.map((c) => c.line.split(' ').slice(0, 2).join(' ')).join(', ')}`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  private poke(): void {
    for (const w of [...this.watchers]) w();
  }

  /** The first event fired (already or later) that matches. */
  waitForEvent(pred: (e: Record<string, string>) => boolean, timeoutMs?: number): Promise<Record<string, string>> {
    return this.until(() => this.emitted.find(pred), 'matching event', timeoutMs);
  }

  /**
   * The first command (already or later) that matches, once answered, and for bgapi
   * once its job ended too (unless `job: false`: an originate job ends only when the phone answers).
   */
  waitForCommand(pred: (c: CommandLogEntry) => boolean, opts: { job?: boolean; timeoutMs?: number } = {}): Promise<CommandLogEntry> {
    const done = (c: CommandLogEntry): boolean => c.reply !== undefined && (opts.job === false || !c.line.startsWith('bgapi') || c.job !== undefined);
    return this.until(() => this.commands.find((c) => done(c) && pred(c)), 'matching command', opts.timeoutMs);
  }

  /** Resolves once `n` connections in all have subscribed (counting from the start). */
  async subscribed(n = 1): Promise<void> {
    await this.until(() => (this.commands.filter((c) => c.line.startsWith('event ') && c.reply?.startsWith('+OK')).length >= n ? true : undefined), `subscription #${n}`);
  }

  // ---- fault switches -------------------------------------------------------------

  /** A disconnect notice on every socket, with `junk` after it in the same write, then the socket closes. */
  disconnectNotice(opts: { message?: string; junk?: string } = {}): void {
    for (const c of this.conns) {
      if (c.closed) continue;
      c.closed = true;
      c.socket.end(Buffer.from(disconnectNotice(opts.message ?? GOODBYE) + (opts.junk ?? '')));
    }
  }

  /**
   * The listener's event queue overflows (a consumer too slow): the next `lose`
   * events are lost, then FreeSWITCH kills the listener, closing the socket with no
   * notice (mod_event_socket.c event_handler: `kill_listener(l, NULL)`).
   */
  overflow(lose = 3): void {
    for (const c of this.conns) {
      if (c.closed || c.format === null) continue;
      c.lose = lose;
      if (lose === 0) this.kill(c);
    }
  }

  /** Every socket reset, no notice. */
  dropSockets(): void {
    for (const c of this.conns) this.kill(c);
  }

  /** FreeSWITCH stops: connections refused; with `restart`, every channel is gone when it comes back. */
  async down(opts: { restart?: boolean } = {}): Promise<void> {
    this.dropSockets();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (opts.restart) {
      for (const ch of this.sw.channels.values()) for (const t of ch.timers) clearTimeout(t);
      this.sw.channels.clear();
    }
  }

  async up(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    for (const ch of this.sw.channels.values()) for (const t of ch.timers) clearTimeout(t);
    this.dropSockets();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Writes raw bytes to every subscribed socket (for protocol tests). */
  writeRaw(text: string): void {
    for (const c of this.conns) if (!c.closed && c.format !== null) this.write(c, text);
  }

  // ---- the protocol ------------------------------------------------------------------

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const c: Conn = {
      id: ++this.nextId, socket, authed: false, format: null, events: new Set(), pending: [], flushing: false, buffer: '', replies: Promise.resolve(), lose: null, closed: false,
    };
    this.conns.add(c);
    socket.on('close', () => {
      c.closed = true;
      this.conns.delete(c);
    });
    socket.on('error', () => {});
    if (this.faults.rudeRejection) {
      c.closed = true;
      socket.end(rudeRejection());
      return;
    }
    socket.on('data', (d: Buffer) => this.read(c, d.toString('utf8')));
    this.write(c, 'Content-Type: auth/request\n\n');
  }

  private read(c: Conn, text: string): void {
    c.buffer += text.replace(/\r\n/g, '\n');
    for (;;) {
      const end = c.buffer.indexOf('\n\n');
      if (end === -1) return;
      const block = c.buffer.slice(0, end);
      c.buffer = c.buffer.slice(end + 2).replace(/^\n+/, '');
      const [line = '', ...rest] = block.split('\n');
      const headers: Record<string, string> = {};
      for (const h of rest) {
        const colon = h.indexOf(':');
        if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
        else this.problems.push(`a header line without a colon after ${JSON.stringify(line)}: ${JSON.stringify(h)}`);
      }
      this.command(c, line, headers);
    }
  }

  private command(c: Conn, line: string, headers: Record<string, string>): void {
    const entry: CommandLogEntry = { conn: c.id, line: line.startsWith('auth ') ? 'auth ********' : line, headers };
    this.commands.push(entry);
    const reply = (frame: string, text: string, after?: () => void): void => {
      const slow = this.faults.slowReplyMs > 0 && this.faults.slowReplyMatch(line) ? this.faults.slowReplyMs : 0;
      c.replies = c.replies.then(async () => {
        if (slow) await new Promise((r) => setTimeout(r, slow));
        if (c.closed) return;
        entry.reply = text;
        this.write(c, frame);
        after?.();
        this.poke();
      });
    };
    const ok = (text: string, after?: () => void): void => reply(commandReply(text), text, after);
    if (!c.authed) {
      if (line.startsWith('auth ')) {
        if (line.slice(5) === this.password) {
          c.authed = true;
          return ok('+OK accepted');
        }
        return ok('-ERR invalid', () => this.goodbye(c));
      }
      if (line === 'exit') return ok('+OK bye', () => this.goodbye(c));
      this.problems.push(`${line.split(' ')[0]} before auth`);
      return ok('-ERR command not found');
    }
    const [word = '', ...args] = line.split(' ');
    switch (word) {
      case 'event': {
        const [format, ...names] = args;
        if (format !== 'json' && format !== 'plain') this.problems.push(`event ${format ?? ''}: Switchboard should ask for json`);
        if (names.length === 0) return ok('-ERR no keywords supplied');
        for (const n of names) {
          if (KNOWN_EVENTS.has(n)) c.events.add(n);
          else this.problems.push(`event: FreeSWITCH has no event ${n} (ignored by switch_name_event)`);
        }
        c.format = format === 'plain' ? 'plain' : 'json';
        return ok(`+OK event listener enabled ${c.format}`);
      }
      case 'api': {
        const out = runApi(this.sw, args.join(' '));
        if (typeof out !== 'string') this.problems.push(`api ${args[0] ?? ''} blocks the socket: use bgapi`);
        c.replies = c.replies.then(async () => {
          const text = await out;
          if (this.faults.slowReplyMs > 0 && this.faults.slowReplyMatch(line)) await new Promise((r) => setTimeout(r, this.faults.slowReplyMs));
          if (c.closed) return;
          entry.reply = text;
          this.write(c, apiResponse(text));
          this.poke();
        });
        return;
      }
      case 'bgapi': {
        const jobId = headers['Job-UUID'];
        if (!jobId) this.problems.push(`bgapi without a Job-UUID header: ${line}`);
        const id = jobId ?? randomUUID();
        const run = (): void => {
          void Promise.resolve(runApi(this.sw, args.join(' '))).then((out) => {
            entry.job = out;
            this.fire({ ...coreHeaders('BACKGROUND_JOB', 'api_exec'), 'Job-UUID': id, 'Job-Command': args[0] ?? '', 'Job-Command-Arg': args.slice(1).join(' ') }, out);
          });
        };
        const slow = this.faults.slowJobMs > 0 && this.faults.slowJobMatch(line) ? this.faults.slowJobMs : 0;
        return reply(commandReply(`+OK Job-UUID: ${id}`, `Job-UUID: ${id}\n`), `+OK Job-UUID: ${id}`, () => {
          // The job runs in its own thread, after the reply went out.
          setTimeout(run, slow);
        });
      }
      case 'sendmsg': {
        const uuid = args[0] ?? headers['session-id'] ?? '';
        const ch = this.sw.channels.get(uuid);
        if (!ch) return ok(`-ERR invalid session id [${uuid}]`);
        if (headers['call-command'] !== 'execute' || !headers['execute-app-name'] || !headers['Event-UUID']) {
          this.problems.push(`sendmsg ${uuid}: expected call-command execute with execute-app-name and Event-UUID, got ${JSON.stringify(headers)}`);
        }
        return ok('+OK', () => this.sw.enqueue(ch, headers['execute-app-name'] ?? '', headers['execute-app-arg'] ?? '', headers['Event-UUID'] ?? ''));
      }
      case 'exit':
        return ok('+OK bye', () => this.goodbye(c));
      default:
        this.problems.push(`command ${word}: not one the fake knows`);
        return ok('-ERR command not found');
    }
  }

  /** listener_run's end: the farewell notice, then the socket closes. */
  private goodbye(c: Conn): void {
    c.closed = true;
    this.write(c, disconnectNotice(GOODBYE));
    const end = (): void => {
      if (c.flushing) setImmediate(end);
      else c.socket.end();
    };
    setImmediate(end);
  }

  private kill(c: Conn): void {
    c.closed = true;
    c.socket.destroy();
  }

  /** switch_event_fire: every subscribed listener gets the event (BACKGROUND_JOB of every job included). */
  private fire(headers: Record<string, string>, body?: string): void {
    this.emitted.push(body === undefined ? headers : { ...headers, _body: body });
    const name = headers['Event-Name'] ?? '';
    for (const c of this.conns) {
      if (c.closed || c.format === null || !(c.events.has(name) || c.events.has('ALL'))) continue;
      if (c.lose !== null) {
        if (--c.lose <= 0) this.kill(c);
        continue;
      }
      const frame = c.format === 'plain' ? plainFrame(headers, body) : jsonFrame(headers, body);
      this.write(c, frame);
      if (this.faults.duplicateEvents) this.write(c, frame);
    }
    this.poke();
  }

  /** Writes a frame, as the fault switches say: at once, coalesced per turn, or in small pieces. */
  private write(c: Conn, text: string): void {
    if (c.socket.destroyed) return;
    const buf = Buffer.from(text, 'utf8');
    if (!this.faults.coalesce && this.faults.splitBytes === 0 && !c.flushing && c.pending.length === 0) {
      c.socket.write(buf);
      return;
    }
    c.pending.push(buf);
    if (c.flushing) return;
    c.flushing = true;
    setImmediate(() => this.flush(c));
  }

  private flush(c: Conn): void {
    if (c.socket.destroyed || c.pending.length === 0) {
      c.flushing = false;
      c.pending = [];
      return;
    }
    let all = Buffer.concat(c.pending);
    c.pending = [];
    if (this.faults.splitBytes > 0) {
      const piece = all.subarray(0, this.faults.splitBytes);
      c.pending = all.length > piece.length ? [all.subarray(piece.length)] : [];
      all = piece;
    }
    c.socket.write(all);
    if (c.pending.length === 0) c.flushing = false;
    else setImmediate(() => this.flush(c));
  }
}
