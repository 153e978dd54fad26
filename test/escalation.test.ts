/**
 * Tier escalation over real HTTP and socket.io: a tier-1 agent logs a call as a
 * case and escalates it; the case moves to tier 2 and goes, with its history
 * (the IVR path, the events, the note), to the longest-idle available tier-2
 * agent who has the queue's skill; with nobody available it waits and goes to
 * the first who becomes available. Bad escalations get coded errors and write
 * nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../connector/config/defaults.js';
import type { CaseAssignment } from '../connector/protocol.js';
import { acceptCall, api, connectAgent, login, nextEvent, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer | null = null;
const sockets: AgentClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await srv?.close();
  srv = null;
});

const hash = (u: 'alice' | 'bob') => DEMO_AGENTS.find((a) => a.username === u)!.passwordHash;
const config = {
  queues: [
    { id: 'support', name: 'Support', escalateTo: 'tier2' },
    { id: 'billing', name: 'Billing', caseType: 'billing_question' as const },
    { id: 'general', name: 'General' },
    { id: 'tier2', name: 'Tier 2', skills: ['tier2'] },
  ],
  agents: [
    { username: 'alice', displayName: 'Alice Agent', passwordHash: hash('alice'), queues: ['support', 'general'] },
    // Both serve tier 2; only carol has the skill it requires.
    { username: 'carol', displayName: 'Carol Specialist', passwordHash: hash('bob'), queues: ['tier2'], skills: ['tier2'] },
    { username: 'dave', displayName: 'Dave Generalist', passwordHash: hash('bob'), queues: ['tier2'] },
  ],
};

async function agent(name: string, password: string, available: boolean) {
  const token = await login(srv!.url, name, password);
  const { socket } = await connectAgent(srv!.url, token);
  sockets.push(socket);
  if (available) expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
  return { token, socket };
}

/** A support call alice takes and logs: the case. */
async function supportCase(alice: { token: string; socket: AgentClient }) {
  const pop = nextEvent(alice.socket, 'call.offered');
  const { callId } = (await api(srv!.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
  await api(srv!.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
  await pop;
  await acceptCall(alice.socket, callId);
  const ended = nextEvent(alice.socket, 'call.ended');
  await api(srv!.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
  await ended;
  const saved = await api(srv!.url, 'POST', '/api/cases', { token: alice.token, body: { callId, subject: 'Printer offline', type: 'technical_support', description: 'Tried a restart.' } });
  expect(saved.status).toBe(201);
  expect(saved.body).toMatchObject({ queue: 'support', assignee: 'alice' });
  return saved.body as { number: string; ivrPath: unknown[] };
}

describe('tier escalation', () => {
  it('routes the case with its history to the available tier-2 agent with the skill', async () => {
    srv = await startTestServer({ config });
    const alice = await agent('alice', 'alice-demo', true);
    const dave = await agent('dave', 'bob-demo', true);
    const carol = await agent('carol', 'bob-demo', true);
    const c = await supportCase(alice);
    const daveGot: CaseAssignment[] = [];
    dave.socket.on('case.assigned', (a) => daveGot.push(a));
    const assigned = nextEvent(carol.socket, 'case.assigned');

    const res = await api(srv.url, 'POST', `/api/cases/${c.number}/escalate`, { token: alice.token, body: { note: 'Needs a firmware reflash' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ number: c.number, queue: 'tier2', assignee: 'carol', status: 'open' });

    const a = await assigned;
    expect(a).toMatchObject({ escalatedBy: 'alice', note: 'Needs a firmware reflash', case: { number: c.number, queue: 'tier2', assignee: 'carol' } });
    expect(a.case.ivrPath).toEqual(c.ivrPath);
    expect(a.case.ivrPath.length).toBeGreaterThan(0);
    expect(a.events.map((e) => [e.kind, e.by, e.fromQueue, e.toQueue, e.assignee])).toEqual([
      ['created', 'alice', null, 'support', 'alice'],
      ['escalated', 'alice', 'support', 'tier2', null],
      ['assigned', 'routing', null, null, 'carol'],
    ]);
    expect(daveGot).toEqual([]);

    const events = await api(srv.url, 'GET', `/api/cases/${c.number}/events`, { token: carol.token });
    expect(events.body.events).toEqual(a.events);
    const mine = await api(srv.url, 'GET', '/api/cases?assignee=me', { token: carol.token });
    expect(mine.body.cases.map((x: { number: string }) => x.number)).toEqual([c.number]);
  });

  it('with nobody available the case waits in tier 2 and goes to the first skilled agent who becomes available', async () => {
    srv = await startTestServer({ config });
    const alice = await agent('alice', 'alice-demo', true);
    const carol = await agent('carol', 'bob-demo', false);
    const c = await supportCase(alice);
    const res = await api(srv.url, 'POST', `/api/cases/${c.number}/escalate`, { token: alice.token, body: {} });
    expect(res.body).toMatchObject({ queue: 'tier2', assignee: null });
    const waiting = await api(srv.url, 'GET', '/api/cases?queue=tier2&unassigned=true', { token: carol.token });
    expect(waiting.body.cases.map((x: { number: string }) => x.number)).toEqual([c.number]);

    const assigned = nextEvent(carol.socket, 'case.assigned');
    await request(carol.socket, 'agent.state.set', { state: 'available' });
    expect((await assigned).case).toMatchObject({ number: c.number, assignee: 'carol' });
    expect((await api(srv.url, 'GET', `/api/cases/${c.number}`, { token: carol.token })).body.assignee).toBe('carol');
  });

  it('refuses bad escalations with coded errors and writes nothing', async () => {
    srv = await startTestServer({ config });
    const alice = await agent('alice', 'alice-demo', true);
    const c = await supportCase(alice);
    const tok = alice.token;
    const before = (await api(srv.url, 'GET', `/api/cases/${c.number}/events`, { token: tok })).body.events;
    const bad = async (number: string, body: unknown) => (await api(srv!.url, 'POST', `/api/cases/${number}/escalate`, { token: tok, body })).body.error?.code ?? 'ok';
    expect(await bad(c.number, { toQueue: 'nowhere' })).toBe('VALIDATION_FAILED');
    expect(await bad(c.number, { toQueue: 'support' })).toBe('VALIDATION_FAILED'); // already there
    expect(await bad(c.number, { note: 42 })).toBe('VALIDATION_FAILED');
    expect(await bad(c.number, { note: 'x'.repeat(2001) })).toBe('VALIDATION_FAILED');
    expect(await bad(c.number, { extra: true })).toBe('VALIDATION_FAILED');
    expect(await bad('99999999', {})).toBe('CASE_NOT_FOUND');
    expect(await bad('abc', {})).toBe('CASE_NOT_FOUND');
    expect((await api(srv.url, 'POST', `/api/cases/${c.number}/escalate`, { body: {} })).status).toBe(401);
    // A billing case has no escalation queue configured.
    await api(srv.url, 'PATCH', `/api/cases/${c.number}`, { token: tok, body: { status: 'closed' } });
    expect(await bad(c.number, {})).toBe('CASE_CLOSED');
    const after = (await api(srv.url, 'GET', `/api/cases/${c.number}/events`, { token: tok })).body.events;
    expect(after.filter((e: { kind: string }) => e.kind === 'escalated')).toEqual([]);
    expect(after.slice(0, before.length)).toEqual(before);
  });
});
