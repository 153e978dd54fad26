/**
 * Bad input to the REST API gets a clear, coded answer and writes nothing:
 * case bodies, unknown callIds, retried saves, simulator requests, auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADA_E164 } from '../connector/store/seed.js';
import { acceptCall, api, connectAgent, login, nextEvent, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
const caseCount = (): number => (srv.sb.db.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
const contactCount = (): number => (srv.sb.db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n;

beforeAll(async () => {
  srv = await startTestServer();
  token = await login(srv.url, 'alice');
});
afterAll(async () => {
  await srv?.close();
});

const good = { subject: 'Question about an invoice', type: 'billing_question', priority: 'medium' };

describe('POST /api/cases', () => {
  it.each([
    ['missing subject and type', {}, { subject: ['required'], type: [expect.stringContaining('expected one of')] }],
    ['blank subject', { ...good, subject: '   ' }, { subject: ['required'] }],
    ['unknown type', { ...good, type: 'complaint' }, { type: ['expected one of: technical_support, billing_question, feature_request, customer_info_change'] }],
    ['bad priority', { ...good, priority: 'asap' }, { priority: [expect.stringContaining('expected one of')] }],
    ['unknown field', { ...good, colour: 'red' }, { colour: ['unknown field'] }],
    ['contactId of the wrong type', { ...good, contactId: 'seven' }, { contactId: [expect.any(String)] }],
    ['contactId and newContact together', { ...good, contactId: 1, newContact: { firstName: 'A', lastName: 'B' } }, { newContact: ['give either contactId or newContact, not both'] }],
    ['new contact with a bad e-mail', { ...good, newContact: { firstName: 'A', lastName: 'B', email: 'not-mail' } }, { 'newContact.email': ['expected an e-mail address'] }],
    ['subject too long', { ...good, subject: 'x'.repeat(201) }, { subject: ['at most 200 characters'] }],
  ])('%s -> 400 with the errors per field, nothing written', async (_name, body, fields) => {
    const before = [caseCount(), contactCount()];
    const r = await api(srv.url, 'POST', '/api/cases', { token, body });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields).toEqual(fields);
    expect([caseCount(), contactCount()]).toEqual(before);
  });

  it('a body that is not JSON -> 400 INVALID_JSON', async () => {
    const r = await api(srv.url, 'POST', '/api/cases', { token, raw: '{"subject": ' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_JSON');
  });

  it('a body that is a JSON array or null -> 400', async () => {
    for (const raw of ['[]', 'null', '"text"']) {
      const r = await api(srv.url, 'POST', '/api/cases', { token, raw });
      expect(r.status).toBe(400);
    }
  });

  it('a huge body -> 413, nothing written', async () => {
    const before = caseCount();
    const r = await api(srv.url, 'POST', '/api/cases', { token, body: { ...good, description: 'x'.repeat(100_000) } });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(caseCount()).toBe(before);
  });

  it('an unknown callId -> 422 UNKNOWN_CALL, nothing written', async () => {
    const before = caseCount();
    const r = await api(srv.url, 'POST', '/api/cases', { token, body: { ...good, callId: 'no-such-call' } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'UNKNOWN_CALL', fields: { callId: ['no such call'] } });
    expect(caseCount()).toBe(before);
  });

  it('an unknown contactId -> 422 CONTACT_NOT_FOUND', async () => {
    const r = await api(srv.url, 'POST', '/api/cases', { token, body: { ...good, contactId: 999_999 } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('CONTACT_NOT_FOUND');
  });

  it('without a token -> 401; with a revoked token -> 401', async () => {
    expect((await api(srv.url, 'POST', '/api/cases', { body: good })).status).toBe(401);
    const t = await login(srv.url, 'bob');
    expect((await api(srv.url, 'POST', '/api/auth/logout', { token: t })).status).toBe(204);
    const r = await api(srv.url, 'GET', '/api/cases', { token: t });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
  });

  it('a retried save returns the same case; the same key with another body is refused', async () => {
    const key = 'retry-test-1';
    const first = await api(srv.url, 'POST', '/api/cases', { token, body: good, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    const before = caseCount();
    const again = await api(srv.url, 'POST', '/api/cases', { token, body: good, headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await api(srv.url, 'POST', '/api/cases', { token, body: { ...good, subject: 'Different' }, headers: { 'Idempotency-Key': key } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(caseCount()).toBe(before);
    // Keys belong to the agent: bob's same key is his own, fresh save.
    const bobToken = await login(srv.url, 'bob');
    const bob = await api(srv.url, 'POST', '/api/cases', { token: bobToken, body: good, headers: { 'Idempotency-Key': key } });
    expect(bob.status).toBe(201);
    expect(bob.body.number).not.toBe(first.body.number);
  });

  it('a malformed Idempotency-Key -> 400', async () => {
    const r = await api(srv.url, 'POST', '/api/cases', { token, body: good, headers: { 'Idempotency-Key': 'a b' } });
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toEqual({ 'Idempotency-Key': ['expected 1-200 printable ASCII characters'] });
  });

  it('case numbers are sequential and eight digits', async () => {
    const a = await api(srv.url, 'POST', '/api/cases', { token, body: good });
    const b = await api(srv.url, 'POST', '/api/cases', { token, body: good });
    expect(Number(b.body.number)).toBe(Number(a.body.number) + 1);
    expect(a.body.number).toMatch(/^\d{8}$/);
  });

  it('an unknown caller is logged with a new contact carrying the caller number', async () => {
    const alice = await connectAgent(srv.url, token);
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const pop = nextEvent(alice.socket, 'call.offered');
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+13125550199', to: '+18005550100' } })).body;
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
    expect((await pop).lookup).toEqual({ outcome: 'none', reason: 'not-found' });
    await acceptCall(alice.socket, callId);
    // Logged during the call: allowed, talk time not known yet.
    const r = await api(srv.url, 'POST', '/api/cases', {
      token,
      body: { callId, subject: 'New customer', type: 'feature_request', newContact: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' } },
    });
    expect(r.status).toBe(201);
    expect(r.body.contactId).toEqual(expect.any(Number));
    const again = await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '(312) 555-0199', to: '+18005550100' } });
    const found = srv.sb.callCenter.getCall(again.body.callId);
    await expect.poll(() => found?.lookup?.outcome).toBe('one');
    await api(srv.url, 'POST', `/api/simulator/calls/${again.body.callId}/hangup`);
    await request(alice.socket, 'call.hangup', { callId });
    alice.socket.close();
  });
});

describe('GET /api/cases', () => {
  it('filters by phone in any written form, type and status; rejects bad filters', async () => {
    const list = await api(srv.url, 'GET', `/api/cases?phone=${encodeURIComponent('415.555.0123')}&status=open`, { token });
    expect(list.status).toBe(200);
    expect(list.body.cases.length).toBeGreaterThan(0);
    expect(list.body.cases.every((c: { status: string }) => c.status === 'open')).toBe(true);
    const e164 = await api(srv.url, 'GET', `/api/cases?phone=${encodeURIComponent(ADA_E164)}&status=open`, { token });
    expect(e164.body.cases.map((c: { number: string }) => c.number)).toEqual(list.body.cases.map((c: { number: string }) => c.number));
    const bad = await api(srv.url, 'GET', '/api/cases?type=nope&limit=100000', { token });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['limit', 'type']);
  });

  it('GET /api/cases/:number -> 404 CASE_NOT_FOUND for an unknown number', async () => {
    const r = await api(srv.url, 'GET', '/api/cases/99999999', { token });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('CASE_NOT_FOUND');
  });
});

describe('simulator API', () => {
  it('unknown callId -> 404 CALL_NOT_FOUND on every call route', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/simulator/calls/nope/digits', { digits: '1' }],
      ['POST', '/api/simulator/calls/nope/hangup', undefined],
      ['GET', '/api/simulator/calls/nope', undefined],
    ] as const) {
      const r = await api(srv.url, method, path, { body });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('CALL_NOT_FOUND');
    }
  });

  it('bad digits and bad calls -> 400 with fields', async () => {
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: 'anonymous', to: '100' } })).body;
    for (const digits of ['', '12x', 'E', '1'.repeat(33)]) {
      const r = await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
      expect(r.status).toBe(400);
      expect(r.body.error.fields.digits).toEqual(['expected 1-32 DTMF keys: 0-9, *, #, A-D']);
    }
    const noTo = await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123' } });
    expect(noTo.status).toBe(400);
    expect(noTo.body.error.fields).toEqual({ to: ['required'] });
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    // Digits after the hangup: the call is gone.
    const late = await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
    expect(late.status).toBe(404);
    // A withheld caller was handled: no lookup match, reason withheld.
    expect(srv.sb.callCenter.getCall(callId)?.lookup).toEqual({ outcome: 'none', reason: 'withheld' });
  });
});

describe('auth, health and metrics', () => {
  it('login: wrong password and unknown user look the same; bad bodies are 400', async () => {
    const wrong = await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'alice', password: 'nope' } });
    const unknown = await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'mallory', password: 'nope' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect((await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'alice' } })).status).toBe(400);
    const me = await api(srv.url, 'GET', '/api/me', { token });
    expect(me.body.agent).toMatchObject({ username: 'alice', displayName: 'Alice Agent' });
  });

  it('/healthz reports each adapter; /metrics is Prometheus text', async () => {
    const h = await api(srv.url, 'GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.body.adapters).toEqual([expect.objectContaining({ id: 'sim', kind: 'simulator', state: 'connected', lastError: null })]);
    const m = await api(srv.url, 'GET', '/metrics');
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    expect(m.body).toMatch(/# TYPE switchboard_screenpop_latency_seconds histogram/);
    expect(m.body).toMatch(/# TYPE switchboard_calls_total counter/);
  });

  it('unknown routes -> 404 JSON', async () => {
    const r = await api(srv.url, 'GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('pages', () => {
  it('serves /agent/ and /phone/ directly and redirects the bare paths, keeping the query (regression: /agent/ redirected to /agent//)', async () => {
    for (const page of ['agent', 'phone']) {
      const direct = await fetch(`${srv.url}/${page}/`, { redirect: 'manual' });
      expect(direct.status).not.toBe(302);
      const bare = await fetch(`${srv.url}/${page}?lang=ja`, { redirect: 'manual' });
      expect(bare.status).toBe(302);
      expect(bare.headers.get('location')).toBe(`/${page}/?lang=ja`);
    }
  });
});
