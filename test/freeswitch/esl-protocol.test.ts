/**
 * The Event Socket layers, bottom up: the frame parser on literal bytes (several
 * frames in one read, one frame over many reads, a UTF-8 character cut in two,
 * bodies with empty lines), the typed messages (event-json fix-ups, event-plain),
 * and the connection against a spoof server that writes literal protocol text and
 * checks the literal commands it gets: the handshake, replies matched in order,
 * background jobs matched by Job-UUID out of order, timeouts, a disconnect notice
 * with junk after it, a rude rejection, framing errors.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectEsl, type EslConnection } from '../../adapters/freeswitch/esl/connection.js';
import { EslConnectFailed } from '../../adapters/freeswitch/esl/failures.js';
import { EslFrameParser } from '../../adapters/freeswitch/esl/frame-parser.js';
import { backoffDelay } from '../../adapters/freeswitch/esl/link.js';
import { classify, type EslEvent } from '../../adapters/freeswitch/esl/messages.js';

const AUTH_REQUEST = 'Content-Type: auth/request\n\n';
const ACCEPTED = 'Content-Type: command/reply\nReply-Text: +OK accepted\n\n';
const SUBSCRIBED = 'Content-Type: command/reply\nReply-Text: +OK event listener enabled json\n\n';
const NOTICE = 'Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

function jsonEvent(obj: Record<string, string>): string {
  const text = JSON.stringify(obj);
  return `Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-json\n\n${text}`;
}

const job = (id: string, body: string): string => jsonEvent({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': id, 'Job-Command': 'x', 'Content-Length': String(Buffer.byteLength(body)), _body: body });

describe('the frame parser', () => {
  it('reads several frames from one chunk and keeps the rest for later', () => {
    const p = new EslFrameParser();
    const { frames, error } = p.push(Buffer.from(`${AUTH_REQUEST}${ACCEPTED}Content-Type: api/res`));
    expect(error).toBeNull();
    expect(frames.map((f) => f.headers['content-type'])).toEqual(['auth/request', 'command/reply']);
    expect(frames[1]?.headers['reply-text']).toBe('+OK accepted');
    expect(p.buffered).toBeGreaterThan(0);
    const rest = p.push(Buffer.from('ponse\nContent-Length: 4\n\n+OK\n'));
    expect(rest.frames[0]?.body?.toString()).toBe('+OK\n');
  });

  it('reads one frame fed a byte at a time, counting Content-Length in bytes (a UTF-8 name cut in two)', () => {
    const text = jsonEvent({ 'Event-Name': 'CHANNEL_PARK', 'Caller-Caller-ID-Name': 'Zoë 日本' });
    const bytes = Buffer.from(`\n${text}${ACCEPTED}`);
    const p = new EslFrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...p.push(bytes.subarray(i, i + 1)).frames);
    expect(frames).toHaveLength(2);
    const m = classify(frames[0]!);
    expect(m.type === 'event' && m.event.get('Caller-Caller-ID-Name')).toBe('Zoë 日本');
    expect(frames[1]?.headers['reply-text']).toBe('+OK accepted');
  });

  it('a body with empty lines in it is read by its length, not cut at the first empty line', () => {
    const body = 'Content-Type: text/event-plain\n\nnot headers\n\n';
    const p = new EslFrameParser();
    const { frames } = p.push(Buffer.from(`Content-Type: api/response\nContent-Length: ${body.length}\n\n${body}${ACCEPTED}`));
    expect(frames.map((f) => f.body?.toString() ?? null)).toEqual([body, null]);
  });

  it('accepts CRLF line ends; a header line without a name or a bad Content-Length breaks the stream for good', () => {
    expect(new EslFrameParser().push(Buffer.from('Content-Type: command/reply\r\nReply-Text: +OK\r\n\r\n')).frames[0]?.headers['reply-text']).toBe('+OK');
    const p = new EslFrameParser();
    expect(p.push(Buffer.from('garbage without a colon\n\n')).error?.name).toBe('EslProtocolError');
    expect(p.push(Buffer.from(ACCEPTED))).toMatchObject({ frames: [], error: { name: 'EslProtocolError' } });
    expect(new EslFrameParser().push(Buffer.from('Content-Length: -5\n\n')).error?.message).toMatch(/Content-Length/);
    expect(new EslFrameParser({ maxHeaderBytes: 64, maxBodyBytes: 10 }).push(Buffer.from(`X: ${'a'.repeat(100)}`)).error).not.toBeNull();
  });
});

describe('typed messages', () => {
  it('event-json: strings kept, arrays as ARRAY::a|:b, _body as the body; event-plain URL-decoded', () => {
    const m = classify(new EslFrameParser().push(Buffer.from(jsonEvent({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j1', _body: '+OK 42\n', variable_list: ['a', 'b'] as unknown as string }))).frames[0]!);
    if (m.type !== 'event') throw new Error(m.type);
    expect([m.event.name, m.event.body, m.event.get('variable_list')]).toEqual(['BACKGROUND_JOB', '+OK 42\n', 'ARRAY::a|:b']);
    const plain = 'Event-Name: DTMF\nUnique-ID: u1\nDTMF-Digit: %23\n\n';
    const p = classify(new EslFrameParser().push(Buffer.from(`Content-Length: ${plain.length}\nContent-Type: text/event-plain\n\n${plain}`)).frames[0]!);
    expect(p.type === 'event' && [p.event.uniqueId, p.event.get('DTMF-Digit')]).toEqual(['u1', '#']);
    expect(classify({ headers: { 'content-type': 'text/event-json' }, body: Buffer.from('{nope') }).type).toBe('bad-event');
  });
});

/** A spoof FreeSWITCH: one connection at a time, scripted by the test, reading the literal commands. */
class Spoof {
  private readonly server: Server;
  private socket: Socket | null = null;
  private buffer = '';
  private waiting: Array<() => void> = [];
  private onConnect: ((s: Socket) => void) | null = null;
  port = 0;

  constructor() {
    this.server = createServer((s) => {
      this.socket = s;
      this.buffer = '';
      s.on('data', (d) => {
        this.buffer += d.toString();
        for (const w of this.waiting.splice(0)) w();
      });
      s.on('error', () => {});
      this.onConnect?.(s);
    });
  }

  async start(onConnect: (s: Socket) => void = (s) => s.write(AUTH_REQUEST)): Promise<this> {
    this.onConnect = onConnect;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  write(text: string): void {
    this.socket?.write(text);
  }

  /** The next command, as sent (up to and including its empty line). */
  async read(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end !== -1) {
        const cmd = this.buffer.slice(0, end + 2);
        this.buffer = this.buffer.slice(end + 2);
        return cmd;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('the connection against a spoof FreeSWITCH', () => {
  let spoof: Spoof;
  let conn: EslConnection | null = null;
  const events: EslEvent[] = [];
  const closes: string[] = [];
  const bad: string[] = [];

  afterEach(async () => {
    if (conn?.open) {
      // Its close is reported asynchronously: wait for it, so it lands in this test's list.
      const before = closes.length;
      conn.close();
      await expect.poll(() => closes.length).toBe(before + 1);
    }
    conn = null;
    events.length = 0;
    closes.length = 0;
    bad.length = 0;
    await spoof.close();
  });

  async function handshake(timeoutMs = 1_000): Promise<EslConnection> {
    const connecting = connectEsl({
      host: '127.0.0.1', port: spoof.port, password: 'ClueCon', events: ['CHANNEL_PARK', 'DTMF', 'BACKGROUND_JOB'], timeoutMs, probeIntervalMs: 0,
      onEvent: (e) => events.push(e), onClose: (r) => closes.push(r), onBadFrame: (_t, r) => bad.push(r),
    });
    expect(await spoof.read()).toBe('auth ClueCon\n\n');
    spoof.write(ACCEPTED);
    expect(await spoof.read()).toBe('event json CHANNEL_PARK DTMF BACKGROUND_JOB\n\n');
    spoof.write(SUBSCRIBED);
    const c = await connecting;
    if (c instanceof EslConnectFailed) throw c;
    return (conn = c);
  }

  it('authenticates and subscribes with the literal commands; events that share a write with the reply arrive in order', async () => {
    spoof = await new Spoof().start();
    const connecting = connectEsl({
      host: '127.0.0.1', port: spoof.port, password: 'ClueCon', events: ['DTMF'], timeoutMs: 1_000, probeIntervalMs: 0, onEvent: (e) => events.push(e), onClose: (r) => closes.push(r),
    });
    expect(await spoof.read()).toBe('auth ClueCon\n\n');
    spoof.write(ACCEPTED);
    expect(await spoof.read()).toBe('event json DTMF\n\n');
    spoof.write(SUBSCRIBED + jsonEvent({ 'Event-Name': 'DTMF', 'DTMF-Digit': '1' }) + jsonEvent({ 'Event-Name': 'DTMF', 'DTMF-Digit': '2' }));
    const c = await connecting;
    if (c instanceof EslConnectFailed) throw c;
    conn = c;
    await expect.poll(() => events.map((e) => e.get('DTMF-Digit'))).toEqual(['1', '2']);
  });

  it('a wrong password: -ERR invalid, then the farewell notice: EslConnectFailed at auth with the reply', async () => {
    spoof = await new Spoof().start();
    const connecting = connectEsl({ host: '127.0.0.1', port: spoof.port, password: 'nope', events: ['DTMF'], timeoutMs: 1_000, probeIntervalMs: 0, onEvent: () => {}, onClose: () => {} });
    expect(await spoof.read()).toBe('auth nope\n\n');
    spoof.write(`Content-Type: command/reply\nReply-Text: -ERR invalid\n\n${NOTICE}`);
    expect(await connecting).toMatchObject({ name: 'EslConnectFailed', stage: 'auth', reply: '-ERR invalid' });
  });

  it('a rude rejection (apply-inbound-acl) and a silent peer fail the handshake with why', async () => {
    spoof = await new Spoof().start((s) => s.end('Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n'));
    const r = await connectEsl({ host: '127.0.0.1', port: spoof.port, password: 'x', events: ['DTMF'], timeoutMs: 1_000, probeIntervalMs: 0, onEvent: () => {}, onClose: () => {} });
    expect(r).toMatchObject({ name: 'EslConnectFailed', stage: 'auth/request' });
    expect((r as Error).message).toMatch(/rude rejection.*Access Denied/);
    await spoof.close();
    spoof = await new Spoof().start(() => {});
    const silent = await connectEsl({ host: '127.0.0.1', port: spoof.port, password: 'x', events: ['DTMF'], timeoutMs: 150, probeIntervalMs: 0, onEvent: () => {}, onClose: () => {} });
    expect((silent as Error).message).toMatch(/no auth\/request.*150 ms/);
  });

  it('replies are matched in order; bgapi jobs by Job-UUID, out of order; jobs of other clients are ignored', async () => {
    spoof = await new Spoof().start();
    const c = await handshake();
    const a = c.bgapi('originate {origination_uuid=leg-1}user/alice &park()', 2_000);
    const b = c.bgapi('uuid_answer call-1', 2_000);
    const v = c.api('version', 2_000);
    const cmdA = await spoof.read();
    const cmdB = await spoof.read();
    expect(await spoof.read()).toBe('api version\n\n');
    const idA = /Job-UUID: (\S+)/.exec(cmdA)?.[1] ?? '';
    const idB = /Job-UUID: (\S+)/.exec(cmdB)?.[1] ?? '';
    expect(cmdA).toBe(`bgapi originate {origination_uuid=leg-1}user/alice &park()\nJob-UUID: ${idA}\n\n`);
    expect(idB).not.toBe(idA);
    // Both replies, the api output, a foreign job, then B's job before A's: all in one write.
    spoof.write(
      `Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${idA}\nJob-UUID: ${idA}\n\n` +
        `Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${idB}\nJob-UUID: ${idB}\n\n` +
        'Content-Type: api/response\nContent-Length: 30\n\nFreeSWITCH Version 1.10.12 ...' +
        job('someone-elses-job', '+OK\n') + job(idB, '') + job(idA, '-ERR USER_BUSY\n'),
    );
    expect(await v).toBe('FreeSWITCH Version 1.10.12 ...');
    expect(await b).toBe('');
    expect(await a).toMatchObject({ name: 'EslRejected', reply: '-ERR USER_BUSY' });
    expect(events).toEqual([]);
  });

  it('a job that never finishes: EslTimeout (job), the socket stays up and a late BACKGROUND_JOB is ignored', async () => {
    spoof = await new Spoof().start();
    const c = await handshake();
    const p = c.bgapi('uuid_kill x', 100);
    const id = /Job-UUID: (\S+)/.exec(await spoof.read())?.[1] ?? '';
    spoof.write(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${id}\nJob-UUID: ${id}\n\n`);
    expect(await p).toMatchObject({ name: 'EslTimeout', stage: 'job', timeoutMs: 100 });
    spoof.write(job(id, '+OK\n'));
    const next = c.api('uptime', 1_000);
    expect(await spoof.read()).toBe('api uptime\n\n');
    spoof.write('Content-Type: api/response\nContent-Length: 5\n\n2781\n');
    expect(await next).toBe('2781\n');
    expect(c.open).toBe(true);
  });

  it('a reply that never comes: EslTimeout (reply) and the socket is closed, so no late reply can be matched to another command', async () => {
    spoof = await new Spoof().start();
    const c = await handshake(1_000);
    const p = c.api('show channels as json', 100);
    await spoof.read();
    expect(await p).toMatchObject({ name: 'EslTimeout', stage: 'reply' });
    await expect.poll(() => closes).toEqual([expect.stringMatching(/no reply to show within 100 ms/)]);
    expect(await c.api('version', 100)).toMatchObject({ name: 'EslClosed' });
  });

  it('a disconnect notice ends the connection: junk after it in the same write is never read; pending commands get EslClosed', async () => {
    spoof = await new Spoof().start();
    const c = await handshake();
    const pending = c.bgapi('uuid_answer call-1', 2_000);
    await spoof.read();
    spoof.write(`${jsonEvent({ 'Event-Name': 'DTMF', 'DTMF-Digit': '5' })}${NOTICE}${jsonEvent({ 'Event-Name': 'DTMF', 'DTMF-Digit': '9' })}\u0000\u0001garbage\n\n`);
    expect(await pending).toMatchObject({ name: 'EslClosed' });
    expect(closes).toEqual(['FreeSWITCH sent a disconnect notice: Disconnected, goodbye.']);
    expect(events.map((e) => e.get('DTMF-Digit'))).toEqual(['5']);
    expect(bad).toEqual([]);
  });

  it('a frame that is not a readable event is reported and skipped; bytes that break the framing close the socket', async () => {
    spoof = await new Spoof().start();
    const c = await handshake();
    spoof.write('Content-Length: 5\nContent-Type: text/event-json\n\n{nope' + jsonEvent({ 'Event-Name': 'DTMF', 'DTMF-Digit': '7' }));
    await expect.poll(() => events.length).toBe(1);
    expect(bad).toEqual([expect.stringMatching(/not JSON/)]);
    expect(c.open).toBe(true);
    spoof.write('this is not a header line\n\n');
    await expect.poll(() => closes).toEqual([expect.stringMatching(/not Event Socket frames/)]);
  });

  it('refuses commands that would break the framing, without sending them', async () => {
    spoof = await new Spoof().start();
    const c = await handshake();
    expect(await c.bgapi('uuid_kill a\n\nexit', 100)).toMatchObject({ name: 'EslBadCommand' });
    expect(await c.api('', 100)).toMatchObject({ name: 'EslBadCommand' });
    expect(await c.sendmsg('u1', { 'execute-app-arg': 'x\nevent-lock: true' }, 100)).toMatchObject({ name: 'EslBadCommand' });
    const probe = c.api('uptime', 1_000);
    expect(await spoof.read()).toBe('api uptime\n\n');
    spoof.write('Content-Type: api/response\nContent-Length: 2\n\n1\n');
    expect(await probe).toBe('1\n');
  });
});

describe('backoff', () => {
  it('grows exponentially to the cap, with half of it random', () => {
    const o = { initialMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 10].map((a) => backoffDelay(a, o, () => 0))).toEqual([250, 500, 1_000, 15_000]);
    expect([0, 1, 2, 10].map((a) => backoffDelay(a, o, () => 1))).toEqual([500, 1_000, 2_000, 30_000]);
    expect(backoffDelay(1_000, o, () => 0.5)).toBe(22_500);
  });
});
