/**
 * Role boundaries: agents may not use the admin API or read reports, and see
 * their own pops only; supervisors read reports but do not administer; admins
 * pass every check. Refused requests write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectAgent, login, nextEvent, recordEvents, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let admin: string;
let alice: string;
let sam: string;
const count = (table: string): number => (srv.sb.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

const ADMIN_CALLS: Array<[string, string, unknown?]> = [
  ['GET', '/api/admin/agents'],
  ['POST', '/api/admin/agents', { username: 'mallory', displayName: 'M', password: 'long-enough-pw', role: 'admin' }],
  ['PATCH', '/api/admin/agents/alice', { role: 'admin' }],
  ['PATCH', '/api/admin/agents/bob', { disabled: true }],
  ['POST', '/api/admin/agents/admin/password', { password: 'taken-over-pw' }],
  ['GET', '/api/admin/audit'],
  ['GET', '/api/admin/adapters'],
  ['GET', '/api/admin/flows/main/diagram'],
  ['POST', '/api/admin/flows/main/validate', 'name: main'],
  ['GET', '/api/admin/no-such-thing'],
];

beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.url, 'admin');
  await api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'sam', displayName: 'Sam Supervisor', password: 'sam-password', role: 'supervisor' } });
  alice = await login(srv.url, 'alice');
  sam = await login(srv.url, 'sam', 'sam-password');
});
afterAll(async () => {
  await srv?.close();
});

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  if (typeof body === 'string') {
    const res = await fetch(srv.url + path, { method, headers: { 'content-type': 'application/yaml', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
    return { status: res.status, body: (await res.json()) as any };
  }
  return api(srv.url, method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
}

describe('role boundaries', () => {
  it('an agent and a supervisor get 403 from every admin endpoint, no token 401; nothing is written', async () => {
    const before = [count('agents'), count('audit_log'), count('sessions')];
    for (const [method, path, body] of ADMIN_CALLS) {
      for (const [who, token, status, code] of [['agent', alice, 403, 'FORBIDDEN'], ['supervisor', sam, 403, 'FORBIDDEN'], ['nobody', undefined, 401, 'UNAUTHORIZED']] as const) {
        const r = await call(method, path, token, body);
        expect([who, method, path, r.status, r.body.error?.code]).toEqual([who, method, path, status, code]);
      }
    }
    expect([count('agents'), count('audit_log'), count('sessions')]).toEqual(before);
    expect(srv.sb.db.prepare("SELECT role FROM agents WHERE username = 'alice'").get()).toEqual({ role: 'agent' });
  });

  it('the admin passes every admin check', async () => {
    for (const [method, path] of ADMIN_CALLS.filter(([m]) => m === 'GET')) {
      const r = await call(method, path, admin);
      expect([path, r.status]).toEqual([path, path.endsWith('no-such-thing') ? 404 : 200]);
    }
  });

  it('/admin and /reports redirect to their pages, keeping the query', async () => {
    for (const [from, to] of [['/admin', '/admin/'], ['/reports?report=cases:type&interval=hour', '/reports/?report=cases:type&interval=hour']]) {
      const r = await fetch(srv.url + (from as string), { redirect: 'manual' });
      expect([r.status, r.headers.get('location')]).toEqual([302, to]);
    }
  });

  it('agents cannot read reports; supervisors and admins can', async () => {
    for (const path of ['/api/reports/cases', '/api/reports/calls?by=outcome', '/api/reports/cases?format=csv']) {
      expect((await call('GET', path, alice)).status).toBe(403);
      expect((await call('GET', path, sam)).status).toBe(200);
      expect((await call('GET', path, admin)).status).toBe(200);
    }
  });

  it('an agent cannot see or act on a pop offered to another agent', async () => {
    const a = await connectAgent(srv.url, alice);
    const b = await connectAgent(srv.url, await login(srv.url, 'bob'));
    await request(a.socket, 'agent.state.set', { state: 'available' });
    await request(b.socket, 'agent.state.set', { state: 'available' });
    const bobSaw = recordEvents(b.socket, ['call.offered', 'call.offer.withdrawn', 'call.connected']);
    const pop = nextEvent(a.socket, 'call.offered');
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
    expect((await pop).callId).toBe(callId);
    for (const event of ['call.accept', 'call.decline', 'call.hangup'] as const) {
      const r = await request(b.socket, event, { callId });
      expect(r.ok ? 'ok' : r.error.code).toMatch(/^CALL_NOT_(OFFERED|ACTIVE)$/);
    }
    // Still ringing alice: bob's attempts changed nothing; bob never saw the pop.
    expect(srv.sb.callCenter.getCall(callId)?.phase).not.toBe('connected');
    const accepted = await request(a.socket, 'call.accept', { callId });
    expect(accepted.ok).toBe(true);
    expect(bobSaw).toEqual([]);
    const ended = nextEvent(a.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await ended;
    a.socket.close();
    b.socket.close();
  });
});
