/**
 * The protocol layer: generated types match the Swagger files; the fake ARI server
 * really checks requests against them; the REST client's wire format (auth, query
 * encoding, errors, timeouts); the reconnect backoff; prompt media URIs.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../adapters/asterisk/ari/event-socket.js';
import { AriRestClient } from '../../adapters/asterisk/ari/rest-client.js';
import { promptMedia } from '../../adapters/asterisk/prompts.js';
import { generate, OUT_FILE } from '../../scripts/gen-ari-types.js';
import { FakeAriServer } from './fake-ari/server.js';
import { AriSwagger } from './fake-ari/swagger.js';

describe('ARI types', () => {
  it('types.gen.ts is what scripts/gen-ari-types.ts generates from the vendored Swagger files', () => {
    expect(readFileSync(OUT_FILE, 'utf8')).toBe(generate());
  });
});

describe('the fake ARI server checks requests against the Swagger files', () => {
  let fake: FakeAriServer;
  const auth = { authorization: `Basic ${Buffer.from('switchboard:secret').toString('base64')}` };
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${fake.url}${path}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? ((JSON.parse(text) as { message?: string }).message ?? text) : null };
  };
  beforeAll(async () => {
    fake = await new FakeAriServer().start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it.each([
    ['GET', '/nowhere', 404, /Resource not found/],
    ['PATCH', '/channels', 405, /Invalid method/],
    ['POST', '/channels', 400, /missing required parameter endpoint/],
    ['DELETE', '/channels/1.1?reason=whatever', 400, /reason: "whatever" is not one of normal, busy/],
    ['POST', '/channels?endpoint=PJSIP/a&app=x&timeout=soon', 400, /timeout: expected an integer/],
    ['POST', '/channels/1.1/answer?please=1', 400, /unknown query parameter please/],
    ['POST', '/playbacks/p1/control?operation=rewind', 400, /operation: "rewind" is not one of restart, pause/],
    ['POST', '/bridges/b1/play?media=sound:x&offsetms=-5', 400, /offsetms: below 0/],
  ])('%s %s -> %i', async (method, path, status, message) => {
    const r = await send(method, path);
    expect(r.status).toBe(status);
    expect(r.body).toMatch(message);
  });

  it('a body field that must be an object, and an unknown user, are refused', async () => {
    expect((await send('POST', '/channels/1.1/variables', { variables: 'x' })).status).toBe(400);
    const res = await fetch(`${fake.url}/asterisk/info`, { headers: { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` } });
    expect(res.status).toBe(401);
  });

  it('a valid request the fake does not model is a 501, not a silent success', async () => {
    expect((await send('POST', '/asterisk/modules/res_pjsip.so')).status).toBe(501);
  });

  it('event validation catches a missing required field, a wrong type and an unknown property', () => {
    const s = new AriSwagger();
    const ok = { type: 'ChannelDtmfReceived', application: 'a', timestamp: '2025-05-01T10:00:00.000+0000', digit: '1', duration_ms: 100, channel: JSON.parse(readFileSync(new URL('../fixtures/ari-events/inbound-call.json', import.meta.url), 'utf8'))[0].channel };
    expect(s.validate(ok, 'Event')).toEqual([]);
    const { digit: _digit, ...noDigit } = ok;
    expect(s.validate(noDigit, 'Event')).toEqual(['$.digit: required by ChannelDtmfReceived']);
    expect(s.validate({ ...ok, duration_ms: '100' }, 'Event')).toEqual(['$.duration_ms: expected an integer']);
    expect(s.validate({ ...ok, pressed: true }, 'Event')).toEqual(['$.pressed: not a property of ChannelDtmfReceived']);
    expect(s.validate({ ...ok, timestamp: '2025-05-01T10:00:00Z' }, 'Event')[0]).toMatch(/expected an ARI date/);
    expect(s.validate({ ...ok, type: 'Nope' }, 'Event')[0]).toMatch(/not a subtype of Event/);
  });
});

describe('the ARI REST client on the wire', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  let reply: (req: IncomingMessage) => { status: number; body?: string; delayMs?: number } = () => ({ status: 204 });

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const r = reply(req);
      if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
      res.writeHead(r.status, r.body ? { 'content-type': 'application/json' } : {}).end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ari`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const client = (mode: 'basic' | 'api_key', timeoutMs = 1_000) =>
    new AriRestClient({ adapterId: 'pbx1', baseUrl: `${base}/`, credentials: { username: 'sb', password: 'p@ss:w', mode }, timeoutMs });

  it('Basic auth in a header; path parameters and query values percent-encoded; lists comma-joined', async () => {
    seen.length = 0;
    reply = () => ({ status: 201, body: '{"id":"x"}' });
    await client('basic').call('POST /channels/{channelId}/play/{playbackId}', {
      path: { channelId: '1746093600.41', playbackId: 'a b' },
      query: { media: ['sound:http://h/p.wav?text=For support, press 1', 'sound:beep'] },
    });
    const r = seen[0];
    expect(r?.method).toBe('POST');
    expect(r?.headers.authorization).toBe(`Basic ${Buffer.from('sb:p@ss:w').toString('base64')}`);
    expect(r?.url).toBe('/ari/channels/1746093600.41/play/a%20b?media=sound%3Ahttp%3A%2F%2Fh%2Fp.wav%3Ftext%3DFor%20support%2C%20press%201%2Csound%3Abeep');
  });

  it('api_key mode: user:password in the query, no header; 204 resolves undefined', async () => {
    seen.length = 0;
    reply = () => ({ status: 204 });
    expect(await client('api_key').call('POST /channels/{channelId}/answer', { path: { channelId: 'c1' } })).toBeUndefined();
    expect(seen[0]?.url).toBe(`/ari/channels/c1/answer?api_key=${encodeURIComponent('sb:p@ss:w')}`);
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(client('api_key').eventsUrl('switchboard')).toBe(`${base.replace('http', 'ws')}/events?app=switchboard&subscribeAll=false&api_key=${encodeURIComponent('sb:p@ss:w')}`);
  });

  it.each([
    [404, 'CALL_GONE'],
    [400, 'INVALID_REQUEST'],
    [409, 'PBX_REJECTED'],
    [422, 'PBX_REJECTED'],
    [500, 'PBX_REJECTED'],
    [503, 'PBX_UNAVAILABLE'],
  ] as const)('HTTP %i -> AdapterError %s with the status and Asterisk message', async (status, code) => {
    reply = () => ({ status, body: '{"message":"Channel not found"}' });
    await expect(client('basic').call('GET /channels/{channelId}', { path: { channelId: 'x' } })).rejects.toMatchObject({
      name: 'AdapterError', code, httpStatus: status, message: `GET /channels/{channelId}: ${status} Channel not found`,
    });
  });

  it('every request has a timeout', async () => {
    reply = () => ({ status: 204, delayMs: 300 });
    await expect(client('basic', 50).call('GET /asterisk/ping')).rejects.toMatchObject({ code: 'PBX_TIMEOUT' });
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially with equal jitter and stays under the cap', () => {
    const o = { initialMs: 500, maxMs: 30_000 };
    expect(backoffDelay(0, o, () => 0)).toBe(250);
    expect(backoffDelay(0, o, () => 1)).toBe(500);
    expect(backoffDelay(3, o, () => 0)).toBe(2_000);
    expect(backoffDelay(3, o, () => 1)).toBe(4_000);
    for (const attempt of [10, 50, 10_000]) {
      expect(backoffDelay(attempt, o, () => 0)).toBe(15_000);
      expect(backoffDelay(attempt, o, () => 1)).toBe(30_000);
    }
  });
});

describe('prompt media URIs', () => {
  const p = { id: 'main-menu.options', text: 'For support, press 1.' };
  it('the prompt media first, then the configured sound, then the URL template, then Switchboard', () => {
    const render = (x: { text: string }) => `http://sb:3000/prompts/${x.text.length}.wav`;
    expect(promptMedia({ ...p, media: 'sound:hello-world' }, { sounds: { 'main-menu.options': 'custom/menu' } })).toBe('sound:hello-world');
    expect(promptMedia(p, { sounds: { 'main-menu.options': 'custom/menu' }, render })).toBe('sound:custom/menu');
    expect(promptMedia(p, { sounds: {}, urlTemplate: 'http://tts/{id}.wav?text={text}&lang={lang}', render })).toBe(
      'sound:http://tts/main-menu.options.wav?text=For%20support%2C%20press%201.&lang=en',
    );
    expect(promptMedia(p, { sounds: {}, render })).toBe('sound:http://sb:3000/prompts/21.wav');
    expect(promptMedia(p, { sounds: {} })).toBeNull();
  });

  it('{hash} changes with the wording and the language', () => {
    const t = { sounds: {}, urlTemplate: 'http://tts/{hash}.wav' };
    const a = promptMedia(p, t);
    expect(a).toMatch(/^sound:http:\/\/tts\/[0-9a-f]{16}\.wav$/);
    expect(promptMedia({ ...p, text: 'For billing, press 2.' }, t)).not.toBe(a);
    expect(promptMedia({ ...p, language: 'ja' }, t)).not.toBe(a);
  });
});
