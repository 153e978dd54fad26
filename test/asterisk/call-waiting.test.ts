/**
 * Call waiting through the Asterisk adapter against the fake ARI server: alice
 * (maxCalls 2) answers a second call on her desk phone (PJSIP/alice) while on a
 * first; the connector holds the first caller with ARI music on hold. Then she
 * swaps on the phone itself (its Hold buttons: ChannelHold / ChannelUnhold on her
 * legs): the connector follows, with music for the held caller and call.held /
 * call.resumed for her widget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { connectAgent, login, nextEvent, recordEvents, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startPromptServer, type PromptServer } from './fake-ari/media.js';
import { FakeAriServer } from './fake-ari/server.js';

describe('call waiting on an Asterisk desk phone', () => {
  let fake: FakeAriServer;
  let prompts: PromptServer;
  let srv: TestServer;
  let alice: AgentClient;

  beforeAll(async () => {
    fake = await new FakeAriServer().start();
    prompts = await startPromptServer(400);
    srv = await startTestServer({
      config: {
        routing: { maxCallsPerAgent: 2 },
        adapters: [
          {
            id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password,
            prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}&lang={lang}` },
            reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
          },
        ],
        agents: [{ ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/alice' }],
      },
    });
    ({ socket: alice } = await connectAgent(srv.url, await login(srv.url, 'alice')));
    expect((await request(alice, 'agent.state.set', { state: 'available' })).ok).toBe(true);
  });

  afterAll(async () => {
    alice?.close();
    await srv?.close();
    await fake?.close();
    await prompts?.close();
  });

  /** A caller presses 1; alice's desk phone rings for it and answers. Resolves with the call and leg ids. */
  async function callAndAnswer(from: string): Promise<{ callId: string; legId: string }> {
    const offered = nextEvent(alice, 'call.offered');
    const placed = fake.far.placeCall(from, '+18005550100');
    if (placed.declined) throw new Error('declined');
    const callId = placed.channelId;
    await fake.waitForEvent((e) => e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${callId}` && String(e.playback.media_uri).includes('main-menu'));
    fake.far.pressDigits(callId, '1');
    expect((await offered).callId).toBe(callId);
    const originate = await fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.endpoint === 'PJSIP/alice' && r.query.originator === callId);
    const legId = originate.params.channelId as string;
    const connected = nextEvent(alice, 'call.connected');
    fake.far.answerLeg(legId);
    expect((await connected).callId).toBe(callId);
    return { callId, legId };
  }

  it('holds the first caller when the second is answered, and follows a swap made on the phone', async () => {
    const first = await callAndAnswer('+14155550123');
    expect(fake.pbx.channels.get(first.callId)?.moh).toBe(false);
    const seen = recordEvents(alice, ['call.held', 'call.resumed']);
    const second = await callAndAnswer('+12125550100');
    // The first caller hears music on hold (ARI) while alice talks to the second.
    await expect.poll(() => fake.pbx.channels.get(first.callId)?.moh).toBe(true);
    expect(fake.pbx.channels.get(second.callId)?.moh).toBe(false);
    expect(seen.map((e) => `${e.event}:${e.payload.callId}`)).toEqual([`call.held:${first.callId}`]);

    // The phone's own swap: it holds the second leg and resumes the first.
    fake.far.holdLeg(second.legId, true);
    fake.far.holdLeg(first.legId, false);
    await expect.poll(() => seen.map((e) => `${e.event}:${e.payload.callId}`)).toEqual([`call.held:${first.callId}`, `call.held:${second.callId}`, `call.resumed:${first.callId}`]);
    await expect.poll(() => fake.pbx.channels.get(second.callId)?.moh).toBe(true);
    expect(fake.pbx.channels.get(first.callId)?.moh).toBe(false);
    expect(fake.requests.some((r) => r.key === 'DELETE /channels/{channelId}/moh' && r.params.channelId === first.callId && r.status === 204)).toBe(true);
    // The widget's next snapshot agrees: the first call is the one she talks to.
    const { socket, snapshot } = await connectAgent(srv.url, await login(srv.url, 'alice'));
    expect(snapshot.activeCall?.callId).toBe(first.callId);
    expect(snapshot.heldCalls?.map((c) => c.callId)).toEqual([second.callId]);
    socket.close();
    // Every event the fake sent (ChannelHold, ChannelUnhold included) matched Asterisk's Swagger files.
    expect(fake.pbx.violations).toEqual([]);
  });
});
