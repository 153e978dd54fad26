/**
 * Agents managed at run time through /api/admin: create, change, disable, reset
 * a password; each change audited; the live parts (logins, role checks, routing,
 * sockets) follow at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectAgent, login, nextEvent, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let admin: string;
const count = (table: string): number => (srv.sb.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const audit = async (target: string) => (await api(srv.url, 'GET', `/api/admin/audit?target=${target}`, { token: admin })).body.entries as Array<{ actor: string; action: string; before: any; after: any }>;

beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.close();
});

async function dial(digits: string): Promise<string> {
  const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
}

describe('agents CRUD', () => {
  it('creates an agent who can log in at once; no password or hash is ever answered; audited', async () => {
    const r = await api(srv.url, 'POST', '/api/admin/agents', {
      token: admin,
      body: { username: 'carol', displayName: 'Carol Supervisor', password: 'carol-password-1', role: 'supervisor', queues: ['support'] },
    });
    expect(r.status).toBe(201);
    expect(r.body.agent).toMatchObject({ username: 'carol', role: 'supervisor', queues: ['support'], disabled: false, source: 'console' });
    expect(JSON.stringify(r.body)).not.toMatch(/password|scrypt/i);
    const list = await api(srv.url, 'GET', '/api/admin/agents', { token: admin });
    expect(list.body.agents.map((a: { username: string }) => a.username)).toEqual(['admin', 'alice', 'bob', 'carol']);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash/);
    const carol = await login(srv.url, 'carol', 'carol-password-1');
    expect((await api(srv.url, 'GET', '/api/reports/cases', { token: carol })).status).toBe(200);
    const entries = await audit('carol');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'admin', action: 'agent.created', before: null, after: { username: 'carol', role: 'supervisor' } });
    expect(JSON.stringify(entries)).not.toMatch(/scrypt|password/i);
  });

  it('role changes apply to tokens already issued (live role checks), with before and after audited', async () => {
    const carol = await login(srv.url, 'carol', 'carol-password-1');
    const r = await api(srv.url, 'PATCH', '/api/admin/agents/carol', { token: admin, body: { role: 'agent', displayName: 'Carol' } });
    expect(r.status).toBe(200);
    expect((await api(srv.url, 'GET', '/api/reports/cases', { token: carol })).status).toBe(403);
    const [last] = await audit('carol');
    expect(last).toMatchObject({ action: 'agent.updated', before: { role: 'supervisor', displayName: 'Carol Supervisor' }, after: { role: 'agent', displayName: 'Carol' } });
    await api(srv.url, 'PATCH', '/api/admin/agents/carol', { token: admin, body: { role: 'admin' } });
    expect((await api(srv.url, 'GET', '/api/admin/agents', { token: carol })).status).toBe(200);
    await api(srv.url, 'PATCH', '/api/admin/agents/carol', { token: admin, body: { role: 'agent' } });
    expect((await api(srv.url, 'GET', '/api/admin/agents', { token: carol })).status).toBe(403);
  });

  it('stores, shows and edits skills; audited', async () => {
    const r = await api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'sam', displayName: 'Sam', password: 'sam-password', skills: ['spanish', 'spanish', 'billing-l2'] } });
    expect(r.status).toBe(201);
    expect(r.body.agent.skills).toEqual(['spanish', 'billing-l2']);
    const p = await api(srv.url, 'PATCH', '/api/admin/agents/sam', { token: admin, body: { skills: ['french'] } });
    expect(p.body.agent.skills).toEqual(['french']);
    const listed = (await api(srv.url, 'GET', '/api/admin/agents', { token: admin })).body.agents.find((a: { username: string }) => a.username === 'sam');
    expect(listed.skills).toEqual(['french']);
    expect((await api(srv.url, 'GET', '/api/admin/agents', { token: admin })).body.agents.find((a: { username: string }) => a.username === 'alice').skills).toEqual([]);
    const [last] = await audit('sam');
    expect(last).toMatchObject({ action: 'agent.updated', before: { skills: ['spanish', 'billing-l2'] }, after: { skills: ['french'] } });
  });

  it('sets an agent\'s calls at once (call waiting): routing takes it at once; null goes back to the default; bad values refused', async () => {
    const r = await api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'wes', displayName: 'Wes', password: 'wes-password', queues: ['support'], maxCalls: 2 } });
    expect(r.status).toBe(201);
    expect(r.body.agent.maxCalls).toBe(2);
    expect(srv.sb.callCenter.presenceOf('wes')?.maxCalls).toBe(2);
    const p = await api(srv.url, 'PATCH', '/api/admin/agents/wes', { token: admin, body: { maxCalls: 3 } });
    expect(p.body.agent.maxCalls).toBe(3);
    expect(srv.sb.callCenter.presenceOf('wes')?.maxCalls).toBe(3);
    const [last] = await audit('wes');
    expect(last).toMatchObject({ action: 'agent.updated', before: { maxCalls: 2 }, after: { maxCalls: 3 } });
    const reset = await api(srv.url, 'PATCH', '/api/admin/agents/wes', { token: admin, body: { maxCalls: null } });
    expect(reset.body.agent.maxCalls).toBeNull();
    expect(srv.sb.callCenter.presenceOf('wes')?.maxCalls).toBe(1); // routing.maxCallsPerAgent
    for (const bad of [0, 5, 1.5, '2']) {
      const refused = await api(srv.url, 'PATCH', '/api/admin/agents/wes', { token: admin, body: { maxCalls: bad } });
      expect(refused, JSON.stringify(bad)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', fields: { maxCalls: [expect.stringMatching(/calls from 1 to 4/)] } } } });
    }
    expect(srv.sb.callCenter.presenceOf('wes')?.maxCalls).toBe(1);
  });

  it('refuses bad input with codes and writes nothing', async () => {
    const before = [count('agents'), count('audit_log')];
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/admin/agents', { username: 'dora', displayName: 'D', password: 'long-enough', queues: ['nowhere'] }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/admin/agents', { username: 'carol', displayName: 'C', password: 'long-enough' }, 409, 'AGENT_EXISTS'],
      ['POST', '/api/admin/agents', { username: 'Bad Name', displayName: 'x', password: 'short' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/admin/agents', { username: 'eve', displayName: 'E', password: 'long-enough', passwordHash: 'scrypt$1$1$1$a$b' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/admin/agents/nobody', { displayName: 'N' }, 404, 'AGENT_NOT_FOUND'],
      ['PATCH', '/api/admin/agents/carol', {}, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/admin/agents/carol', { role: 'owner' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/admin/agents/carol', { skills: ['Not A Skill'] }, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/admin/agents/carol', { skills: 'spanish' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', '/api/admin/agents/admin', { disabled: true }, 409, 'LAST_ADMIN'],
      ['PATCH', '/api/admin/agents/admin', { role: 'agent' }, 409, 'LAST_ADMIN'],
      ['POST', '/api/admin/agents/carol/password', { password: 'short' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/admin/agents/nobody/password', { password: 'long-enough' }, 404, 'AGENT_NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const r = await api(srv.url, method, path, { token: admin, body });
      expect([path, r.status, r.body.error?.code]).toEqual([path, status, code]);
    }
    expect([count('agents'), count('audit_log')]).toEqual(before);
  });

  it('a new agent in a queue gets that queue\'s calls at once', async () => {
    await api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'dave', displayName: 'Dave', password: 'dave-password', queues: ['billing'] } });
    const dave = await connectAgent(srv.url, await login(srv.url, 'dave', 'dave-password'));
    expect(dave.snapshot.agent).toMatchObject({ username: 'dave', queues: ['billing'] });
    await request(dave.socket, 'agent.state.set', { state: 'available' });
    const pop = nextEvent(dave.socket, 'call.offered');
    const callId = await dial('2');
    expect((await pop).callId).toBe(callId);
    await request(dave.socket, 'call.decline', { callId });
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    // Moved to support: support calls reach him now (alice is away).
    await api(srv.url, 'PATCH', '/api/admin/agents/dave', { token: admin, body: { queues: ['support'] } });
    const second = nextEvent(dave.socket, 'call.offered');
    const supportCall = await dial('1');
    expect(await second).toMatchObject({ callId: supportCall, queue: 'support' });
    await api(srv.url, 'POST', `/api/simulator/calls/${supportCall}/hangup`);
    dave.socket.close();
  });
});

describe('disabling', () => {
  it('ends the agent\'s sessions, closes their sockets, refuses their logins; enabling lets them back', async () => {
    const token = await login(srv.url, 'alice');
    const widget = await connectAgent(srv.url, token);
    const closed = new Promise<string>((resolve) => widget.socket.on('disconnect', resolve));
    const r = await api(srv.url, 'PATCH', '/api/admin/agents/alice', { token: admin, body: { disabled: true } });
    expect(r.status).toBe(200);
    expect(r.body.agent.disabled).toBe(true);
    expect(await closed).toBe('io server disconnect');
    expect((await api(srv.url, 'GET', '/api/me', { token })).status).toBe(401);
    expect((await api(srv.url, 'GET', '/api/cases', { token })).status).toBe(401);
    expect((await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'alice', password: 'alice-demo' } })).body.error.code).toBe('INVALID_CREDENTIALS');
    expect(srv.sb.callCenter.hasAgent('alice')).toBe(false);
    const [entry] = await audit('alice');
    expect(entry).toMatchObject({ actor: 'admin', action: 'agent.disabled', before: { disabled: false }, after: { disabled: true } });

    await api(srv.url, 'PATCH', '/api/admin/agents/alice', { token: admin, body: { disabled: false } });
    expect((await audit('alice'))[0]?.action).toBe('agent.enabled');
    const again = await connectAgent(srv.url, await login(srv.url, 'alice'));
    expect(again.snapshot.agent.state).toBe('away');
    again.socket.close();
  });

  it('a password reset ends the sessions; the old password stops working, the new one works', async () => {
    const token = await login(srv.url, 'bob');
    const r = await api(srv.url, 'POST', '/api/admin/agents/bob/password', { token: admin, body: { password: 'bob-new-password' } });
    expect(r.status).toBe(204);
    expect((await api(srv.url, 'GET', '/api/me', { token })).status).toBe(401);
    expect((await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'bob', password: 'bob-demo' } })).status).toBe(401);
    expect(await login(srv.url, 'bob', 'bob-new-password')).toEqual(expect.any(String));
    const [entry] = await audit('bob');
    expect(entry).toMatchObject({ action: 'agent.password.reset', before: null, after: null });
  });
});

describe('flows uploaded through the API are audited', () => {
  it('records who uploaded which version over which', async () => {
    const current = await api(srv.url, 'GET', '/api/flows/main', { token: admin });
    const text = `${current.body.source as string}\n# edited in a test\n`;
    const put = await fetch(`${srv.url}/api/flows/main`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' }, body: text });
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: string };
    const [entry] = await audit('main');
    expect(entry).toMatchObject({ actor: 'admin', action: 'flow.uploaded', before: { version: current.body.version }, after: { version, source: text } });
  });
});
