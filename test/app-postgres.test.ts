/**
 * The app on the PostgreSQL data layer (scale-out mode's store) with a cluster-less
 * config: the first call end to end, with contacts, cases and calls read and written
 * in PostgreSQL, not in the node's SQLite: call, key 1, the pop with the contact from
 * PostgreSQL, accept, hang up, save the case, a retried save returns the same case,
 * escalation; then a second node on the same database logs a case for a call only
 * the first node saw (the call record found through the asynchronous path).
 *
 * Isolation: a schema of its own, `sb_<random>`, dropped at the end (as store-pg.test.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../connector/config/defaults.js';
import type { CaseAssignment } from '../connector/protocol.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { openPostgresDataLayer } from '../connector/store/pg/open.js';
import { ADA_ACCOUNT_NAME, ADA_E164, demoSeedClock, seedDemoDataLayer } from '../connector/store/seed.js';
import { acceptCall, api, connectAgent, login, nextEvent, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ensurePostgres, POSTGRES_URL } from './helpers/services.js';

const SCHEMA = `sb_${randomBytes(6).toString('hex')}`;
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
    { username: 'carol', displayName: 'Carol Specialist', passwordHash: hash('bob'), queues: ['tier2'], skills: ['tier2'] },
    { username: 'admin', displayName: 'Admin', passwordHash: DEMO_AGENTS.find((a) => a.username === 'admin')!.passwordHash, role: 'admin' as const, queues: [] },
  ],
};

let admin: pg.Client;
let layer: DataLayer;
let srv: TestServer;
const sockets: AgentClient[] = [];
const q = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> => (await admin.query<T>(sql, values)).rows;

beforeAll(async () => {
  await ensurePostgres();
  admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  layer = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA, poolSize: 4 });
  const seeding = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA, poolSize: 1, now: demoSeedClock() });
  expect((await seedDemoDataLayer(seeding, 'US')).seeded).toBe(true);
  await seeding.close();
  srv = await startTestServer({ config, data: layer });
});

afterAll(async () => {
  for (const s of sockets.splice(0)) s.close();
  await srv?.close();
  await layer?.close();
  await admin?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin?.end();
});

async function agentOn(server: TestServer, name: string, password: string) {
  const token = await login(server.url, name, password);
  const { socket } = await connectAgent(server.url, token);
  sockets.push(socket);
  expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
  return { token, socket };
}

/** A support call alice takes and ends on `server`; resolves the pop. */
async function answeredCall(server: TestServer, alice: { socket: AgentClient }) {
  const offered = nextEvent(alice.socket, 'call.offered');
  const { callId } = (await api(server.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body as { callId: string };
  expect((await api(server.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } })).status).toBe(202);
  const pop = await offered;
  await acceptCall(alice.socket, callId);
  const ended = nextEvent(alice.socket, 'call.ended');
  await api(server.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
  await ended;
  return { callId, pop };
}

describe('the app on PostgreSQL', () => {
  it('the first call: pop from PostgreSQL, accept, hang up, case saved in PostgreSQL, retry replays, escalation routes it', async () => {
    expect(srv.sb.data.kind).toBe('postgres');
    const alice = await agentOn(srv, 'alice', 'alice-demo');
    const { callId, pop } = await answeredCall(srv, alice);

    // The pop's contact is PostgreSQL's Ada (the node's SQLite has no contacts at all).
    const [ada] = await q<{ id: number; account_id: number }>(
      `SELECT c.id::int AS id, c.account_id::int AS account_id FROM ${SCHEMA}.contacts c JOIN ${SCHEMA}.contact_phones p ON p.contact_id = c.id WHERE p.e164 = $1`,
      [ADA_E164],
    );
    expect((srv.sb.db.prepare('SELECT count(*) AS n FROM contacts').get() as { n: number }).n).toBe(0);
    expect(pop.lookup.outcome).toBe('one');
    if (pop.lookup.outcome !== 'one') throw new Error('unreachable');
    expect(pop.lookup.contact).toMatchObject({ id: ada?.id, firstName: 'Ada', lastName: 'Lovelace' });
    expect(pop.lookup.account).toMatchObject({ id: ada?.account_id, name: ADA_ACCOUNT_NAME });
    expect(pop.lookup.openCases.length).toBeGreaterThan(0);
    expect(pop.ivrAttributes).toMatchObject({ 'caller.match': 'one', 'account.vip': true });

    // The call record reaches PostgreSQL within the write-behind window.
    await expect.poll(async () => (await q<{ phase: string }>(`SELECT record ->> 'phase' AS phase FROM ${SCHEMA}.calls WHERE call_id = $1`, [callId]))[0]?.phase).toBe('ended');

    const backToAvailable = nextEvent(alice.socket, 'agent.state.changed');
    const body = { callId, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Customer cannot print.', disposition: 'resolved' };
    const saved = await api(srv.url, 'POST', '/api/cases', { token: alice.token, headers: { 'Idempotency-Key': 'pg-first-call-1' }, body });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId, queue: 'support', agent: 'alice', contactId: ada?.id, accountId: ada?.account_id, ani: '+14155550123', aniE164: ADA_E164 });
    expect(saved.body.ivrPath).toEqual(pop.ivrPath);
    expect((await backToAvailable).state).toBe('available');
    const number = saved.body.number as string;
    expect(await q(`SELECT call_id, agent FROM ${SCHEMA}.cases WHERE number = $1`, [Number(number)])).toEqual([{ call_id: callId, agent: 'alice' }]);
    expect((srv.sb.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n).toBe(0);
    // The end of after-call work is on the record, in memory at once and in PostgreSQL soon after.
    expect(Date.parse(srv.sb.callCenter.getCall(callId)?.wrapUpEndedAt ?? '')).toBeGreaterThan(0);
    await expect.poll(async () => (await q<{ w: string | null }>(`SELECT record ->> 'wrapUpEndedAt' AS w FROM ${SCHEMA}.calls WHERE call_id = $1`, [callId]))[0]?.w).not.toBeNull();

    // A retried save returns the same case.
    const retried = await api(srv.url, 'POST', '/api/cases', { token: alice.token, headers: { 'Idempotency-Key': 'pg-first-call-1' }, body });
    expect(retried.status).toBe(200);
    expect(retried.body.number).toBe(number);
    expect(await q(`SELECT count(*)::int AS n FROM ${SCHEMA}.cases WHERE call_id = $1`, [callId])).toEqual([{ n: 1 }]);
    const byPhone = await api(srv.url, 'GET', `/api/cases?phone=${encodeURIComponent('(415) 555-0123')}`, { token: alice.token });
    expect(byPhone.body.cases.filter((c: { callId: string }) => c.callId === callId)).toHaveLength(1);

    // Escalation: the case goes to tier 2 and to carol, with its history.
    const carol = await agentOn(srv, 'carol', 'bob-demo');
    const assigned = nextEvent(carol.socket, 'case.assigned') as Promise<CaseAssignment>;
    const escalated = await api(srv.url, 'POST', `/api/cases/${number}/escalate`, { token: alice.token, body: { note: 'Needs a specialist.' } });
    expect(escalated.status).toBe(200);
    expect(escalated.body).toMatchObject({ number, queue: 'tier2', assignee: 'carol', status: 'open' });
    const got = await assigned;
    expect(got).toMatchObject({ case: { number, assignee: 'carol' }, escalatedBy: 'alice', note: 'Needs a specialist.' });
    expect(got.events.map((e) => e.kind)).toEqual(['created', 'escalated', 'assigned']);
    expect(await q(`SELECT kind FROM ${SCHEMA}.case_events WHERE case_number = $1 ORDER BY id`, [Number(number)])).toEqual([
      { kind: 'created' },
      { kind: 'escalated' },
      { kind: 'assigned' },
    ]);

    // Reports read PostgreSQL too.
    const adminToken = await login(srv.url, 'admin', 'admin-demo');
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const calls = await api(srv.url, 'GET', `/api/reports/calls?by=outcome&from=${since}`, { token: adminToken });
    expect(calls.body.rows).toEqual([expect.objectContaining({ key: 'answered', calls: 1, answered: 1 })]);
    const cases = await api(srv.url, 'GET', `/api/reports/cases?by=customer&from=${since}`, { token: adminToken });
    expect(cases.body.rows).toEqual([expect.objectContaining({ key: ADA_ACCOUNT_NAME, cases: 1 })]);
  });

  it('a case logged on another node for a call this node never saw: the record comes from PostgreSQL', async () => {
    const second = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA, poolSize: 2 });
    const nodeB = await startTestServer({ config, data: second });
    try {
      const alice = await agentOn(srv, 'alice', 'alice-demo');
      const { callId } = await answeredCall(srv, alice);
      expect(nodeB.sb.callCenter.getCall(callId)).toBeNull();
      await expect.poll(async () => (await q<{ phase: string }>(`SELECT record ->> 'phase' AS phase FROM ${SCHEMA}.calls WHERE call_id = $1`, [callId]))[0]?.phase).toBe('ended');

      const tokenOnB = await login(nodeB.url, 'alice', 'alice-demo');
      const saved = await api(nodeB.url, 'POST', '/api/cases', { token: tokenOnB, body: { callId, subject: 'Logged on node B', type: 'technical_support' } });
      expect(saved.status).toBe(201);
      expect(saved.body).toMatchObject({ callId, queue: 'support', agent: 'alice', ani: '+14155550123', dnis: '+18005550100' });
      expect(saved.body.ivrPath.length).toBeGreaterThan(0);
      expect(saved.body.talkSeconds).toEqual(expect.any(Number));
      // Someone else cannot log it there either.
      const carolOnB = await login(nodeB.url, 'carol', 'bob-demo');
      const refused = await api(nodeB.url, 'POST', '/api/cases', { token: carolOnB, body: { callId, subject: 'Not mine', type: 'technical_support' } });
      expect(refused.status).toBe(403);
      expect((await api(nodeB.url, 'POST', '/api/cases', { token: tokenOnB, body: { callId: 'no-such-call', subject: 'x', type: 'technical_support' } })).status).toBe(422);
    } finally {
      await nodeB.close();
      await second.close();
    }
  });
});
