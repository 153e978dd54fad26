/**
 * The whole path through the FreeSWITCH adapter, with real HTTP and socket.io
 * clients and the fake Event Socket: a call parked for Switchboard -> the IVR
 * answers and plays HTTP-rendered prompts (mod_http_cache) -> key 1 -> the support
 * queue (music on hold) -> the pop reaches alice -> her desk phone
 * (user/alice@pbx.example) is originated and answers -> uuid_bridge -> the caller
 * hangs up (the agent's leg goes too) -> a case. Then bob's WebRTC (verto) phone,
 * where the agent hangs up first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { startPromptServer, type PromptServer } from '../asterisk/fake-ari/media.js';
import { api, connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FakeEslServer } from './fake-esl/server.js';

describe('the whole path through the FreeSWITCH adapter', () => {
  let fake: FakeEslServer;
  let prompts: PromptServer;
  let srv: TestServer;
  let alice: AgentClient;
  let bob: AgentClient;
  let aliceToken: string;

  beforeAll(async () => {
    fake = await new FakeEslServer().start();
    prompts = await startPromptServer(400);
    srv = await startTestServer({
      config: {
        adapters: [
          {
            id: 'fs1', kind: 'freeswitch', host: fake.host, port: fake.listenPort, password: fake.password,
            prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}&lang={lang}` },
            reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
          },
        ],
        agents: [
          { ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'user/alice@pbx.example' },
          { ...DEMO_AGENTS[1], queues: [...DEMO_AGENTS[1].queues], endpoint: 'user/bob@pbx.example' },
        ],
      },
    });
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
    await prompts?.close();
  });

  /** A caller dials in, waits for the menu prompt, presses `digit`; resolves with the caller's channel id. */
  async function callAndPress(from: string, digit: string): Promise<string> {
    const callId = fake.far.placeCall(from, '+18005550100');
    await fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_EXECUTE' && e['Unique-ID'] === callId && (e['Application-Data'] ?? '').includes('main-menu'));
    fake.far.pressDigits(callId, digit);
    return callId;
  }

  const originateOf = (callId: string) => fake.waitForCommand((c) => c.line.startsWith('bgapi originate') && c.line.includes(`switchboard_leg=${callId}`), { job: false });
  /** The leg id of an originate line, once FreeSWITCH made the channel (the job runs after the reply). */
  async function legOf(line: string): Promise<string> {
    const legId = /origination_uuid=([^,}]+)/.exec(line)?.[1] ?? '';
    await fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_CREATE' && e['Unique-ID'] === legId);
    return legId;
  }

  it('IVR -> queue -> pop -> desk phone answers -> uuid_bridge -> caller hangs up -> case', async () => {
    const health = await api(srv.url, 'GET', '/healthz');
    expect(health.body.adapters).toEqual([expect.objectContaining({ id: 'fs1', kind: 'freeswitch', state: 'connected', lastError: null })]);

    const offered = nextEvent(alice, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    const pop = await offered;
    expect(pop).toMatchObject({ callId, aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', queue: 'support' });
    if (pop.lookup.outcome !== 'one') throw new Error(`expected one contact, got ${pop.lookup.outcome}`);
    expect(`${pop.lookup.contact.firstName} ${pop.lookup.contact.lastName}`).toBe('Ada Lovelace');
    expect(pop.ivrPath.filter((s) => s.event === 'key').map((s) => s.key)).toEqual(['1']);

    // Answered, rendered prompts heard (the menu cut short by the key), then music on hold.
    expect(fake.commands.some((c) => c.line === `bgapi uuid_answer ${callId}` && c.job === '')).toBe(true);
    expect(prompts.rendered).toContain('Thank you for calling.');
    await fake.waitForCommand((c) => c.line === `bgapi uuid_break ${callId}`);
    await fake.waitForCommand((c) => c.line === `sendmsg ${callId}` && c.headers['execute-app-arg'] === 'local_stream://moh');

    // The pop went out, then alice's desk phone rang with the caller's number.
    const originate = await originateOf(callId);
    expect(originate.line).toMatch(/\}user\/alice@pbx\.example &park\(\)$/);
    expect(originate.line).toContain('origination_caller_id_number=+14155550123');
    const legId = await legOf(originate.line);

    const connected = nextEvent(alice, 'call.connected');
    fake.far.answerLeg(legId);
    expect((await connected).callId).toBe(callId);
    expect(fake.sw.channels.get(callId)?.bridgedWith).toBe(legId);
    const lines = fake.commands.map((c) => c.line);
    expect(lines.indexOf(`bgapi uuid_break ${callId} all`)).toBeLessThan(lines.indexOf(`bgapi uuid_bridge ${callId} ${legId}`));

    const ended = nextEvent(alice, 'call.ended');
    fake.far.hangup(callId);
    expect(await ended).toMatchObject({ callId, reason: 'caller-hangup' });
    // Either side hanging up tears down the other.
    await fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === legId);

    const saved = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'freeswitch-full-path-1' },
      body: { callId, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Logged from a FreeSWITCH call.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId, ani: '+14155550123', dnis: '+18005550100', queue: 'support', agent: 'alice', contactId: pop.lookup.contact.id });
  });

  it("rings bob's verto (WebRTC) phone for billing; the agent hanging up ends the caller too", async () => {
    const offered = nextEvent(bob, 'call.offered');
    const callId = await callAndPress('+12125550100', '2');
    expect((await offered).queue).toBe('billing');
    const originate = await originateOf(callId);
    expect(originate.line).toMatch(/\}user\/bob@pbx\.example &park\(\)$/);
    const legId = await legOf(originate.line);
    const connected = nextEvent(bob, 'call.connected');
    fake.far.answerLeg(legId);
    await connected;

    const ended = nextEvent(bob, 'call.ended');
    fake.far.hangup(legId);
    expect(await ended).toMatchObject({ callId, reason: 'agent-hangup' });
    await fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === callId);
    expect(fake.commands.some((c) => c.line === `bgapi uuid_kill ${callId} NORMAL_CLEARING`)).toBe(true);
  });

  it('sent only commands FreeSWITCH knows, and never a stray uuid_break', () => {
    expect(fake.problems).toEqual([]);
    expect(fake.sw.strayBreaks).toBe(0);
  });
});
