/**
 * The generic HTTP CTI adapter: a PBX posts call events; pops follow the same
 * rules as every other adapter (observe mode). Authenticated per PBX by bearer
 * token or HMAC; duplicates and out-of-order events harmless; unknown calls and
 * bad requests answered clearly, with nothing acted on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../adapters/http-cti/auth.js';
import { HttpCtiAdapter } from '../adapters/http-cti/adapter.js';
import type { PbxEvent } from '../adapters/events.js';
import { api, connectAgent, login, nextEvent, recordEvents, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'token-of-the-3cx-box-0123456789';
const HMAC_KEY = 'hmac-key-of-the-freepbx-box-0123';
const ALICE_HASH = 'scrypt$32768$8$1$bXYE1SmcHFLA/PFU0S51ow==$BUjvjfuPQFhSVxOpVt3Wz16fPdxAc2pThiInp2Qo8Ec=';
const BOB_HASH = 'scrypt$32768$8$1$bI4Zarq3GbqszkmWtvQg6g==$L/D0eCg4ww6ZDSvNmo0sxOeq7YPlBkdQc1bW3t3My8E=';

let srv: TestServer;
let alice: AgentClient;
let aliceToken: string;
let bob: AgentClient;

const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  api(srv.url, 'POST', '/api/cti/events', { raw: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

function signed(body: unknown, opts: { ts?: string; key?: string; tamper?: boolean } = {}) {
  const raw = JSON.stringify(body);
  const ts = opts.ts ?? String(Math.floor(Date.now() / 1000));
  const sig = sign(opts.key ?? HMAC_KEY, ts, raw);
  return api(srv.url, 'POST', '/api/cti/events', {
    raw: opts.tamper ? raw.replace('+1', '+9') : raw,
    headers: { 'content-type': 'application/json', 'x-switchboard-pbx': 'freepbx', 'x-switchboard-timestamp': ts, 'x-switchboard-signature': sig },
  });
}

beforeAll(async () => {
  srv = await startTestServer({
    config: {
      adapters: [
        { id: 'sim', kind: 'simulator', charsPerSecond: 400 },
        { id: 'threecx', kind: 'http', auth: 'bearer', secret: TOKEN },
        { id: 'freepbx', kind: 'http', auth: 'hmac', secret: HMAC_KEY },
      ],
      agents: [
        { username: 'alice', displayName: 'Alice Agent', passwordHash: ALICE_HASH, queues: ['support'], endpoint: '201' },
        { username: 'bob', displayName: 'Bob Agent', passwordHash: BOB_HASH, queues: ['billing'], endpoint: '202' },
      ],
    },
  });
  aliceToken = await login(srv.url, 'alice');
  ({ socket: alice } = await connectAgent(srv.url, aliceToken));
  ({ socket: bob } = await connectAgent(srv.url, await login(srv.url, 'bob')));
});
afterAll(async () => {
  alice?.close();
  bob?.close();
  await srv?.close();
});

describe('generic HTTP CTI', () => {
  it('newCall -> ringing -> answer -> hangup pops on the ringing agent only, then logs a case', async () => {
    const bobSaw = recordEvents(bob, ['call.offered']);
    const pop = nextEvent(alice, 'call.offered');
    expect((await post({ event: 'newCall', callId: 'c-1', from: '(415) 555-0123', to: '8005550100', direction: 'inbound', queue: 'support', eventId: 'e1' })).status).toBe(202);
    expect((await post({ event: 'ringing', callId: 'c-1', extension: '201', eventId: 'e2' })).status).toBe(202);
    const p = await pop;
    expect(p).toMatchObject({ callId: 'c-1', aniRaw: '(415) 555-0123', aniE164: '+14155550123', dnis: '8005550100' });
    expect(p.lookup.outcome).toBe('one');
    const connected = nextEvent(alice, 'call.connected');
    expect((await post({ event: 'answer', callId: 'c-1', agent: 'alice', eventId: 'e3' })).status).toBe(202);
    expect((await connected).callId).toBe('c-1');
    const ended = nextEvent(alice, 'call.ended');
    expect((await post({ event: 'hangup', callId: 'c-1', eventId: 'e4' })).status).toBe(202);
    expect((await ended).callId).toBe('c-1');
    const c = await api(srv.url, 'POST', '/api/cases', { token: aliceToken, body: { callId: 'c-1', subject: 'From the PBX', type: 'technical_support' } });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ callId: 'c-1', aniE164: '+14155550123', agent: 'alice', origin: 'phone' });
    expect(bobSaw).toEqual([]);
    // Wrap-up over: alice is free for the next test.
    await request(alice, 'wrapup.finish', { callId: 'c-1' });
  });

  it('duplicates and out-of-order events are harmless', async () => {
    const pops = recordEvents(alice, ['call.offered']);
    const connected = nextEvent(alice, 'call.connected');
    // The answer overtakes both newCall and ringing, carrying who calls.
    expect((await post({ event: 'answer', callId: 'c-2', from: '+14155550123', to: '100', extension: '201', eventId: 'x3' })).status).toBe(202);
    expect((await post({ event: 'answer', callId: 'c-2', from: '+14155550123', to: '100', extension: '201', eventId: 'x3' })).body).toEqual({ status: 'duplicate', callId: 'c-2' });
    expect((await post({ event: 'ringing', callId: 'c-2', extension: '201', eventId: 'x2' })).body.status).toBe('duplicate');
    expect((await post({ event: 'newCall', callId: 'c-2', from: '+14155550123', to: '100', eventId: 'x1' })).status).toBe(202);
    await connected;
    expect((await post({ event: 'hangup', callId: 'c-2', eventId: 'x4' })).status).toBe(202);
    expect((await post({ event: 'hangup', callId: 'c-2', eventId: 'x5' })).body.status).toBe('duplicate');
    expect(pops.filter((e) => e.payload.callId === 'c-2')).toHaveLength(1);
    await request(alice, 'wrapup.finish', { callId: 'c-2' });
  });

  it('events for unknown calls and bad requests get clear answers', async () => {
    const r = await post({ event: 'hangup', callId: 'never-seen' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('CALL_NOT_FOUND');
    expect((await post({ event: 'ringing', callId: 'nobody-knows', extension: '201' })).status).toBe(404);
    const bad = await post({ event: 'ring', callId: '', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['callId', 'colour', 'event']);
    expect((await post('{"event":')).body.error.code).toBe('INVALID_JSON');
  });

  it('authenticates each PBX; a refused request acts on nothing', async () => {
    const pops = recordEvents(alice, ['call.offered']);
    const ev = { event: 'newCall', callId: 'c-3', from: '+14155550123', to: '100', extension: '201' };
    expect((await post(ev, {})).status).toBe(401);
    expect((await post(ev, { authorization: 'Bearer not-the-token-at-all-000' })).status).toBe(401);
    expect((await signed(ev, { tamper: true })).status).toBe(401);
    expect((await signed(ev, { key: 'some-other-key-0000000000000000' })).status).toBe(401);
    expect((await signed(ev, { ts: String(Math.floor(Date.now() / 1000) - 3600) })).body.error.message).toMatch(/timestamp outside/);
    // A bearer token is not accepted in place of a signature for the HMAC PBX.
    expect((await post(ev, { 'x-switchboard-pbx': 'freepbx', authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    expect(pops).toEqual([]);
    const ok = nextEvent(alice, 'call.offered');
    expect((await signed(ev)).status).toBe(202);
    expect((await ok).callId).toBe('c-3');
    expect((await post({ event: 'hangup', callId: 'c-3' })).status).toBe(404); // another PBX's call
    expect((await signed({ event: 'hangup', callId: 'c-3' })).status).toBe(202);
  });
});

describe('HttpCtiAdapter (unit)', () => {
  it('ring-all: the answer ends the other phones; call control is refused', async () => {
    const a = new HttpCtiAdapter('h', (u) => `ext-${u}`);
    const seen: PbxEvent[] = [];
    a.onEvent((e) => seen.push(e));
    await a.connect();
    a.receive({ event: 'newCall', callId: 'k', from: '+1', to: '2' });
    a.receive({ event: 'ringing', callId: 'k', agent: 'alice' });
    a.receive({ event: 'ringing', callId: 'k', agent: 'bob' });
    a.receive({ event: 'answer', callId: 'k', agent: 'bob' });
    await Promise.resolve();
    expect(seen.map((e) => [e.type, 'endpoint' in e ? e.endpoint : null])).toEqual([
      ['observed.ringing', 'ext-alice'],
      ['observed.ringing', 'ext-bob'],
      ['observed.answered', 'ext-bob'],
      ['observed.ended', 'ext-alice'],
    ]);
    await expect(a.answer()).rejects.toMatchObject({ code: 'PBX_REJECTED' });
    await expect(a.ringAgent()).rejects.toMatchObject({ code: 'PBX_REJECTED' });
    expect(a.health()).toMatchObject({ kind: 'http', state: 'connected' });
  });
});
