/**
 * What the Asterisk adapter sends for each feature, checked on the fake ARI
 * server's request log: barge-in, music on hold, the agent leg's originate (a
 * WebRTC endpoint), cancelling a ringing leg, blind transfer, failing media; and
 * two Asterisk servers behind one Switchboard.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PbxEvent } from '../../adapters/events.js';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startPromptServer, type PromptServer } from './fake-ari/media.js';
import { FakeAriServer } from './fake-ari/server.js';
import { startRig, type AriRig } from './helpers.js';

describe('Asterisk adapter features on the wire', () => {
  let rig: AriRig;
  let events: PbxEvent[];
  const next = <T extends PbxEvent['type']>(type: T, pred: (e: Extract<PbxEvent, { type: T }>) => boolean = () => true) =>
    new Promise<Extract<PbxEvent, { type: T }>>((resolve) => {
      const found = events.find((e): e is Extract<PbxEvent, { type: T }> => e.type === type && pred(e as Extract<PbxEvent, { type: T }>));
      if (found) return resolve(found);
      const off = rig.adapter.onEvent((e) => {
        if (e.type === type && pred(e as Extract<PbxEvent, { type: T }>)) {
          off();
          resolve(e as Extract<PbxEvent, { type: T }>);
        }
      });
    });

  beforeEach(async () => {
    rig = await startRig({ transferContext: 'from-switchboard', mohClass: 'queue' });
    events = [];
    rig.adapter.onEvent((e) => events.push(e));
    await rig.adapter.connect();
  });
  afterEach(async () => {
    const problems = rig.problems();
    await rig.close();
    expect(problems).toEqual([]);
  });

  async function inbound(callerName = ''): Promise<string> {
    const r = rig.fake.far.placeCall('+14155550123', '+18005550100', { callerName });
    if (r.declined) throw new Error('declined');
    await next('call.started', (e) => e.callId === r.channelId);
    await rig.adapter.answer(r.channelId);
    return r.channelId;
  }

  it('barge-in stops the playback with DELETE /playbacks/{id}', async () => {
    const callId = await inbound();
    const ctl = new AbortController();
    const playing = rig.adapter.play(callId, { id: 'menu', text: 'A long menu. '.repeat(40) }, ctl.signal);
    const started = await rig.fake.waitForEvent((e) => e.type === 'PlaybackStarted');
    rig.fake.far.pressDigits(callId, '1');
    await next('call.dtmf');
    ctl.abort();
    expect(await playing).toEqual({ completed: false });
    const stop = await rig.fake.waitForRequest((r) => r.key === 'DELETE /playbacks/{playbackId}');
    expect(stop.params.playbackId).toBe(started.playback.id);
    expect(stop.status).toBe(204);
    expect(rig.prompts.rendered).toEqual(['A long menu. '.repeat(40)]);
  });

  it('music on hold starts with the configured class and stops on abort', async () => {
    const callId = await inbound();
    const ctl = new AbortController();
    await rig.adapter.hold(callId, ctl.signal);
    expect(rig.fake.pbx.channels.get(callId)?.moh).toBe(true);
    expect(rig.fake.requests.find((r) => r.key === 'POST /channels/{channelId}/moh')?.query).toEqual({ mohClass: 'queue' });
    ctl.abort();
    await rig.fake.waitForRequest((r) => r.key === 'DELETE /channels/{channelId}/moh' && r.status === 204);
    expect(rig.fake.pbx.channels.get(callId)?.moh).toBe(false);
  });

  it('rings a WebRTC endpoint: originate into the application with the caller ID, the caller as originator, a timeout', async () => {
    const callId = await inbound('Ada Lovelace');
    const { legId } = await rig.adapter.ringAgent(callId, 'PJSIP/webrtc-alice');
    const originate = rig.fake.requests.find((r) => r.key === 'POST /channels/{channelId}');
    expect(originate?.params.channelId).toBe(legId);
    expect(originate?.query).toEqual({
      endpoint: 'PJSIP/webrtc-alice', app: 'switchboard', appArgs: `switchboard-leg,${callId}`,
      timeout: '30', callerId: '"Ada Lovelace" <+14155550123>', originator: callId,
    });
    await next('agent.ringing', (e) => e.legId === legId && e.endpoint === 'PJSIP/webrtc-alice');
  });

  it('ring timeout: cancelling a ringing leg hangs it up and ends it as system-hangup', async () => {
    const callId = await inbound();
    const { legId } = await rig.adapter.ringAgent(callId, 'PJSIP/alice');
    await rig.adapter.cancelAgentLeg(legId);
    const ended = await next('agent.leg.ended', (e) => e.legId === legId);
    expect(ended.reason).toBe('system-hangup');
    expect(rig.fake.requests.filter((r) => r.key === 'DELETE /channels/{channelId}' && r.params.channelId === legId)).toHaveLength(1);
    expect(rig.fake.pbx.channels.has(callId)).toBe(true);
  });

  it('blind transfer: the caller continues in the transfer context at the number; the call ends as transferred', async () => {
    const callId = await inbound();
    await expect(rig.adapter.transfer(callId, 'not a number')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await rig.adapter.transfer(callId, '+14155550999');
    expect(rig.fake.pbx.continued).toEqual([{ channelId: callId, context: 'from-switchboard', extension: '+14155550999' }]);
    const ended = await next('call.ended', (e) => e.callId === callId);
    expect(ended.reason).toBe('transferred');
    expect(rig.fake.pbx.channels.has(callId)).toBe(true); // the dialplan has it now, not us
  });

  it('voicemail: records until # (kept), until aborted (stopped, kept), and a hangup keeps what was said', async () => {
    const callId = await inbound();
    const byHash = rig.adapter.record(callId, { maxSeconds: 60 }, new AbortController().signal);
    const started = await rig.fake.waitForEvent((e) => e.type === 'RecordingStarted');
    const rec = rig.fake.requests.find((r) => r.key === 'POST /channels/{channelId}/record');
    expect(rec?.query).toMatchObject({ format: 'wav', maxDurationSeconds: '60', ifExists: 'fail', beep: 'true', terminateOn: '#' });
    rig.fake.far.pressDigits(callId, '#');
    expect(await byHash).toEqual({ recording: `recording:${started.recording.name}` });

    const ctl = new AbortController();
    const aborted = rig.adapter.record(callId, { maxSeconds: 60 }, ctl.signal);
    await rig.fake.waitForEvent((e) => e.type === 'RecordingStarted' && e.recording.name !== started.recording.name);
    ctl.abort();
    expect((await aborted).recording).toMatch(/^recording:switchboard-/);
    expect(rig.fake.requests.some((r) => r.key === 'POST /recordings/live/{recordingName}/stop' && r.status === 204)).toBe(true);

    const hungUp = rig.adapter.record(callId, { maxSeconds: 60 }, new AbortController().signal);
    await rig.fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}/record' && rig.fake.pbx.recordings.size === 1);
    rig.fake.far.hangup(callId);
    expect((await hungUp).recording).toMatch(/^recording:switchboard-/);
    expect(rig.fake.pbx.stored.size).toBe(3);
  });

  it('a sound Asterisk cannot play rejects with PBX_REJECTED; a prompt with no media configured is INVALID_REQUEST', async () => {
    const callId = await inbound();
    await expect(rig.adapter.play(callId, { id: 'x', text: 'x', media: 'sound:no-such-file' }, new AbortController().signal)).rejects.toMatchObject({ code: 'PBX_REJECTED' });
    rig.adapter.opts.prompts.urlTemplate = undefined;
    await expect(rig.adapter.play(callId, { id: 'x', text: 'x' }, new AbortController().signal)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('two Asterisk servers behind one Switchboard', () => {
  let east: FakeAriServer;
  let west: FakeAriServer;
  let prompts: PromptServer;
  let srv: TestServer;
  let alice: AgentClient;

  beforeAll(async () => {
    east = await new FakeAriServer().start();
    west = await new FakeAriServer({ password: 'other' }).start();
    prompts = await startPromptServer(400);
    const pbx = (id: string, fake: FakeAriServer) => ({
      id, kind: 'asterisk' as const, url: fake.url, username: fake.username, password: fake.password, prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}` },
    });
    srv = await startTestServer({
      config: { adapters: [pbx('east', east), pbx('west', west)], agents: [{ ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/alice' }] },
    });
    ({ socket: alice } = await connectAgent(srv.url, await login(srv.url, 'alice')));
    expect((await request(alice, 'agent.state.set', { state: 'available' })).ok).toBe(true);
  });
  afterAll(async () => {
    alice?.close();
    await srv?.close();
    await Promise.all([east?.close(), west?.close(), prompts?.close()]);
  });

  it('a call on the west server is answered, queued and rung on the west server only', async () => {
    const offered = nextEvent(alice, 'call.offered');
    const placed = west.far.placeCall('+14155550123', '+18005550100');
    if (placed.declined) throw new Error('declined');
    await west.waitForEvent((e) => e.type === 'PlaybackStarted' && String(e.playback.media_uri).includes('main-menu'));
    west.far.pressDigits(placed.channelId, '1');
    expect((await offered).callId).toBe(placed.channelId);
    await west.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.endpoint === 'PJSIP/alice');
    expect(east.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const health = srv.sb.adapters.map((a) => [a.id, a.health().state]);
    expect(health).toEqual([['east', 'connected'], ['west', 'connected']]);
  });
});
