/** Reports: cases by type, origin and customer; calls by queue and outcome with ASA, talk time, containment; CSV; roles. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../connector/reports/report-store.js';
import { acceptCall, api, connectAgent, login, nextEvent, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let admin: string;
const since = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.url, 'admin');
  const token = await login(srv.url, 'alice');
  const alice = await connectAgent(srv.url, token);
  await request(alice.socket, 'agent.state.set', { state: 'available' });
  // One answered call logged as a case, one caller who hangs up in the IVR.
  const pop = nextEvent(alice.socket, 'call.offered');
  const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
  await pop;
  await acceptCall(alice.socket, callId);
  const ended = nextEvent(alice.socket, 'call.ended');
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
  await ended;
  await api(srv.url, 'POST', '/api/cases', { token, body: { callId, subject: 'Printer', type: 'technical_support' } });
  const gone = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+12125550100', to: '+18005550100' } })).body.callId;
  await api(srv.url, 'POST', `/api/simulator/calls/${gone}/hangup`);
  for (let i = 0; i < 100 && srv.sb.callCenter.getCall(gone)?.outcome !== 'abandoned-ivr'; i++) await new Promise((r) => setImmediate(r));
  alice.socket.close();
});
afterAll(async () => {
  await srv?.close();
});

describe('reports', () => {
  it('cases by type, origin and customer', async () => {
    const byType = await api(srv.url, 'GET', `/api/reports/cases?by=type&from=${since}`, { token: admin });
    expect(byType.status).toBe(200);
    // Logged by alice from her call: no agent action on it yet, so it is awaiting a response, not averaged.
    expect(byType.body.rows).toEqual([{ bucket: null, key: 'technical_support', cases: 1, avgResponseSeconds: null, awaitingResponse: 1 }]);
    const byOrigin = await api(srv.url, 'GET', `/api/reports/cases?by=origin&from=${since}`, { token: admin });
    expect(byOrigin.body.rows.map((r: { key: string; cases: number }) => [r.key, r.cases])).toEqual([['phone', 1]]);
    const byCustomer = await api(srv.url, 'GET', `/api/reports/cases?by=customer&from=${since}`, { token: admin });
    expect(byCustomer.body.rows.map((r: { key: string }) => r.key)).toEqual(['Analytical Engines Ltd']);
    // The seeded demo cases are older: a range over them counts them too.
    const all = await api(srv.url, 'GET', '/api/reports/cases?by=type&from=2025-03-01&to=2026-03-01&interval=total', { token: admin });
    expect(all.body.rows.reduce((n: number, r: { cases: number }) => n + r.cases, 0)).toBeGreaterThan(30);
  });

  it('average response time: case created to first agent action; cases without one are counted, not averaged', async () => {
    const [number] = (await api(srv.url, 'GET', '/api/cases?limit=1', { token: admin })).body.cases.map((c: { number: string }) => c.number);
    // Another agent acts on it: that is its first response.
    const bob = await login(srv.url, 'bob');
    expect((await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: bob, body: { status: 'open' } })).status).toBe(200);
    // A case opened by the IVR (a callback request) 90 s ago, answered by alice now.
    const created = new Date(Date.now() - 90_000).toISOString();
    const { lastInsertRowid } = srv.sb.db
      .prepare("INSERT INTO cases (subject, type, priority, status, origin, description, disposition, agent, created_at) VALUES ('Callback request', 'billing_question', 'medium', 'new', 'phone', '', 'callback-requested', 'ivr', ?)")
      .run(created);
    expect((await api(srv.url, 'PATCH', `/api/cases/${lastInsertRowid}`, { token: await login(srv.url, 'alice'), body: { status: 'pending' } })).body.firstResponseBy).toBe('alice');
    // One more IVR case nobody touched yet.
    srv.sb.db.prepare("INSERT INTO cases (subject, type, priority, status, origin, description, agent, created_at) VALUES ('Voicemail', 'billing_question', 'medium', 'new', 'phone', '', 'ivr', ?)").run(created);

    const rows = (await api(srv.url, 'GET', `/api/reports/cases?by=type&from=${new Date(Date.now() - 120_000).toISOString()}`, { token: admin })).body.rows;
    const byKey = Object.fromEntries(rows.map((r: { key: string }) => [r.key, r]));
    expect(byKey['technical_support']).toMatchObject({ cases: 1, awaitingResponse: 0, avgResponseSeconds: expect.any(Number) });
    expect(byKey['technical_support'].avgResponseSeconds).toBeLessThan(30);
    expect(byKey['billing_question']).toMatchObject({ cases: 2, awaitingResponse: 1 });
    expect(byKey['billing_question'].avgResponseSeconds).toBeGreaterThanOrEqual(89);
    expect(byKey['billing_question'].avgResponseSeconds).toBeLessThan(120);
    const csv = await api(srv.url, 'GET', `/api/reports/cases?by=type&from=${since}&format=csv`, { token: admin });
    expect((csv.body as string).split('\r\n')[0]).toBe('bucket,key,cases,avgResponseSeconds,awaitingResponse');
  });

  it('calls by outcome and queue, with speed of answer, talk time and containment', async () => {
    const byOutcome = await api(srv.url, 'GET', `/api/reports/calls?by=outcome&from=${since}`, { token: admin });
    const rows = Object.fromEntries(byOutcome.body.rows.map((r: { key: string }) => [r.key, r]));
    expect(rows['answered']).toMatchObject({ calls: 1, answered: 1, abandoned: 0, avgSpeedOfAnswerSeconds: expect.any(Number), avgTalkSeconds: expect.any(Number) });
    // Handle time is talk plus after-call work, which ended when the case was saved.
    expect(rows['answered'].avgHandleSeconds).toBeGreaterThanOrEqual(rows['answered'].avgTalkSeconds);
    expect(rows['abandoned-ivr']).toMatchObject({ calls: 1, answered: 0, abandoned: 1 });
    const byQueue = await api(srv.url, 'GET', `/api/reports/calls?by=queue&from=${since}&interval=day`, { token: admin });
    const day = new Date().toISOString().slice(0, 10);
    expect(byQueue.body.rows).toEqual(
      expect.arrayContaining([expect.objectContaining({ bucket: day, key: 'support', calls: 1 }), expect.objectContaining({ bucket: day, key: '(no queue)', calls: 1 })]),
    );
  });

  it('exports CSV', async () => {
    const r = await api(srv.url, 'GET', `/api/reports/calls?by=outcome&from=${since}&format=csv`, { token: admin });
    expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename="?calls-by-outcome-/);
    const lines = (r.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('bucket,key,calls,answered,containedInIvr,abandoned,avgSpeedOfAnswerSeconds,avgTalkSeconds,avgHandleSeconds');
    expect(lines).toHaveLength(3);
    expect(toCsv([{ a: '=SUM(A1)', b: 'x,"y"' }], ['a', 'b'])).toBe('a,b\r\n\'=SUM(A1),"x,""y"""\r\n');
  });

  it('agents may not read reports; bad queries are 400', async () => {
    const alice = await login(srv.url, 'alice');
    expect((await api(srv.url, 'GET', '/api/reports/cases', { token: alice })).status).toBe(403);
    expect((await api(srv.url, 'GET', '/api/reports/cases')).status).toBe(401);
    const bad = await api(srv.url, 'GET', '/api/reports/calls?by=colour&interval=week&from=yesterday', { token: admin });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['by', 'from', 'interval']);
    const long = await api(srv.url, 'GET', '/api/reports/calls?from=2020-01-01&to=2026-01-01', { token: admin });
    expect(long.body.error.fields).toEqual({ from: ['at most 366 days before to'] });
  });
});
