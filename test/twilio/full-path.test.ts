/**
 * The whole path through the Twilio adapter, driven by signed webhook requests from
 * the fake Twilio, with real HTTP and socket.io clients against a Switchboard from
 * startTestServer: a call to the number -> the IVR answers, its prompts (rendered by
 * Switchboard and fetched by "Twilio" over the public URL) play in `<Gather>`s -> key
 * 1 -> the support queue (the caller waits in `<Enqueue>`) -> the pop reaches alice ->
 * her Twilio Client is rung through the REST API and answers -> `<Dial><Queue>`
 * connects them -> the caller hangs up -> a case. Then bob, where the agent hangs up
 * first; a forged webhook; and the auth token nowhere in logs or API answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { createLogger } from '../../connector/logger.js';
import { api, connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FakeTwilio, type FakeCall } from './fake-twilio/fake-twilio.js';
import { twilioSign } from './fake-twilio/sign.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL } from './helpers.js';

describe('the whole path through the Twilio adapter', () => {
  let fake: FakeTwilio;
  let srv: TestServer;
  let alice: AgentClient;
  let bob: AgentClient;
  let aliceToken: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    fake = await new FakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, webhookPath: '/twilio/tw1' }).start();
    srv = await startTestServer({
      log: createLogger('debug', { write: (line: string) => void logLines.push(line) }),
      config: {
        adapters: [{ id: 'tw1', kind: 'twilio', accountSid: ACCOUNT_SID, token: AUTH_TOKEN, publicUrl: PUBLIC_URL, apiBaseUrl: fake.restUrl }],
        agents: [
          { ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'client:alice' },
          { ...DEMO_AGENTS[1], queues: [...DEMO_AGENTS[1].queues], endpoint: 'client:bob' },
          { ...DEMO_AGENTS[2], queues: [] },
        ],
      },
    });
    fake.target = srv.url;
    aliceToken = await login(srv.url, 'alice');
    ({ socket: alice } = await connectAgent(srv.url, aliceToken));
    ({ socket: bob } = await connectAgent(srv.url, await login(srv.url, 'bob')));
    expect((await request(alice, 'agent.state.set', { state: 'available' })).ok).toBe(true);
    expect((await request(bob, 'agent.state.set', { state: 'available' })).ok).toBe(true);
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await srv?.close();
    await fake?.close();
  });

  /** A caller dials in, waits for the menu (the second prompt, in a listening Gather), presses `digit`. */
  async function callAndPress(from: string, digit: string): Promise<FakeCall> {
    const call = fake.mustGet(await fake.placeCall(from, '+18005550100'));
    await fake.until(() => call.heard.length >= 2 && call.gather !== null, 'the menu prompt');
    await fake.pressDigits(call.sid, digit);
    return call;
  }

  const agentLeg = (identity: string): Promise<FakeCall> =>
    fake.until(() => [...fake.calls.values()].find((c) => c.to === `client:${identity}` && c.status === 'ringing'), `${identity}'s client ringing`);

  it('IVR -> queue -> pop -> Twilio Client answers -> <Dial><Queue> -> caller hangs up -> case', async () => {
    const health = await api(srv.url, 'GET', '/healthz');
    expect(health.body.adapters).toEqual([expect.objectContaining({ id: 'tw1', kind: 'twilio', state: 'connected', lastError: null })]);

    const offered = nextEvent(alice, 'call.offered');
    const call = await callAndPress('+14155550123', '1');
    const pop = await offered;
    expect(pop).toMatchObject({ callId: call.sid, aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', queue: 'support' });
    if (pop.lookup.outcome !== 'one') throw new Error(`expected one contact, got ${pop.lookup.outcome}`);
    expect(`${pop.lookup.contact.firstName} ${pop.lookup.contact.lastName}`).toBe('Ada Lovelace');
    expect(pop.ivrPath.filter((s) => s.event === 'key').map((s) => s.key)).toEqual(['1']);

    // The prompts were rendered by Switchboard and fetched by Twilio over the public URL (WAV checked by the fake).
    expect(call.heard[0]).toMatch(/^https:\/\/switchboard\.example\.test\/prompts\/[0-9a-f]{32}\.wav$/);
    expect(new Set(call.heard.slice(0, 2)).size).toBe(2);
    const menu = fake.log.find((e) => e.type === 'gather' && e.sid === call.sid && e.nested.length === 1);
    expect(menu?.type === 'gather' && menu.attrs).toMatchObject({ input: 'dtmf', numDigits: '1', finishOnKey: '', actionOnEmptyResult: 'true' });

    // Alice's Twilio Client rang through the REST API, showing the caller's number.
    const leg = await agentLeg('alice');
    const create = fake.log.find((e) => e.type === 'rest' && e.path.endsWith('/Calls.json') && e.params['To']?.[0] === 'client:alice');
    expect(create?.type === 'rest' && create.params).toMatchObject({ From: ['+14155550123'], Method: ['POST'], Timeout: ['60'] });

    const connected = nextEvent(alice, 'call.connected');
    fake.answerLeg(leg.sid);
    expect((await connected).callId).toBe(call.sid);
    await fake.event('bridged', (e) => e.caller === call.sid && e.agent === leg.sid);
    // The caller waited in their own queue before the bridge.
    expect(fake.log.some((e) => e.type === 'enqueued' && e.sid === call.sid && e.queue === `sb-${call.sid}`)).toBe(true);

    const ended = nextEvent(alice, 'call.ended');
    fake.hangup(call.sid);
    expect(await ended).toMatchObject({ callId: call.sid, reason: 'caller-hangup' });
    // Either side hanging up ends the other: the agent's <Dial> ends with the caller.
    await fake.event('ended', (e) => e.sid === leg.sid);

    const saved = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'twilio-full-path-1' },
      body: { callId: call.sid, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Logged from a Twilio call.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId: call.sid, ani: '+14155550123', dnis: '+18005550100', queue: 'support', agent: 'alice', contactId: pop.lookup.contact.id });
  });

  it('billing rings bob; the agent hanging up ends the caller too (Enqueue action answered <Hangup/>)', async () => {
    const offered = nextEvent(bob, 'call.offered');
    const call = await callAndPress('+12125550100', '2');
    expect((await offered).queue).toBe('billing');
    const leg = await agentLeg('bob');
    const connected = nextEvent(bob, 'call.connected');
    fake.answerLeg(leg.sid);
    await connected;
    await fake.event('bridged', (e) => e.caller === call.sid);

    const ended = nextEvent(bob, 'call.ended');
    fake.hangup(leg.sid);
    expect(await ended).toMatchObject({ callId: call.sid, reason: 'agent-hangup' });
    await fake.event('ended', (e) => e.sid === call.sid);
    const action = fake.log.find((e) => e.type === 'request' && e.sid === call.sid && e.params['QueueResult'] === 'bridged');
    expect(action?.type === 'request' && action.body).toContain('<Hangup/>');
  });

  it('a forged voice webhook gets 403 and starts no call', async () => {
    const before = srv.sb.callCenter.liveCount;
    const url = `${PUBLIC_URL}/twilio/tw1/voice`;
    const params = { AccountSid: ACCOUNT_SID, CallSid: `CA${'f'.repeat(32)}`, CallStatus: 'ringing', From: '+14155550123', To: '+18005550100' };
    const forged = await fetch(`${srv.url}/twilio/tw1/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSign('not-the-token', url, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(forged.status).toBe(403);
    expect(srv.sb.callCenter.liveCount).toBe(before);
  });

  it('sent TwiML Twilio accepts, and never logged or returned the auth token', async () => {
    expect(fake.violations).toEqual([]);
    const adminToken = await login(srv.url, 'admin');
    const listed = await api(srv.url, 'GET', '/api/admin/adapters', { token: adminToken });
    expect(listed.status).toBe(200);
    expect(listed.body.adapters[0]).toMatchObject({ id: 'tw1', kind: 'twilio', settings: { accountSid: ACCOUNT_SID } });
    expect(JSON.stringify(listed.body)).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify((await api(srv.url, 'GET', '/healthz')).body)).not.toContain(AUTH_TOKEN);
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.join('\n')).not.toContain(AUTH_TOKEN);
  });
});
