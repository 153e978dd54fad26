/**
 * Click-to-dial through the Asterisk adapter: POST /api/calls/dial rings the
 * agent's phone first, then (once the agent answers) the customer through the
 * trunk, and bridges them; the call is logged like an inbound one. Also: the
 * agent not answering, and the customer busy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { api, connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FakeAriServer } from './fake-ari/server.js';

describe('click-to-dial through the Asterisk adapter', () => {
  let fake: FakeAriServer;
  let srv: TestServer;
  let alice: AgentClient;
  let token: string;

  beforeAll(async () => {
    fake = await new FakeAriServer().start();
    srv = await startTestServer({
      config: {
        adapters: [
          {
            id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password,
            dial: { endpointTemplate: 'PJSIP/{number}@trunk', callerId: '+18005550100' },
          },
        ],
        agents: [{ ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/webrtc-alice' }],
      },
    });
    token = await login(srv.url, 'alice');
    ({ socket: alice } = await connectAgent(srv.url, token));
    expect((await request(alice, 'agent.state.set', { state: 'available' })).ok).toBe(true);
  });

  afterAll(async () => {
    alice?.close();
    await srv?.close();
    await fake?.close();
  });

  const originateTo = (endpoint: string, after = 0) =>
    fake.waitForRequest((r) => fake.requests.indexOf(r) >= after && r.key === 'POST /channels/{channelId}' && r.query.endpoint === endpoint);

  it('agent leg first, then the customer, bridged; logged like an inbound call', async () => {
    const popped = nextEvent(alice, 'call.offered');
    const placed = await api(srv.url, 'POST', '/api/calls/dial', { token, body: { number: '(415) 555-0123' } });
    expect(placed.status).toBe(202);
    const { callId, to } = placed.body as { callId: string; to: string };
    expect(to).toBe('+14155550123');
    const pop = await popped;
    expect(pop).toMatchObject({ callId, aniE164: '+14155550123' });
    expect(pop.lookup.outcome).toBe('one');

    const agentLeg = await originateTo('PJSIP/webrtc-alice');
    expect(agentLeg.query.callerId).toBe('+14155550123'); // the agent's phone shows whom it is calling
    expect(fake.requests.some((r) => r.query.endpoint?.endsWith('@trunk'))).toBe(false); // nobody dialed before the agent answers
    fake.far.answerLeg(agentLeg.params.channelId as string);

    const customer = await originateTo('PJSIP/+14155550123@trunk');
    expect(customer.params.channelId).toBe(callId);
    expect(customer.query).toMatchObject({ callerId: '+18005550100', originator: agentLeg.params.channelId });
    const connected = nextEvent(alice, 'call.connected');
    fake.far.answerLeg(callId);
    expect((await connected).callId).toBe(callId);
    expect([...fake.pbx.bridges.values()][0]?.snap.channels.sort()).toEqual([callId, agentLeg.params.channelId].sort());

    const ended = nextEvent(alice, 'call.ended');
    fake.far.hangup(callId);
    expect(await ended).toMatchObject({ callId, reason: 'caller-hangup' });
    await fake.waitForEvent((e) => e.type === 'ChannelDestroyed' && e.channel.id === agentLeg.params.channelId);

    const saved = await api(srv.url, 'POST', '/api/cases', {
      token,
      headers: { 'Idempotency-Key': 'c2d-1' },
      body: { callId, subject: 'Follow-up call', type: 'technical_support', priority: 'low', description: 'Called the customer back.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId, aniE164: '+14155550123', agent: 'alice' });
  });

  it('the agent not answering ends the call before any customer is dialed', async () => {
    const mark = fake.requests.length;
    const placed = await api(srv.url, 'POST', '/api/calls/dial', { token, body: { number: '+12125550100' } });
    expect(placed.status).toBe(202);
    const withdrawn = nextEvent(alice, 'call.offer.withdrawn');
    const agentLeg = await originateTo('PJSIP/webrtc-alice', mark);
    fake.far.rejectLeg(agentLeg.params.channelId as string, 19);
    expect((await withdrawn).callId).toBe(placed.body.callId);
    expect(fake.requests.slice(mark).some((r) => r.query.endpoint?.endsWith('@trunk'))).toBe(false);
  });

  it('the customer busy ends the call and hangs the agent up', async () => {
    const mark = fake.requests.length;
    const placed = await api(srv.url, 'POST', '/api/calls/dial', { token, body: { number: '+442079460958' } });
    const agentLeg = await originateTo('PJSIP/webrtc-alice', mark);
    const withdrawn = nextEvent(alice, 'call.offer.withdrawn');
    fake.far.answerLeg(agentLeg.params.channelId as string);
    await originateTo('PJSIP/+442079460958@trunk', mark);
    fake.far.rejectLeg(placed.body.callId, 17);
    expect((await withdrawn).callId).toBe(placed.body.callId);
    await fake.waitForEvent((e) => e.type === 'ChannelDestroyed' && e.channel.id === agentLeg.params.channelId);
  });

  it('refuses a number that is not one, and a request without a token', async () => {
    const bad = await api(srv.url, 'POST', '/api/calls/dial', { token, body: { number: 'pizza' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await api(srv.url, 'POST', '/api/calls/dial', { body: { number: '+14155550123' } })).status).toBe(401);
    expect(fake.invalid).toEqual([]);
    expect(fake.pbx.violations).toEqual([]);
  });
});
