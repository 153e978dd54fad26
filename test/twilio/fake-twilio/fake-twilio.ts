/**
 * A fake Twilio that plays Twilio's part against the adapter over real HTTP: it
 * places calls by sending signed webhook requests (the number's voice URL), runs the
 * TwiML it gets back verb by verb (runner.ts), presses keys into `<Gather>`s, waits
 * in `<Enqueue>` queues, connects `<Dial><Queue>`, sends status callbacks, and
 * serves the REST API's Calls resource (agent legs are created and ended there).
 *
 * Time on the fake calls runs `timeScale` times real time (a 1 s Gather timeout is
 * 10 ms at 0.01). Keys pressed while no `<Gather>` listens are lost, as on Twilio;
 * the driver therefore presses each key while one listens, as a person would.
 * Anything the adapter does that Twilio would refuse is a violation.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drive } from './runner.js';
import { twilioSign } from './sign.js';
import { parseXml, type XmlElement } from './twiml-parse.js';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed';

export interface Bridge {
  caller: FakeCall;
  agent: FakeCall;
  /** Resolves when either side hangs up. */
  done: Promise<void>;
  end(): void;
}

export interface FakeCall {
  sid: string;
  direction: 'inbound' | 'outbound-api';
  from: string;
  to: string;
  callerName: string | null;
  status: CallStatus;
  over: boolean;
  /** Aborted when the call ends. */
  life: AbortController;
  /** The `<Gather>` listening now. */
  gather: { onKey(key: string): void } | null;
  /** Waiting in an `<Enqueue>` queue: how an agent's `<Dial><Queue>` takes it out. */
  queued: { name: string; action: string | null; dequeue(by: FakeCall): Bridge } | null;
  bridge: Bridge | null;
  /** Outbound legs (REST API): where to ask for TwiML once answered, and the status callback. */
  answerUrl: string | null;
  statusCallback: string | null;
  statusEvents: Set<string>;
  /** Prompts heard, in order: `say:<text>` or the `<Play>` URL. */
  heard: string[];
}

export type FakeEvent =
  | { type: 'request'; sid: string; url: string; params: Record<string, string>; status: number; body: string }
  | { type: 'rest'; method: string; path: string; params: Record<string, string[]>; status: number }
  | { type: 'gather'; sid: string; attrs: Record<string, string>; nested: string[] }
  | { type: 'media'; sid: string; what: string }
  | { type: 'enqueued'; sid: string; queue: string }
  | { type: 'bridged'; caller: string; agent: string }
  | { type: 'transferred'; sid: string; to: string }
  | { type: 'ended'; sid: string; status: CallStatus };

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Switchboard's publicUrl: what Twilio's URLs start with (and what is signed). */
  publicUrl: string;
  /** The adapter's webhookPath: the number's voice URL is publicUrl + webhookPath + /voice. */
  webhookPath: string;
  timeScale?: number;
}

export interface Faults {
  /** An agent leg's first status callbacks reach Switchboard before the REST reply that created it. */
  callbacksBeforeReply: boolean;
  /** Every status callback is sent twice. */
  duplicateCallbacks: boolean;
  /** The REST API answers every request with this status (401: bad credentials, 503: Twilio trouble). */
  restError: number | null;
}

export const newSid = (): string => `CA${randomBytes(16).toString('hex')}`;

export class FakeTwilio {
  readonly calls = new Map<string, FakeCall>();
  readonly queues = new Map<string, FakeCall[]>();
  readonly log: FakeEvent[] = [];
  readonly violations: string[] = [];
  readonly faults: Faults = { callbacksBeforeReply: false, duplicateCallbacks: false, restError: null };
  /** Where Switchboard listens (its real address); set once it runs. */
  target = '';
  restUrl = '';
  readonly timeScale: number;
  private server: Server | null = null;
  private waiters = new Set<() => void>();

  constructor(readonly o: FakeTwilioOptions) {
    this.timeScale = o.timeScale ?? 0.01;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.rest(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.restUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) {
      call.over = true;
      call.life.abort();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Fake-call seconds -> real milliseconds. */
  ms(seconds: number): number {
    return Math.max(1, Math.round(seconds * 1000 * this.timeScale));
  }

  push(e: FakeEvent): void {
    this.log.push(e);
    for (const w of [...this.waiters]) w();
  }

  violation(what: string): void {
    this.violations.push(what);
    for (const w of [...this.waiters]) w();
  }

  /** Waits until `pred()` holds (checked on every fake event). */
  async until<T>(pred: () => T | undefined | null | false, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake Twilio: no ${what} within ${timeoutMs} ms; violations: ${JSON.stringify(this.violations)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(t);
          this.waiters.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, Math.min(left, 50));
        this.waiters.add(wake);
      });
    }
  }

  event<T extends FakeEvent['type']>(type: T, pred: (e: Extract<FakeEvent, { type: T }>) => boolean = () => true, timeoutMs?: number): Promise<Extract<FakeEvent, { type: T }>> {
    return this.until(() => this.log.find((e): e is Extract<FakeEvent, { type: T }> => e.type === type && pred(e as Extract<FakeEvent, { type: T }>)), type, timeoutMs);
  }

  // ---- the far side: callers and agents ---------------------------------------

  /** A caller dials the number: Twilio requests its voice URL. Resolves with the CallSid once the first TwiML is in. */
  async placeCall(from: string, to: string, callerName: string | null = null): Promise<string> {
    const call = this.newCall('inbound', from, to, callerName);
    call.status = 'ringing';
    const first = this.log.length;
    void drive(this, call, `${this.o.publicUrl}${this.o.webhookPath}/voice`);
    await this.until(() => this.log.slice(first).some((e) => e.type === 'request' && e.sid === call.sid) || call.over, 'answer to the voice webhook');
    return call.sid;
  }

  /** Presses each key while a `<Gather>` listens (Twilio drops keys pressed between documents). */
  async pressDigits(sid: string, digits: string): Promise<void> {
    const call = this.mustGet(sid);
    for (const key of digits) {
      const g = await this.until(() => call.gather ?? (call.over ? 'over' : null), `a <Gather> on ${sid} to press ${key} into`);
      if (g === 'over') throw new Error(`call ${sid} ended before key ${key}`);
      g.onKey(key);
    }
  }

  /** This party hangs up. */
  hangup(sid: string): void {
    this.end(this.mustGet(sid), 'completed');
  }

  /** The agent's phone picks up: Twilio requests the leg's Url and runs its TwiML. */
  answerLeg(sid: string): void {
    const leg = this.mustGet(sid);
    if (leg.status !== 'ringing' || !leg.answerUrl) throw new Error(`leg ${sid} is ${leg.status}, not ringing`);
    leg.status = 'in-progress';
    this.statusCallback(leg, 'answered');
    void drive(this, leg, leg.answerUrl);
  }

  /** The agent's phone declines (busy). */
  rejectLeg(sid: string): void {
    this.end(this.mustGet(sid), 'busy');
  }

  /** The leg created with `leg=<legId>` in its Url. */
  legByTag(legId: string): FakeCall {
    const leg = [...this.calls.values()].find((c) => c.answerUrl?.includes(`leg=${legId}`));
    if (!leg) throw new Error(`fake Twilio: no leg created for ${legId}`);
    return leg;
  }

  mustGet(sid: string): FakeCall {
    const call = this.calls.get(sid);
    if (!call) throw new Error(`fake Twilio: no call ${sid}`);
    return call;
  }

  private newCall(direction: FakeCall['direction'], from: string, to: string, callerName: string | null): FakeCall {
    const call: FakeCall = {
      sid: newSid(), direction, from, to, callerName, status: 'queued', over: false, life: new AbortController(), gather: null, queued: null,
      bridge: null, answerUrl: null, statusCallback: null, statusEvents: new Set(), heard: [],
    };
    this.calls.set(call.sid, call);
    return call;
  }

  /** The call ends with `status`: whatever it did stops, its bridge ends, its callbacks go out. */
  end(call: FakeCall, status: CallStatus): void {
    if (call.over) return;
    call.over = true;
    call.status = status;
    call.gather = null;
    const queued = call.queued;
    call.queued = null;
    if (queued) this.queues.set(queued.name, (this.queues.get(queued.name) ?? []).filter((c) => c !== call));
    call.life.abort();
    call.bridge?.end();
    this.push({ type: 'ended', sid: call.sid, status });
    // A caller hanging up in a queue: Twilio requests the Enqueue action (QueueResult=hangup), then the status callback.
    void (async () => {
      if (queued?.action) await this.request(call, queued.action, { QueueResult: 'hangup' }, { expectTwiml: false });
      this.statusCallback(call, 'completed');
    })();
  }

  // ---- requests to Switchboard ------------------------------------------------

  params(call: FakeCall, extra: Record<string, string> = {}): Record<string, string> {
    return {
      AccountSid: this.o.accountSid, ApiVersion: '2010-04-01', CallSid: call.sid, CallStatus: call.status, Called: call.to, Caller: call.from,
      Direction: call.direction, From: call.from, To: call.to, ...(call.callerName ? { CallerName: call.callerName } : {}), ...extra,
    };
  }

  /**
   * A signed POST to one of Switchboard's URLs (public, as written in TwiML or the
   * console), sent to where Switchboard really listens. Resolves with the TwiML, or
   * null (a 5xx: Twilio would run the fallback URL; anything else unexpected is a violation).
   */
  async request(call: FakeCall, url: string, extra: Record<string, string>, o: { expectTwiml: boolean } = { expectTwiml: true }): Promise<XmlElement | null> {
    if (!url.startsWith(`${this.o.publicUrl}/`)) {
      this.violation(`a callback URL outside publicUrl: ${url}`);
      return null;
    }
    const params = this.params(call, extra);
    const t0 = Date.now();
    let status = 0;
    let body = '';
    try {
      const res = await fetch(`${this.target}${url.slice(this.o.publicUrl.length)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'x-twilio-signature': twilioSign(this.o.authToken, url, params) },
        body: new URLSearchParams(params).toString(),
      });
      status = res.status;
      body = await res.text();
    } catch (err) {
      if (!this.server?.listening) return null;
      this.violation(`request to ${url} failed: ${(err as Error).message}`);
      return null;
    }
    // Twilio gives up on a webhook after 15 s (error 11205).
    if (Date.now() - t0 > 15_000) this.violation(`${url} took ${Date.now() - t0} ms (Twilio waits 15 s)`);
    this.push({ type: 'request', sid: call.sid, url, params, status, body });
    if (status >= 500) return null;
    if (!o.expectTwiml) {
      if (status >= 300) this.violation(`${url} answered ${status}`);
      return null;
    }
    if (status !== 200) {
      this.violation(`${url} answered ${status}: ${body.slice(0, 200)}`);
      return null;
    }
    try {
      const doc = parseXml(body);
      if (doc.name !== 'Response') throw new Error(`root <${doc.name}>`);
      return doc;
    } catch (err) {
      this.violation(`${url} answered TwiML Twilio cannot parse: ${(err as Error).message}`);
      return null;
    }
  }

  /** A status callback, if the call has one and asked for this event (`completed` always goes). */
  statusCallback(call: FakeCall, event: 'initiated' | 'ringing' | 'answered' | 'completed'): void {
    const url = call.direction === 'inbound' ? `${this.o.publicUrl}${this.o.webhookPath}/status` : call.statusCallback;
    if (!url || (event !== 'completed' && !call.statusEvents.has(event))) return;
    const send = (): Promise<unknown> => this.request(call, url, { CallbackSource: 'call-progress-events', Timestamp: new Date().toUTCString() }, { expectTwiml: false });
    void send().then(() => (this.faults.duplicateCallbacks ? send() : undefined));
  }

  // ---- the REST API (Calls resource) ------------------------------------------

  private async rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const params: Record<string, string[]> = {};
    for (const [k, v] of form) (params[k] ??= []).push(v);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const reply = (status: number, body: object): void => {
      this.push({ type: 'rest', method: req.method ?? '', path, params, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const auth = `Basic ${Buffer.from(`${this.o.accountSid}:${this.o.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== auth || this.faults.restError === 401) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (this.faults.restError) return reply(this.faults.restError, { code: 20500, message: 'Internal Server Error', status: this.faults.restError });
    const base = `/2010-04-01/Accounts/${this.o.accountSid}/Calls`;
    const one = (k: string): string => params[k]?.[0] ?? '';
    if (req.method === 'POST' && path === `${base}.json`) {
      if (!one('To') || !one('From') || !one('Url')) return reply(400, { code: 21201, message: 'To, From and Url are required', status: 400 });
      const leg = this.newCall('outbound-api', one('From'), one('To'), null);
      leg.answerUrl = one('Url');
      leg.statusCallback = one('StatusCallback') || null;
      leg.statusEvents = new Set(params['StatusCallbackEvent'] ?? []);
      const ring = (): void => {
        this.statusCallback(leg, 'initiated');
        leg.status = 'ringing';
        this.statusCallback(leg, 'ringing');
        this.push({ type: 'media', sid: leg.sid, what: 'ringing' });
      };
      if (this.faults.callbacksBeforeReply) {
        ring();
        await this.until(() => this.log.some((e) => e.type === 'request' && e.sid === leg.sid && e.params['CallStatus'] === 'ringing'), 'ringing callback');
      }
      reply(201, { sid: leg.sid, status: leg.status, to: leg.to, from: leg.from, direction: 'outbound-api' });
      if (!this.faults.callbacksBeforeReply) setImmediate(ring);
      return;
    }
    const m = new RegExp(`^${base}/(CA[0-9a-f]{32})\\.json$`).exec(path);
    if (req.method === 'POST' && m) {
      const call = this.calls.get(m[1] as string);
      if (!call) return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      const status = one('Status');
      if (status !== 'completed' && status !== 'canceled') {
        this.violation(`unexpected call update: ${JSON.stringify(params)}`);
        return reply(400, { code: 21218, message: 'unsupported here', status: 400 });
      }
      // Twilio: canceled only ends a call that is queued or ringing; completed ends any.
      if (!call.over && (status === 'completed' || call.status === 'queued' || call.status === 'ringing')) this.end(call, status);
      return reply(200, { sid: call.sid, status: call.status });
    }
    this.violation(`unexpected REST request ${req.method} ${path}`);
    reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  }
}
