/**
 * One inbound Event Socket connection (mod_event_socket, port 8021): socket ->
 * frame parser -> typed messages -> replies matched to commands, with a timeout
 * on every command.
 *
 * Matching: FreeSWITCH answers the commands of one socket in the order they were
 * sent (its listener thread reads a command, writes its `command/reply` or
 * `api/response`, then reads the next), so replies are matched first-in first-out.
 * A `bgapi` command also names its job (we send our own `Job-UUID` header, which
 * mod_event_socket uses instead of making one up); the job's result comes later as
 * a BACKGROUND_JOB event with that Job-UUID, matched by id. BACKGROUND_JOB events
 * of other clients' jobs reach every subscriber and are ignored.
 *
 * Failure handling: a command whose reply does not come in time means the socket is
 * stuck or the peer vanished: the command gets `EslTimeout` and the socket is
 * closed (whoever owns it reconnects), so a late reply can never be matched to the
 * wrong command. A job that is late only fails that job. A `text/disconnect-notice`
 * ends the connection: what follows it in the stream is ignored.
 */
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { EslFrameParser } from './frame-parser.js';
import { EslBadCommand, EslClosed, EslConnectFailed, EslRejected, EslTimeout, type EslFailure } from './failures.js';
import { classify, isFailureText, type EslEvent, type EslMessage } from './messages.js';

export interface EslConnectOptions {
  host: string;
  port: number;
  password: string;
  /** Event names subscribed with `event json ...` right after `auth`. */
  events: readonly string[];
  /** Each handshake step (TCP connect, auth/request, auth, event) MUST end within this many ms. */
  timeoutMs: number;
  /** With no byte received for this long, `api uptime` probes the socket (a lost reply closes it). 0: off. */
  probeIntervalMs: number;
  /** Events, in arrival order (BACKGROUND_JOB of our jobs excluded). MUST NOT throw. */
  onEvent(event: EslEvent): void;
  /** The connection closed after the handshake; called once. */
  onClose(reason: string): void;
  /** A frame that could not be read as an event (logged by the owner). */
  onBadFrame?(text: string, reason: string): void;
}

type Reply = Extract<EslMessage, { type: 'command/reply' | 'api/response' }>;

interface Slot {
  command: string;
  settle(v: Reply | EslClosed): void;
}

interface Job {
  command: string;
  finish(body: string | EslClosed): void;
}

/** Connects, authenticates and subscribes. Never throws: a failure is returned as `EslConnectFailed`. */
export async function connectEsl(o: EslConnectOptions): Promise<EslConnection | EslConnectFailed> {
  const socket = await openSocket(o.host, o.port, o.timeoutMs);
  if (socket instanceof EslConnectFailed) return socket;
  const conn = new EslConnection(socket, o);
  const failed = async (f: EslConnectFailed): Promise<EslConnectFailed> => {
    conn.close('handshake failed');
    return f;
  };
  const hello = await conn.authRequest(o.timeoutMs);
  if (hello !== true) return failed(new EslConnectFailed('auth/request', `no auth/request from FreeSWITCH: ${hello}`));
  const auth = await conn.request(`auth ${o.password}`, 'auth', o.timeoutMs);
  if (!('type' in auth)) return failed(new EslConnectFailed('auth', `auth: ${auth.message}`));
  if (!auth.text.startsWith('+OK')) return failed(new EslConnectFailed('auth', `authentication failed (${auth.text})`, auth.text));
  const sub = await conn.request(`event json ${o.events.join(' ')}`, 'event json', o.timeoutMs);
  if (!('type' in sub)) return failed(new EslConnectFailed('subscribe', `event json: ${sub.message}`));
  if (!sub.text.startsWith('+OK')) return failed(new EslConnectFailed('subscribe', `event json refused (${sub.text})`, sub.text));
  conn.ready();
  return conn;
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket | EslConnectFailed> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const t = setTimeout(() => {
      socket.destroy();
      resolve(new EslConnectFailed('tcp', `connecting to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(t);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 15_000);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(t);
      socket.destroy();
      resolve(new EslConnectFailed('tcp', `connecting to ${host}:${port}: ${err.message}`));
    });
  });
}

export class EslConnection {
  private readonly parser = new EslFrameParser();
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<string, Job>();
  private closedReason: string | null = null;
  private isReady = false;
  private hello: ((v: true | string) => void) | null = null;
  private helloSeen = false;
  private notice: string | null = null;
  private lastData = Date.now();
  private probe: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly o: EslConnectOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (!this.closedReason) this.closedReason = err.message || String(err);
    });
    socket.on('close', () => this.onSocketClose());
  }

  get open(): boolean {
    return this.closedReason === null;
  }

  /** Why the connection closed (null while open). */
  get closeReason(): string | null {
    return this.closedReason;
  }

  /**
   * Runs `api <command>` and resolves with its output, `EslRejected` when the output
   * is `-ERR ...`/`-USAGE: ...`, `EslTimeout` after `timeoutMs`, `EslClosed`.
   */
  async api(command: string, timeoutMs: number): Promise<string | EslFailure> {
    if (!oneLine(command)) return new EslBadCommand(command);
    const r = await this.request(`api ${command}`, command, timeoutMs);
    if (!('type' in r)) return r;
    return isFailureText(r.text) ? new EslRejected(command, r.text.trim()) : r.text;
  }

  /**
   * Runs `bgapi <command>` under our own Job-UUID and resolves with the job's output
   * (the BACKGROUND_JOB body), or a failure; `timeoutMs` covers reply and job.
   */
  bgapi(command: string, timeoutMs: number): Promise<string | EslFailure> {
    if (!oneLine(command)) return Promise.resolve(new EslBadCommand(command));
    const jobId = randomUUID();
    return new Promise((resolve) => {
      let replied = false;
      let done = false;
      const finish = (v: string | EslFailure): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.jobs.delete(jobId);
        resolve(v);
      };
      const timer = setTimeout(() => {
        finish(new EslTimeout(command, timeoutMs, replied ? 'job' : 'reply'));
        if (!replied) this.close(`no reply to bgapi ${command.split(' ')[0]} within ${timeoutMs} ms`);
      }, timeoutMs);
      this.jobs.set(jobId, {
        command,
        finish: (body) => finish(typeof body !== 'string' ? body : isFailureText(body) ? new EslRejected(command, body.trim()) : body),
      });
      this.send(`bgapi ${command}\nJob-UUID: ${jobId}`, command, (r) => {
        replied = true;
        if (!('type' in r)) finish(r);
        else if (!r.text.startsWith('+OK')) finish(new EslRejected(command, r.text || '-ERR no reply text'));
      });
    });
  }

  /**
   * `sendmsg <uuid>` with `headers` (e.g. `call-command: execute`): queues a message to
   * the channel; resolves true on `+OK`, `EslRejected` on `-ERR invalid session id [...]`.
   */
  async sendmsg(uuid: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<true | EslFailure> {
    if (!oneLine(uuid) || Object.entries(headers).some(([k, v]) => !oneLine(k) || !oneLine(v) || k.includes(':'))) {
      return new EslBadCommand(`sendmsg ${uuid}`);
    }
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    const label = `sendmsg ${uuid} ${headers['execute-app-name'] ?? headers['call-command'] ?? ''}`.trim();
    const r = await this.request([`sendmsg ${uuid}`, ...lines].join('\n'), label, timeoutMs);
    if (!('type' in r)) return r;
    return r.text.startsWith('+OK') ? true : new EslRejected(label, r.text || '-ERR no reply text');
  }

  /** Sends one command (text without the final empty line) and waits for its reply. */
  request(text: string, label: string, timeoutMs: number): Promise<Reply | EslTimeout | EslClosed | EslBadCommand> {
    // An empty line would end the frame early: the rest would be read as another command.
    if (text.trim() === '' || /\n\s*\n|\r|\n$/.test(text)) return Promise.resolve(new EslBadCommand(label));
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        resolve(new EslTimeout(label, timeoutMs, 'reply'));
        // The reply may still come; matched to the next command it would be wrong: start over.
        this.close(`no reply to ${label.split(' ')[0]} within ${timeoutMs} ms`);
      }, timeoutMs);
      this.send(text, label, (r) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Closes the socket; pending commands and jobs end with `EslClosed`. */
  close(reason = 'closed by Switchboard'): void {
    if (!this.closedReason) this.closedReason = reason;
    this.socket.destroy();
  }

  /** Resolves true when `auth/request` arrived, or with why not. */
  authRequest(timeoutMs: number): Promise<true | string> {
    if (this.helloSeen) return Promise.resolve(true);
    if (this.closedReason) return Promise.resolve(this.closedReason);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.hello = null;
        resolve(`none within ${timeoutMs} ms`);
      }, timeoutMs);
      this.hello = (v) => {
        clearTimeout(t);
        this.hello = null;
        resolve(v);
      };
    });
  }

  /** The handshake is done: closes are reported from now on, and the socket is probed when idle. */
  ready(): void {
    this.isReady = true;
    if (this.o.probeIntervalMs > 0) {
      this.probe = setInterval(() => {
        if (Date.now() - this.lastData < this.o.probeIntervalMs || !this.open) return;
        void this.api('uptime', this.o.timeoutMs);
      }, this.o.probeIntervalMs);
      this.probe.unref();
    }
  }

  private send(text: string, label: string, settle: (r: Reply | EslClosed) => void): void {
    if (this.closedReason) {
      settle(new EslClosed(label, this.closedReason));
      return;
    }
    this.slots.push({ command: label, settle });
    this.socket.write(`${text}\n\n`);
  }

  private onData(chunk: Buffer): void {
    this.lastData = Date.now();
    if (this.notice !== null) return; // junk after a disconnect notice
    const { frames, error } = this.parser.push(chunk);
    for (const frame of frames) {
      this.onMessage(classify(frame));
      if (this.notice !== null) return;
    }
    if (error) this.close(`FreeSWITCH sent bytes that are not Event Socket frames: ${error.message}`);
  }

  private onMessage(m: EslMessage): void {
    switch (m.type) {
      case 'auth/request':
        this.helloSeen = true;
        this.hello?.(true);
        return;
      case 'command/reply':
      case 'api/response': {
        const slot = this.slots.shift();
        if (slot) slot.settle(m);
        else this.o.onBadFrame?.(m.text, `a ${m.type} that answers no command`);
        return;
      }
      case 'event': {
        const e = m.event;
        if (e.name === 'BACKGROUND_JOB') {
          this.jobs.get(e.get('Job-UUID') ?? '')?.finish(e.body ?? '');
          return;
        }
        this.o.onEvent(e);
        return;
      }
      case 'bad-event':
        this.o.onBadFrame?.(m.text.slice(0, 200), m.reason);
        return;
      case 'disconnect-notice':
      case 'rude-rejection':
        this.notice = m.text.trim();
        this.close(`FreeSWITCH sent ${m.type === 'rude-rejection' ? 'a rude rejection (apply-inbound-acl)' : 'a disconnect notice'}: ${this.notice.split('\n')[0] ?? ''}`);
        this.hello?.(this.closedReason ?? 'closed');
        return;
      default:
        return;
    }
  }

  private onSocketClose(): void {
    const reason = this.closedReason ?? 'the event socket closed';
    this.closedReason = reason;
    if (this.probe) clearInterval(this.probe);
    this.hello?.(reason);
    for (const slot of this.slots.splice(0)) slot.settle(new EslClosed(slot.command, reason));
    for (const job of [...this.jobs.values()]) job.finish(new EslClosed(job.command, reason));
    if (this.isReady) this.o.onClose(reason);
  }
}

/** A command or header value on one line, not empty: anything else would break the framing. */
function oneLine(text: string): boolean {
  return text.trim() !== '' && !/[\r\n]/.test(text);
}
