/**
 * The whole path through the Asterisk adapter, with real HTTP and socket.io clients
 * and the fake ARI server: a call on the trunk enters Stasis -> the IVR answers and
 * plays HTTP-rendered prompts -> key 1 -> the support queue (music on hold) -> the pop
 * reaches alice -> her desk phone (PJSIP/alice) is originated and answers -> a mixing
 * bridge -> the caller hangs up (the agent's leg and the bridge go too) -> a case.
 * Then a call to bob's WebRTC endpoint where the agent hangs up first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { api, connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startPromptServer, type PromptServer } from './fake-ari/media.js';
import { FakeAriServer } from './fake-ari/server.js';

describe('the whole path through the Asterisk adapter', () => {
  let fake: FakeAriServer;
  let prompts: PromptServer;
  let srv: TestServer;
  let alice: AgentClient;
  let bob: AgentClient;
  let aliceToken: string;

  beforeAll(async () => {
    fake = await new FakeAriServer().start();
    prompts = await startPromptServer(400);
    srv = await startTestServer({
      config: {
        adapters: [
          {
            id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password,
            prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}&lang={lang}` },
            reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
          },
        ],
        agents: [
          { ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/alice' },
          { ...DEMO_AGENTS[1], queues: [...DEMO_AGENTS[1].queues], endpoint: 'PJSIP/webrtc-bob' },
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
    const placed = fake.far.placeCall(from, '+18005550100');
    if (placed.declined) throw new Error('declined');
    const callId = placed.channelId;
    await fake.waitForEvent((e) => e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${callId}` && String(e.playback.media_uri).includes('main-menu'));
    fake.far.pressDigits(callId, digit);
    return callId;
  }

  it('IVR -> queue -> pop -> desk phone answers -> bridge -> caller hangs up -> case', async () => {
    const health = await api(srv.url, 'GET', '/healthz');
    expect(health.body.adapters).toEqual([expect.objectContaining({ id: 'pbx1', kind: 'asterisk', state: 'connected', lastError: null })]);

    const offered = nextEvent(alice, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    const pop = await offered;
    expect(pop).toMatchObject({ callId, aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', queue: 'support' });
    if (pop.lookup.outcome !== 'one') throw new Error(`expected one contact, got ${pop.lookup.outcome}`);
    expect(`${pop.lookup.contact.firstName} ${pop.lookup.contact.lastName}`).toBe('Ada Lovelace');
    expect(pop.ivrPath.filter((s) => s.event === 'key').map((s) => s.key)).toEqual(['1']);

    // The caller was answered, heard rendered prompts, and waits with music on hold.
    expect(fake.requests.some((r) => r.key === 'POST /channels/{channelId}/answer' && r.params.channelId === callId && r.status === 204)).toBe(true);
    expect(prompts.rendered).toContain('Thank you for calling.');
    await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}/moh' && r.params.channelId === callId);

    // The pop went out, then alice's desk phone rang with the caller's number.
    const originate = await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.endpoint === 'PJSIP/alice');
    expect(originate.status).toBe(200);
    expect(originate.query).toMatchObject({ app: 'switchboard', originator: callId });
    expect(originate.query.callerId).toContain('+14155550123');
    const legId = originate.params.channelId as string;

    const connected = nextEvent(alice, 'call.connected');
    fake.far.answerLeg(legId);
    expect((await connected).callId).toBe(callId);
    const bridge = [...fake.pbx.bridges.values()][0];
    expect(bridge?.snap.bridge_type).toBe('mixing');
    expect(bridge?.snap.channels.sort()).toEqual([callId, legId].sort());
    expect(fake.pbx.channels.get(callId)?.moh).toBe(false);

    const ended = nextEvent(alice, 'call.ended');
    fake.far.hangup(callId);
    expect(await ended).toMatchObject({ callId, reason: 'caller-hangup' });
    // Either side hanging up tears down the other: the agent's leg and the bridge are gone.
    await fake.waitForEvent((e) => e.type === 'ChannelDestroyed' && e.channel.id === legId);
    await fake.waitForEvent((e) => e.type === 'BridgeDestroyed' && e.bridge.id === bridge?.snap.id);

    const saved = await api(srv.url, 'POST', '/api/cases', {
      token: aliceToken,
      headers: { 'Idempotency-Key': 'asterisk-full-path-1' },
      body: { callId, subject: 'Printer offline', type: 'technical_support', priority: 'high', description: 'Logged from an Asterisk call.', disposition: 'resolved' },
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ callId, ani: '+14155550123', dnis: '+18005550100', queue: 'support', agent: 'alice', contactId: pop.lookup.contact.id });
  });

  it('rings the WebRTC agent for billing; the agent hanging up ends the caller too', async () => {
    const offered = nextEvent(bob, 'call.offered');
    const callId = await callAndPress('+12125550100', '2');
    expect((await offered).queue).toBe('billing');
    const originate = await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.endpoint === 'PJSIP/webrtc-bob');
    const legId = originate.params.channelId as string;
    const connected = nextEvent(bob, 'call.connected');
    fake.far.answerLeg(legId);
    await connected;

    const ended = nextEvent(bob, 'call.ended');
    fake.far.hangup(legId);
    expect(await ended).toMatchObject({ callId, reason: 'agent-hangup' });
    await fake.waitForEvent((e) => e.type === 'ChannelDestroyed' && e.channel.id === callId);
    expect(fake.requests.some((r) => r.key === 'DELETE /channels/{channelId}' && r.params.channelId === callId)).toBe(true);
  });

  it('sent only requests the Swagger files allow, and events and replies shaped by them', () => {
    expect(fake.invalid).toEqual([]);
    expect(fake.badReplies).toEqual([]);
    expect(fake.pbx.violations).toEqual([]);
  });
});

describe('ring timeout through the Asterisk adapter', () => {
  let fake: FakeAriServer;
  let prompts: PromptServer;
  let srv: TestServer;
  const sockets: AgentClient[] = [];

  beforeAll(async () => {
    fake = await new FakeAriServer().start();
    prompts = await startPromptServer(400);
    srv = await startTestServer({
      config: {
        routing: { ringTimeoutMs: 1_000 },
        adapters: [{ id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password, prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}` } }],
        agents: [
          { ...DEMO_AGENTS[0], queues: ['support'], endpoint: 'PJSIP/alice' },
          { ...DEMO_AGENTS[1], queues: ['support'], endpoint: 'PJSIP/webrtc-bob' },
        ],
      },
    });
    for (const name of ['alice', 'bob']) {
      const { socket } = await connectAgent(srv.url, await login(srv.url, name));
      expect((await request(socket, 'agent.state.set', { state: 'available' })).ok).toBe(true);
      sockets.push(socket);
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await srv?.close();
    await fake?.close();
    await prompts?.close();
  });

  it('an unanswered phone is hung up at the ring timeout and the next agent\'s phone rings', async () => {
    const placed = fake.far.placeCall('+14155550123', '+18005550100');
    if (placed.declined) throw new Error('declined');
    await fake.waitForEvent((e) => e.type === 'PlaybackStarted' && String(e.playback.media_uri).includes('main-menu'));
    fake.far.pressDigits(placed.channelId, '1');
    const first = await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.originator === placed.channelId);
    // Nobody answers: at the ring timeout the leg is hung up (cancelAgentLeg) and the other phone rings.
    const cancelled = await fake.waitForRequest((r) => r.key === 'DELETE /channels/{channelId}' && r.params.channelId === first.params.channelId);
    expect(cancelled.status).toBe(204);
    const second = await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.originator === placed.channelId && r !== first);
    expect(second.query.endpoint).not.toBe(first.query.endpoint);
    fake.far.answerLeg(second.params.channelId as string);
    await fake.waitForEvent((e) => e.type === 'ChannelEnteredBridge' && e.channel.id === second.params.channelId);
    expect(fake.invalid).toEqual([]);
  });
});
