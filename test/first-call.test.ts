/**
 * The whole first call through real HTTP and real socket.io clients:
 * simulated call -> key 1 -> pop to the right agent only -> accept -> hangup ->
 * case via REST with every call field filled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADA_ACCOUNT_NAME } from '../connector/store/seed.js';
import { api, connectAgent, login, nextEvent, recordEvents, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('the first call, end to end', () => {
  let srv: TestServer;
  let alice: AgentClient;
  let bob: AgentClient;
  let aliceToken: string;

  beforeAll(async () => {
    srv = await startTestServer();
    aliceToken = await login(srv.url, 'alice');
    const bobToken = await login(srv.url, 'bob');
    ({ socket: alice } = await connectAgent(srv.url, aliceToken));
    ({ socket: bob } = await connectAgent(srv.url, bobToken));
    expect((await request(alice, 'agent.state.set', { state: 'available' })).ok).toBe(true);
    expect((await request(bob, 'agent.state.set', { state: 'available' })).ok).toBe(true);
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await srv?.close();
  });

  it('pops on the support agent only, connects, ends, and logs a case with every call field', async () => {
    const bobSaw = recordEvents(bob, ['call.offered', 'call.connected', 'call.ended']);
    const offered = nextEvent(alice, 'call.offered');

    const started = await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } });
    expect(started.status).toBe(201);
    const { callId } = started.body as { callId: string };
    expect(callId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } })).status).toBe(202);

    const pop = await offered;
    expect(pop.callId).toBe(callId);
    expect(pop.aniRaw).toBe('+14155550123');
    expect(pop.aniE164).toBe('+14155550123');
    expect(pop.dnis).toBe('+18005550100');
    expect(pop.queue).toBe('support');
    expect(pop.suggestedCaseType).toBe('technical_support');
    expect(pop.lookup.outcome).toBe('one');
    if (pop.lookup.outcome !== 'one') throw new Error('unreachable');
    expect(`${pop.lookup.contact.firstName} ${pop.lookup.contact.lastName}`).toBe('Ada Lovelace');
    expect(pop.lookup.account?.name).toBe(ADA_ACCOUNT_NAME);
    expect(pop.lookup.openCases.length).toBeGreaterThan(0);
    expect(pop.lookup.openCases.length).toBeLessThanOrEqual(5);
    expect(pop.lookup.openCases.every((c) => c.status !== 'closed')).toBe(true);
    expect(pop.ivrPath.map((s) => [s.node, s.event, s.key ?? s.queue ?? null])).toEqual([
      ['welcome', 'entered', null],
      ['main-menu', 'entered', null],
      ['main-menu', 'key', '1'],
      ['support', 'entered', null],
      ['support', 'routed', 'support'],
    ]);
    expect(pop.language).toBe('en');
    expect(pop.ivrAttributes).toMatchObject({ 'caller.match': 'one', 'account.vip': true });
    expect(pop.waitedSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(pop.offerExpiresAt)).toBeGreaterThan(Date.parse(pop.offeredAt));

    const connected = nextEvent(alice, 'call.connected');
    expect(await request(alice, 'call.accept', { callId })).toEqual({ ok: true });
    expect((await connected).callId).toBe(callId);
    const transcript = await api(srv.url, 'GET', `/api/simulator/calls/${callId}`);
    expect(transcript.body.transcript.map((e: { type: string }) => e.type)).toContain('call.connected');

    const ended = nextEvent(alice, 'call.ended');
    const wrapUp = nextEvent(alice, 'agent.state.changed');
    expect((await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`)).status).toBe(202);
    expect(await ended).toMatchObject({ callId, reason: 'caller-hangup' });
    expect((await wrapUp).state).toBe('after-call-work');

    const backToAvailable = nextEvent(alice, 'agent.state.changed');
    const saved = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'first-call-1' },
      body: { callId, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Customer cannot print.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    const c = saved.body;
    expect(c.number).toMatch(/^\d{8}$/);
    expect(c).toMatchObject({
      subject: 'Printer offline',
      type: 'technical_support',
      priority: 'high',
      status: 'new',
      origin: 'phone',
      disposition: 'resolved',
      callId,
      ani: '+14155550123',
      aniE164: '+14155550123',
      dnis: '+18005550100',
      queue: 'support',
      agent: 'alice',
      contactId: pop.lookup.contact.id,
      accountId: pop.lookup.account?.id,
    });
    expect(c.ivrPath).toEqual(pop.ivrPath);
    expect(c.waitSeconds).toBeGreaterThanOrEqual(0);
    expect(c.talkSeconds).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(c.createdAt))).toBe(false);
    expect((await backToAvailable).state).toBe('available');
    // The end of after-call work is recorded on the call: handle time = talk + wrap-up.
    const record = srv.sb.callCenter.getCall(callId);
    expect(Date.parse(record?.wrapUpEndedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(record?.endedAt ?? ''));

    // A retried save returns the same case, not a second one.
    const retried = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'first-call-1' },
      body: { callId, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Customer cannot print.', disposition: 'resolved' },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.number).toBe(c.number);
    const byCall = await api(srv.url, 'GET', `/api/cases?phone=${encodeURIComponent('(415) 555-0123')}`, { token: aliceToken });
    expect(byCall.body.cases.filter((x: { callId: string }) => x.callId === callId)).toHaveLength(1);
    expect((await api(srv.url, 'GET', `/api/cases/${c.number}`, { token: aliceToken })).body.callId).toBe(callId);

    // The pop went to alice only.
    expect(bobSaw).toEqual([]);

    const metrics = (await api(srv.url, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/switchboard_screenpops_delivered_total 1/);
    expect(metrics).toMatch(/switchboard_calls_total\{outcome="answered"\} 1/);
    expect(metrics).toMatch(/switchboard_screenpop_latency_seconds_count 1/);
  });

  it('press 2 pops on the billing agent only', async () => {
    const aliceSaw = recordEvents(alice, ['call.offered']);
    const offered = nextEvent(bob, 'call.offered');
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+1 212 555 0100', to: '+18005550100' } })).body;
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '2' } });
    const pop = await offered;
    expect(pop).toMatchObject({ callId, queue: 'billing', suggestedCaseType: 'billing_question' });
    expect(pop.lookup.outcome).toBe('many');
    const withdrawn = nextEvent(bob, 'call.offer.withdrawn');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    expect(await withdrawn).toEqual({ callId, reason: 'caller-hangup' });
    expect(aliceSaw).toEqual([]);
  });
});
