/**
 * What the FreeSWITCH adapter sends, command by command, against the fake Event
 * Socket: prompts through `sendmsg execute playback` and barge-in with
 * `uuid_break`, music on hold, the originate line, bridging after dropping queued
 * media, either side of a bridge hanging up the other, blind transfer
 * (`uuid_transfer`), voicemail (`uuid_record`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promptMedia } from '../../adapters/freeswitch/prompts.js';
import { recorder, startRig, type EslRig } from './helpers.js';

describe('FreeSWITCH adapter features', () => {
  let rig: EslRig;
  let rec: ReturnType<typeof recorder>;

  beforeEach(async () => {
    rig = await startRig({ prompts: { sounds: { 'menu.welcome': 'ivr/ivr-welcome.wav', 'menu.short': 'short.wav' } } });
    rec = recorder(rig.adapter);
    await rig.adapter.connect();
  });
  afterEach(async () => {
    const problems = [...rig.fake.problems];
    const stray = rig.fake.sw.strayBreaks;
    await rig.close();
    expect(problems).toEqual([]);
    expect(stray).toBe(0);
  });

  async function answered(from = '+14155550123', callerName?: string): Promise<string> {
    const callId = rig.fake.far.placeCall(from, '+18005550100', callerName ? { callerName } : {});
    await rec.next('call.started', (e) => e.callId === callId);
    await rig.adapter.answer(callId);
    return callId;
  }

  const lines = (): string[] => rig.fake.commands.map((c) => c.line);
  const executes = (callId: string) => rig.fake.emitted.filter((e) => e['Event-Name'] === 'CHANNEL_EXECUTE' && e['Unique-ID'] === callId);

  describe('prompts', () => {
    it('plays with sendmsg execute playback and our Event-UUID; ends on CHANNEL_EXECUTE_COMPLETE', async () => {
      const callId = await answered();
      expect(await rig.adapter.play(callId, { id: 'menu.short', text: 'x' }, new AbortController().signal)).toEqual({ completed: true });
      const sent = rig.fake.commands.find((c) => c.line === `sendmsg ${callId}`);
      expect(sent?.headers).toEqual({ 'call-command': 'execute', 'execute-app-name': 'playback', 'execute-app-arg': 'short.wav', 'event-lock': 'true', 'Event-UUID': expect.any(String) });
      expect(executes(callId)[0]).toMatchObject({ Application: 'playback', 'Application-UUID': sent?.headers['Event-UUID'] });
    });

    it('barge-in: a digit, the abort, one uuid_break while it plays; the next prompt still plays to its end', async () => {
      const callId = await answered();
      const ctl = new AbortController();
      const playing = rig.adapter.play(callId, { id: 'long', text: 'A long prompt. '.repeat(40) }, ctl.signal);
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_EXECUTE' && e['Unique-ID'] === callId);
      rig.fake.far.pressDigits(callId, '2');
      await rec.next('call.dtmf', (e) => e.digit === '2');
      ctl.abort();
      expect(await playing).toEqual({ completed: false });
      await rig.fake.waitForCommand((c) => c.line === `bgapi uuid_break ${callId}`);
      expect(await rig.adapter.play(callId, { id: 'menu.short', text: 'x' }, new AbortController().signal)).toEqual({ completed: true });
      expect(lines().filter((l) => l.startsWith('bgapi uuid_break'))).toHaveLength(1);
    });

    it('stopped before it started: broken as soon as CHANNEL_EXECUTE arrives, never before', async () => {
      const callId = await answered();
      const ctl = new AbortController();
      const playing = rig.adapter.play(callId, { id: 'menu.welcome', text: 'x' }, ctl.signal);
      ctl.abort();
      expect(await playing).toEqual({ completed: false });
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Unique-ID'] === callId);
      expect(lines().filter((l) => l.startsWith('bgapi uuid_break'))).toHaveLength(1);
    });

    it('a file FreeSWITCH cannot open rejects with PBX_REJECTED; a prompt with no media configured is INVALID_REQUEST', async () => {
      const callId = await answered();
      await expect(rig.adapter.play(callId, { id: 'p', text: 'x', media: 'ivr/missing.wav' }, new AbortController().signal)).rejects.toMatchObject({ code: 'PBX_REJECTED', message: expect.stringMatching(/FILE NOT FOUND/) });
      expect(promptMedia({ id: 'p', text: 'x' }, { sounds: {} })).toBeNull();
      expect(promptMedia({ id: 'p', text: 'Hi there', language: 'de' }, { sounds: {}, urlTemplate: 'http://tts/{id}/{hash}.wav?t={text}&l={lang}' })).toMatch(/^http_cache:\/\/http:\/\/tts\/p\/[0-9a-f]{16}\.wav\?t=Hi%20there&l=de$/);
      expect(promptMedia({ id: 'p', text: 'x' }, { sounds: {}, render: () => 'http://10.0.0.2:3000/prompts/ab.wav' })).toBe('http_cache://http://10.0.0.2:3000/prompts/ab.wav');
      expect(promptMedia({ id: 'p', text: 'x', media: 'tone_stream://%(200,0,800)' }, { sounds: { p: 'other.wav' } })).toBe('tone_stream://%(200,0,800)');
    });
  });

  describe('agents', () => {
    it('originates with our leg id, the caller on the phone display, FreeSWITCH own ring limit, and &park()', async () => {
      const callId = await answered('+14155550123', "Ada O'Brien, Ltd");
      const { legId } = await rig.adapter.ringAgent(callId, 'user/alice@pbx.example');
      const line = lines().find((l) => l.startsWith('bgapi originate')) ?? '';
      expect(line).toBe(
        `bgapi originate {origination_uuid=${legId},switchboard_leg=${callId},originate_timeout=30,origination_caller_id_number=+14155550123,origination_caller_id_name='Ada OBrien Ltd'}user/alice@pbx.example &park()`,
      );
      expect(rig.fake.sw.channels.get(legId)?.cidName).toBe('Ada OBrien Ltd');
      await expect(rig.adapter.ringAgent(callId, 'user/alice bob')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('hold, then a queued prompt; the bridge drops both (uuid_break all) before uuid_bridge; the agent hanging up ends the caller', async () => {
      const callId = await answered();
      const music = new AbortController();
      await rig.adapter.hold(callId, music.signal);
      const queued = rig.adapter.play(callId, { id: 'menu.welcome', text: 'x' }, new AbortController().signal);
      const { legId } = await rig.adapter.ringAgent(callId, 'user/bob@pbx.example');
      rig.fake.far.answerLeg(legId);
      await rec.next('agent.answered', (e) => e.legId === legId);
      await rig.adapter.bridge(callId, legId);
      expect(await queued).toEqual({ completed: false });
      await rec.next('call.connected', (e) => e.legId === legId);
      const l = lines();
      expect(l.indexOf(`bgapi uuid_break ${callId} all`)).toBeGreaterThan(-1);
      expect(l.indexOf(`bgapi uuid_break ${callId} all`)).toBeLessThan(l.indexOf(`bgapi uuid_bridge ${callId} ${legId}`));
      music.abort(); // the hold loop lets go late: nothing left to stop
      rig.fake.far.hangup(legId);
      expect(await rec.next('call.ended', (e) => e.callId === callId)).toMatchObject({ reason: 'agent-hangup' });
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === callId);
      expect(rec.count('agent.leg.ended')).toBe(0);
    });

    it('the caller hanging up a bridged call hangs the agent up too', async () => {
      const callId = await answered();
      const { legId } = await rig.adapter.ringAgent(callId, 'user/bob@pbx.example');
      rig.fake.far.answerLeg(legId);
      await rec.next('agent.answered');
      await rig.adapter.bridge(callId, legId);
      rig.fake.far.hangup(callId);
      expect(await rec.next('call.ended')).toMatchObject({ reason: 'caller-hangup' });
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP' && e['Unique-ID'] === legId && e['Hangup-Cause'] === 'NORMAL_CLEARING');
    });

    it('a leg cancelled at once is hung up with ORIGINATOR_CANCEL and ends as system-hangup', async () => {
      const callId = await answered();
      const { legId } = await rig.adapter.ringAgent(callId, 'user/bob@pbx.example');
      await rig.adapter.cancelAgentLeg(legId);
      expect(await rec.next('agent.leg.ended', (e) => e.legId === legId)).toMatchObject({ reason: 'system-hangup' });
      expect(lines()).toContain(`bgapi uuid_kill ${legId} ORIGINATOR_CANCEL`);
    });
  });

  describe('transfer and voicemail', () => {
    it('blind transfer: uuid_transfer into the context; the call ends once, as transferred; bad numbers are refused', async () => {
      const callId = await answered();
      await expect(rig.adapter.transfer(callId, '0800; rm')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await rig.adapter.transfer(callId, '+442079460958');
      expect(await rec.next('call.ended', (e) => e.callId === callId)).toMatchObject({ reason: 'transferred' });
      expect(rig.fake.sw.transfers).toEqual([{ uuid: callId, dest: '+442079460958', context: 'switchboard-transfer' }]);
      rig.fake.far.hangup(callId); // the transferred call ends later, elsewhere
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === callId);
      await rig.adapter.answer((await answered('+12125550100')));
      expect(rec.count('call.ended', callId)).toBe(1);
    });

    it('records until #, until aborted, and through a hangup, keeping the file each time', async () => {
      const callId = await answered();
      const until = rig.adapter.record(callId, { maxSeconds: 120, name: 'voicemail-a' }, new AbortController().signal);
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'RECORD_START');
      rig.fake.far.pressDigits(callId, '#');
      expect(await until).toEqual({ recording: '/var/lib/freeswitch/recordings/voicemail-a.wav' });
      expect(lines()).toContain(`bgapi uuid_record ${callId} start /var/lib/freeswitch/recordings/voicemail-a.wav 120`);

      const ctl = new AbortController();
      const aborted = rig.adapter.record(callId, { maxSeconds: 60, name: 'voicemail-b' }, ctl.signal);
      ctl.abort();
      expect(await aborted).toEqual({ recording: '/var/lib/freeswitch/recordings/voicemail-b.wav' });

      const hungUp = rig.adapter.record(callId, { maxSeconds: 60, name: 'voicemail-c' }, new AbortController().signal);
      await rig.fake.waitForEvent((e) => e['Event-Name'] === 'RECORD_START' && e['Record-File-Path']?.endsWith('voicemail-c.wav') === true);
      rig.fake.far.hangup(callId);
      expect(await hungUp).toEqual({ recording: '/var/lib/freeswitch/recordings/voicemail-c.wav' });
      expect(Object.fromEntries(rig.fake.sw.recorded)).toEqual({
        '/var/lib/freeswitch/recordings/voicemail-a.wav': 'stopped',
        '/var/lib/freeswitch/recordings/voicemail-b.wav': 'stopped',
        '/var/lib/freeswitch/recordings/voicemail-c.wav': 'hangup',
      });
    });
  });
});
