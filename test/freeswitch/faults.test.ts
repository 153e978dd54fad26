/**
 * The FreeSWITCH adapter under each fault switch of the fake Event Socket: a
 * disconnect notice with junk after it, a queue overflow that closes the socket,
 * a dropped socket, FreeSWITCH down and restarted, a connector restart (calls
 * re-adopted), slow replies and slow jobs, a silent peer, channels gone mid-command,
 * a wrong password. Waits are on events and commands, never on sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FreeSwitchAdapter } from '../../adapters/freeswitch/freeswitch-adapter.js';
import { jsonFrame, channelEvent } from './fake-esl/events.js';
import { adapterOptions, recorder, startRig, type EslRig } from './helpers.js';

describe('FreeSWITCH adapter under faults', () => {
  let rig: EslRig;
  let rec: ReturnType<typeof recorder>;

  beforeEach(async () => {
    rig = await startRig();
    rec = recorder(rig.adapter);
    await rig.adapter.connect();
  });
  afterEach(async () => {
    const problems = [...rig.fake.problems];
    await rig.close();
    expect(problems).toEqual([]);
  });

  async function inbound(from = '+14155550123'): Promise<string> {
    const callId = rig.fake.far.placeCall(from, '+18005550100');
    await rec.next('call.started', (e) => e.callId === callId);
    return callId;
  }

  const subscriptions = (): string[] => rig.fake.commands.filter((c) => c.line.startsWith('event ')).map((c) => c.line);

  describe('the socket goes away', () => {
    it('a disconnect notice with junk after it: the junk is never read; it reconnects and subscribes again', async () => {
      const callId = await inbound();
      await rig.adapter.answer(callId);
      const mark = rec.states.length;
      const junk = jsonFrame(channelEvent('DTMF', rig.fake.far.live(callId), { 'DTMF-Digit': '9', 'DTMF-Duration': '960' }));
      rig.fake.disconnectNotice({ junk: `${junk}\u0000garbage` });
      const down = await rec.state('disconnected', mark);
      expect(down.lastError).toBe('FreeSWITCH sent a disconnect notice: Disconnected, goodbye.');
      await rig.fake.subscribed(2);
      await rec.state('connected', mark);
      expect(rec.states.slice(mark).map((s) => s.state)).toEqual(['disconnected', 'connecting', 'connected']);
      expect(rig.adapter.health().lastError).toBeNull();
      const subs = subscriptions();
      expect(subs).toHaveLength(2);
      expect(subs[1]).toBe(subs[0]);
      expect(subs[0]).toBe('event json CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE DTMF RECORD_STOP BACKGROUND_JOB CHANNEL_HOLD CHANNEL_UNHOLD');
      rig.fake.far.pressDigits(callId, '3');
      await rec.next('call.dtmf', (e) => e.digit === '3');
      expect(rec.events.filter((e) => e.type === 'call.dtmf').map((e) => (e as { digit: string }).digit)).toEqual(['3']);
    });

    it('a queue overflow: events lost, the socket closed without a word; the resync reports the answer and the hangup it missed', async () => {
      const callId = await inbound();
      await rig.adapter.answer(callId);
      const { legId } = await rig.adapter.ringAgent(callId, 'user/alice@pbx.example');
      const other = await inbound('+12125550100');
      const mark = rec.states.length;
      rig.fake.overflow(2);
      rig.fake.far.answerLeg(legId); // CHANNEL_ANSWER, the job's BACKGROUND_JOB: lost; then the socket closes
      rig.fake.far.hangup(other); // nobody is subscribed now
      const down = await rec.state('disconnected', mark);
      expect(down.lastError).toBe('the event socket closed');
      await rec.state('connected', mark);
      await rec.next('agent.answered', (e) => e.legId === legId);
      expect(await rec.next('call.ended', (e) => e.callId === other)).toMatchObject({ reason: 'caller-hangup' });
      expect(rig.fake.commands.filter((c) => c.line === 'api show channels as json')).toHaveLength(2);
      await rig.adapter.bridge(callId, legId);
      await rec.next('call.connected', (e) => e.callId === callId);
      expect(rec.count('agent.answered')).toBe(1);
    });

    it('a prompt that ended while the socket was down ends at the resync (the channel is back in park)', async () => {
      const callId = await inbound();
      rig.fake.sw.sounds.set('fifty.wav', 50);
      const playing = rig.adapter.play(callId, { id: 'p', text: 'x', media: 'fifty.wav' }, new AbortController().signal);
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_EXECUTE' && e['Unique-ID'] === callId);
      const mark = rec.states.length;
      await rig.fake.down();
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Unique-ID'] === callId);
      await rig.fake.up();
      await rec.state('connected', mark);
      expect(await playing).toEqual({ completed: true });
    });

    it('FreeSWITCH down: retries with backoff and never gives up; after a restart every call it knew has ended', async () => {
      const callId = await inbound();
      const mark = rec.states.length;
      await rig.fake.down({ restart: true });
      await rec.state('disconnected', mark);
      await rec.state('connecting', mark);
      const refusedAt = rec.states.length;
      await rec.state('disconnected', refusedAt);
      expect(rec.states.at(-1)?.lastError).toMatch(/ECONNREFUSED/);
      await expect(rig.adapter.answer(callId)).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
      await rig.fake.up();
      await rec.state('connected', refusedAt);
      expect(rig.adapter.link.attempts).toBeGreaterThanOrEqual(3);
      expect(await rec.next('call.ended', (e) => e.callId === callId)).toMatchObject({ reason: 'caller-hangup' });
      const again = await inbound('+12125550100');
      await rig.adapter.answer(again);
      await rec.next('call.answered', (e) => e.callId === again);
    });

    it('a silent peer: the idle probe gets no reply, the socket is replaced', async () => {
      await rig.adapter.disconnect();
      const probing = new FreeSwitchAdapter(adapterOptions(rig.fake, null, { probeIntervalMs: 100, requestTimeoutMs: 200 }));
      const r = recorder(probing);
      await probing.connect();
      try {
        rig.fake.faults.slowReplyMs = 5_000;
        rig.fake.faults.slowReplyMatch = (line) => line === 'api uptime';
        const down = await r.state('disconnected', 1);
        expect(down.lastError).toBe('no reply to uptime within 200 ms');
        rig.fake.faults.slowReplyMs = 0;
        await r.state('connected', r.states.indexOf(down));
      } finally {
        await probing.disconnect();
      }
    });
  });

  describe('a connector restart', () => {
    it('calls parked for Switchboard are adopted (uuid_getvar switchboard_app); other parked calls are not; our old legs are hung up', async () => {
      const ours = await inbound();
      await rig.adapter.answer(ours);
      const { legId } = await rig.adapter.ringAgent(ours, 'user/alice@pbx.example');
      rig.fake.far.answerLeg(legId);
      await rec.next('agent.answered', (e) => e.legId === legId);
      const notMarked = rig.fake.far.placeCall('+12025550111', '200', { app: null });
      const otherApp = rig.fake.far.placeCall('+12025550112', '201', { app: 'someone-else' });
      await rig.adapter.disconnect();
      const second = new FreeSwitchAdapter(adapterOptions(rig.fake, rig.prompts));
      const rec2 = recorder(second);
      await second.connect();
      try {
        expect(await rec2.next('call.started', (e) => e.callId === ours)).toMatchObject({ ani: '+14155550123', dnis: '+18005550100', callerName: null });
        await rec2.next('call.answered', (e) => e.callId === ours);
        await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP' && e['Unique-ID'] === legId && e['Hangup-Cause'] === 'ORIGINATOR_CANCEL');
        expect(rec2.events.filter((e) => e.type === 'call.started').map((e) => e.callId)).toEqual([ours]);
        expect(rig.fake.commands.map((c) => c.line)).toEqual(
          expect.arrayContaining([`api uuid_getvar ${notMarked} switchboard_app`, `api uuid_getvar ${otherApp} switchboard_app`, `api uuid_getvar ${legId} switchboard_leg`]),
        );
        expect(await second.play(ours, { id: 'p', text: 'Welcome back.' }, new AbortController().signal)).toEqual({ completed: true });
      } finally {
        await second.disconnect();
      }
    });
  });

  describe('slow replies and jobs', () => {
    it('a reply slower than requestTimeoutMs: PBX_TIMEOUT, and the socket is replaced (a late reply cannot answer another command)', async () => {
      await rig.adapter.disconnect();
      const fast = new FreeSwitchAdapter(adapterOptions(rig.fake, null, { requestTimeoutMs: 250 }));
      const r = recorder(fast);
      await fast.connect();
      try {
        const callId = rig.fake.far.placeCall('+14155550123', '100');
        await r.next('call.started');
        rig.fake.faults.slowReplyMs = 1_000;
        rig.fake.faults.slowReplyMatch = (line) => line.startsWith('bgapi uuid_answer');
        await expect(fast.answer(callId)).rejects.toMatchObject({ code: 'PBX_TIMEOUT' });
        rig.fake.faults.slowReplyMs = 0;
        await rig.fake.subscribed(3); // rig.adapter's, fast's first, fast's second
        await r.state('connected', 2);
        await fast.answer(callId);
        await r.next('call.answered', (e) => e.callId === callId);
      } finally {
        await fast.disconnect();
      }
    });

    it('a job slower than requestTimeoutMs: PBX_TIMEOUT, the socket stays; the late answer still arrives as an event', async () => {
      await rig.adapter.disconnect();
      const fast = new FreeSwitchAdapter(adapterOptions(rig.fake, null, { requestTimeoutMs: 250 }));
      const r = recorder(fast);
      await fast.connect();
      try {
        const callId = rig.fake.far.placeCall('+14155550123', '100');
        await r.next('call.started');
        rig.fake.faults.slowJobMs = 600;
        rig.fake.faults.slowJobMatch = (line) => line.startsWith('bgapi uuid_answer');
        await expect(fast.answer(callId)).rejects.toMatchObject({ code: 'PBX_TIMEOUT', message: expect.stringMatching(/no BACKGROUND_JOB within 250 ms/) });
        await r.next('call.answered', (e) => e.callId === callId);
        expect(rig.fake.subscribers).toBe(1);
        expect(fast.health()).toMatchObject({ state: 'connected', lastError: null });
      } finally {
        await fast.disconnect();
      }
    });
  });

  describe('channels gone mid-command', () => {
    it('a caller whose hangup events have not arrived: -ERROR and -ERR invalid session id are CALL_GONE; play ends unfinished; hangup ends it', async () => {
      const callId = await inbound();
      rig.fake.far.vanish(callId);
      await expect(rig.adapter.answer(callId)).rejects.toMatchObject({ name: 'AdapterError', code: 'CALL_GONE', message: expect.stringMatching(/-ERROR/) });
      await expect(rig.adapter.hold(callId, new AbortController().signal)).rejects.toMatchObject({ code: 'CALL_GONE', message: expect.stringMatching(/invalid session id/) });
      expect(await rig.adapter.play(callId, { id: 'p', text: 'x' }, new AbortController().signal)).toEqual({ completed: false });
      await rig.adapter.hangup(callId);
      expect(await rec.next('call.ended', (e) => e.callId === callId)).toMatchObject({ reason: 'system-hangup' });
      await rig.adapter.hangup(callId);
    });

    it('a phone that is not registered: originate fails at once, ringAgent rejects PBX_REJECTED and leaves no leg', async () => {
      const callId = await inbound();
      rig.fake.sw.unregistered.add('user/carol@pbx.example');
      await expect(rig.adapter.ringAgent(callId, 'user/carol@pbx.example')).rejects.toMatchObject({ code: 'PBX_REJECTED', message: expect.stringMatching(/USER_NOT_REGISTERED/) });
      expect(rig.adapter.state.legs.size).toBe(0);
      expect(rec.count('agent.ringing')).toBe(0);
    });

    it('a busy phone ends its leg busy; the caller stays', async () => {
      const callId = await inbound();
      const { legId } = await rig.adapter.ringAgent(callId, 'user/alice@pbx.example');
      rig.fake.far.rejectLeg(legId, 'USER_BUSY');
      expect(await rec.next('agent.leg.ended', (e) => e.legId === legId)).toMatchObject({ reason: 'busy' });
      expect(rec.count('call.ended')).toBe(0);
    });
  });

  describe('credentials and rejections', () => {
    it('a wrong password keeps the adapter disconnected with the reply as its last error, and it keeps trying', async () => {
      const bad = new FreeSwitchAdapter(adapterOptions(rig.fake, null, { password: 'nope' }));
      await bad.connect();
      try {
        expect(bad.health()).toMatchObject({ state: 'disconnected', lastError: 'authentication failed (-ERR invalid)' });
        // rig.adapter's one auth, then bad's first and at least one retry.
        await expect.poll(() => rig.fake.commands.filter((c) => c.line === 'auth ********').length).toBeGreaterThanOrEqual(3);
      } finally {
        await bad.disconnect();
      }
    });

    it('an ACL rejection (text/rude-rejection) is reported as such', async () => {
      rig.fake.faults.rudeRejection = true;
      const refused = new FreeSwitchAdapter(adapterOptions(rig.fake, null));
      await refused.connect();
      try {
        expect(refused.health().lastError).toMatch(/rude rejection \(apply-inbound-acl\): Access Denied, go away\./);
      } finally {
        await refused.disconnect();
      }
    });

    it('a malformed event frame is skipped; events of channels that are not ours map to nothing', async () => {
      const callId = await inbound();
      rig.fake.writeRaw('Content-Length: 5\nContent-Type: text/event-json\n\n{nope');
      const stranger = rig.fake.far.placeCall('+12025550111', '200', { app: null });
      rig.fake.far.pressDigits(stranger, '1');
      rig.fake.far.hangup(stranger);
      rig.fake.far.pressDigits(callId, '7');
      expect((await rec.next('call.dtmf')).digit).toBe('7');
      expect(rec.events.filter((e) => e.callId === stranger)).toEqual([]);
      expect(rig.adapter.health().state).toBe('connected');
    });
  });
});
