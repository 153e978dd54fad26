/**
 * Observe mode through the Asterisk adapter: the dialplan queues the call itself
 * (app_queue) and rings desk phones; Switchboard subscribes its application to the
 * agents' endpoints, pops the caller's record on each phone that rings, follows the
 * call, and sends no command to any channel. Subscriptions are renewed after the
 * events socket drops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { api, connectAgent, login, nextEvent, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FakeAriServer } from './fake-ari/server.js';

describe('observe mode (app_queue rings desk phones)', () => {
  let fake: FakeAriServer;
  let srv: TestServer;
  let alice: AgentClient;
  let bob: AgentClient;
  let aliceToken: string;
  let firstCall = '';

  const subscribed = (endpoint: string, after = 0) =>
    fake.waitForRequest((r) => fake.requests.indexOf(r) >= after && r.key === 'POST /applications/{applicationName}/subscription' && r.query.eventSource === `endpoint:${endpoint}` && r.status === 200);

  beforeAll(async () => {
    fake = await new FakeAriServer().start();
    srv = await startTestServer({
      config: {
        adapters: [{ id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password, observe: true, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }],
        agents: [
          { ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/alice' },
          { ...DEMO_AGENTS[1], queues: [...DEMO_AGENTS[1].queues], endpoint: 'PJSIP/bob' },
        ],
      },
    });
    aliceToken = await login(srv.url, 'alice');
    ({ socket: alice } = await connectAgent(srv.url, aliceToken));
    ({ socket: bob } = await connectAgent(srv.url, await login(srv.url, 'bob')));
    await subscribed('PJSIP/alice');
    await subscribed('PJSIP/bob');
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await srv?.close();
    await fake?.close();
  });

  it('pops on every phone that rings, connects the one that answers, withdraws the others, and logs a case', async () => {
    const commandsBefore = fake.requests.filter((r) => r.method !== 'GET' && !r.key?.includes('/subscription')).length;
    const callerId = fake.far.dialplanCall('+14155550123', '+18005550100', 'Ada Lovelace');
    const alicePop = nextEvent(alice, 'call.offered');
    const bobPop = nextEvent(bob, 'call.offered');
    const aliceLeg = fake.far.queueRings(callerId, 'PJSIP/alice');
    const bobLeg = fake.far.queueRings(callerId, 'PJSIP/bob');

    const pop = await alicePop;
    expect(pop).toMatchObject({ callId: callerId, aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', callerName: 'Ada Lovelace' });
    if (pop.lookup.outcome !== 'one') throw new Error(`expected one contact, got ${pop.lookup.outcome}`);
    expect(pop.lookup.contact.lastName).toBe('Lovelace');
    expect((await bobPop).callId).toBe(callerId);

    const connected = nextEvent(alice, 'call.connected');
    const withdrawn = nextEvent(bob, 'call.offer.withdrawn');
    fake.far.queueAnswered(aliceLeg);
    fake.far.hangup(bobLeg, 26); // app_queue stops the other phones: answered elsewhere
    expect((await connected).callId).toBe(callerId);
    expect((await withdrawn).callId).toBe(callerId);

    const ended = nextEvent(alice, 'call.ended');
    const wrapUp = nextEvent(alice, 'agent.state.changed');
    fake.far.hangup(aliceLeg);
    expect((await ended).callId).toBe(callerId);
    expect((await wrapUp).state).toBe('after-call-work');
    firstCall = callerId;

    const saved = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'observe-1' },
      body: { callId: callerId, subject: 'Observed call', type: 'technical_support', priority: 'medium', description: 'Popped in observe mode.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId: callerId, ani: '+14155550123', agent: 'alice' });

    // Observe mode never controls a call: no answer, play, hold, originate or hangup was sent.
    expect(fake.requests.filter((r) => r.method !== 'GET' && !r.key?.includes('/subscription')).length).toBe(commandsBefore);
    expect(fake.invalid).toEqual([]);
    expect(fake.pbx.violations).toEqual([]);
  });

  it('renews the subscriptions after the events socket drops, and pops again', async () => {
    expect(firstCall).not.toBe('');
    const mark = fake.requests.length;
    fake.dropSockets();
    await subscribed('PJSIP/alice', mark);
    const callerId = fake.far.dialplanCall('+12125550100', '+18005550100');
    const popped = nextEvent(alice, 'call.offered');
    fake.far.queueRings(callerId, 'PJSIP/alice');
    expect((await popped).callId).toBe(callerId);
  });
});
