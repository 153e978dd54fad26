/**
 * The Asterisk adapter under each fault switch of the fake ARI server: a dropped
 * events socket, Asterisk down and restarted, 500 and 503 replies, slow replies, a
 * socket hang-up, duplicated and reordered events, events before replies, a channel
 * gone mid-command (404), no application connected (603 to the caller), bad
 * credentials. Waits are on events and requests, never on sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterHealth } from '../../adapters/adapter.js';
import type { PbxEvent } from '../../adapters/events.js';
import { AsteriskAdapter } from '../../adapters/asterisk/asterisk-adapter.js';
import { adapterOptions, startRig, type AriRig } from './helpers.js';

type EventOf<T extends PbxEvent['type']> = Extract<PbxEvent, { type: T }>;

/** Records an adapter's events and states; waits on them. */
function recorder(adapter: AsteriskAdapter) {
  const events: PbxEvent[] = [];
  const states: AdapterHealth[] = [];
  const waiters = new Set<() => void>();
  const poke = (): void => waiters.forEach((w) => w());
  adapter.onEvent((e) => {
    events.push(e);
    poke();
  });
  adapter.onStateChange((h) => {
    states.push(h);
    poke();
  });
  const until = <T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = find();
        if (v === undefined) return;
        clearTimeout(t);
        waiters.delete(check);
        resolve(v);
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; events: ${events.map((e) => e.type).join(', ')}; states: ${states.map((s) => s.state).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    events,
    states,
    next: <T extends PbxEvent['type']>(type: T, pred: (e: EventOf<T>) => boolean = () => true) =>
      until(() => events.find((e): e is EventOf<T> => e.type === type && pred(e as EventOf<T>)), type),
    state: (state: AdapterHealth['state'], from = 0) => until(() => states.slice(from).find((s) => s.state === state), `state ${state}`),
    count: (type: PbxEvent['type'], callId?: string) => events.filter((e) => e.type === type && (callId === undefined || e.callId === callId)).length,
  };
}

describe('Asterisk adapter under faults', () => {
  let rig: AriRig;
  let rec: ReturnType<typeof recorder>;

  beforeEach(async () => {
    rig = await startRig();
    rec = recorder(rig.adapter);
    await rig.adapter.connect();
  });
  afterEach(async () => {
    const problems = rig.problems();
    await rig.close();
    expect(problems).toEqual([]);
  });

  async function inbound(from = '+14155550123'): Promise<string> {
    const r = rig.fake.far.placeCall(from, '+18005550100');
    if (r.declined) throw new Error('declined');
    await rec.next('call.started', (e) => e.callId === r.channelId);
    return r.channelId;
  }

  async function answeredLeg(callId: string): Promise<string> {
    const { legId } = await rig.adapter.ringAgent(callId, 'PJSIP/alice');
    await rig.fake.waitForEvent((e) => e.type === 'ChannelStateChange' && e.channel.id === legId && e.channel.state === 'Ringing');
    rig.fake.far.answerLeg(legId);
    await rec.next('agent.answered', (e) => e.legId === legId);
    return legId;
  }

  describe('dropped events socket', () => {
    it('reconnects, reports disconnected -> connecting -> connected with the last error, and misses nothing that matters', async () => {
      const callId = await inbound();
      await rig.adapter.answer(callId);
      const { legId } = await rig.adapter.ringAgent(callId, 'PJSIP/alice');
      const mark = rec.states.length;
      const reconnected = rig.fake.appConnected();
      rig.fake.dropSockets();
      const down = await rec.state('disconnected', mark);
      expect(down.lastError).toMatch(/closed|reset|socket/i);
      expect(rig.adapter.health().state).not.toBe('connected');
      // While the socket is down the agent answers and a second caller hangs up: their events are lost.
      rig.fake.far.answerLeg(legId);
      await reconnected;
      await rec.state('connected', mark);
      expect(rig.adapter.health().lastError).toBeNull();
      expect(rec.states.slice(mark).map((s) => s.state)).toEqual(['disconnected', 'connecting', 'connected']);
      // The resync read the channels back and reported the answer it missed.
      await rec.next('agent.answered', (e) => e.legId === legId);
      expect(rig.fake.requests.filter((r) => r.key === 'GET /channels').length).toBeGreaterThanOrEqual(2);
      expect(rig.fake.requests.filter((r) => r.key === 'GET /bridges').length).toBeGreaterThanOrEqual(2);
      await rig.adapter.bridge(callId, legId);
      await rec.next('call.connected', (e) => e.callId === callId);
    });

    it('a caller who hung up while the socket was down ends at the resync', async () => {
      const callId = await inbound();
      const reconnected = rig.fake.appConnected();
      rig.fake.dropSockets();
      await rec.state('disconnected');
      rig.fake.far.hangup(callId); // Asterisk drops these events: no application is connected
      await reconnected;
      const ended = await rec.next('call.ended', (e) => e.callId === callId);
      expect(ended.reason).toBe('caller-hangup');
      expect(rec.count('call.ended', callId)).toBe(1);
    });

    it('a call still in the application after a connector restart is adopted', async () => {
      const callId = await inbound();
      await rig.adapter.disconnect();
      const second = new AsteriskAdapter(adapterOptions(rig.fake, rig.prompts));
      const rec2 = recorder(second);
      await second.connect();
      try {
        const started = await rec2.next('call.started', (e) => e.callId === callId);
        expect(started).toMatchObject({ ani: '+14155550123', dnis: '+18005550100' });
        await second.answer(callId);
        await rec2.next('call.answered', (e) => e.callId === callId);
      } finally {
        await second.disconnect();
      }
    });
  });

  describe('Asterisk down', () => {
    it('retries with backoff and never gives up; after a restart every call it knew has ended', async () => {
      const callId = await inbound();
      const mark = rec.states.length;
      await rig.fake.down({ restart: true });
      await rec.state('disconnected', mark);
      // Several failed attempts (connection refused), each reported with its error.
      await rec.state('connecting', mark);
      const refusedAt = rec.states.length;
      await rec.state('disconnected', refusedAt);
      expect(rec.states.at(-1)?.lastError).toMatch(/ECONNREFUSED|refused/i);
      const reconnected = rig.fake.appConnected();
      await rig.fake.up();
      await reconnected;
      await rec.state('connected', refusedAt);
      const ended = await rec.next('call.ended', (e) => e.callId === callId);
      expect(['caller-hangup', 'failed', 'system-hangup']).toContain(ended.reason);
      // And new calls work again.
      const again = await inbound('+12125550100');
      await rig.adapter.answer(again);
    });
  });

  describe('5xx replies', () => {
    it('503 on answer rejects with PBX_UNAVAILABLE; the call can still be answered afterwards', async () => {
      const callId = await inbound();
      rig.fake.failNext(503, { match: (k) => k === 'POST /channels/{channelId}/answer' });
      await expect(rig.adapter.answer(callId)).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE', httpStatus: 503 });
      await rig.adapter.answer(callId);
      await rec.next('call.answered', (e) => e.callId === callId);
    });

    it('500 on originate rejects ringAgent with PBX_REJECTED and leaves no leg behind', async () => {
      const callId = await inbound();
      rig.fake.failNext(500, { match: (k) => k === 'POST /channels/{channelId}' });
      await expect(rig.adapter.ringAgent(callId, 'PJSIP/alice')).rejects.toMatchObject({ code: 'PBX_REJECTED', httpStatus: 500 });
      expect(rig.adapter.state.legs.size).toBe(0);
      expect(rec.count('agent.ringing')).toBe(0);
    });

    it('503 on the resync leaves the adapter connected with the error reported, and the next resync recovers', async () => {
      const callId = await inbound();
      rig.fake.failNext(503, { match: (k) => k === 'GET /channels' });
      const mark = rec.states.length;
      const reconnected = rig.fake.appConnected();
      rig.fake.dropSockets();
      await reconnected;
      const up = await rec.state('connected', mark);
      expect(up.lastError).toMatch(/resync.*503/);
      rig.fake.far.hangup(callId);
      await rec.next('call.ended', (e) => e.callId === callId);
    });
  });

  describe('slow replies and timeouts', () => {
    it('a reply slower than requestTimeoutMs rejects with PBX_TIMEOUT', async () => {
      await rig.adapter.disconnect();
      const fast = new AsteriskAdapter(adapterOptions(rig.fake, rig.prompts, { requestTimeoutMs: 250 }));
      const r2 = recorder(fast);
      await fast.connect();
      try {
        const placed = rig.fake.far.placeCall('+14155550123', '100');
        if (placed.declined) throw new Error('declined');
        await r2.next('call.started');
        rig.fake.faults.slowReplyMs = 1_000;
        rig.fake.faults.slowMatch = (k) => k === 'POST /channels/{channelId}/answer';
        await expect(fast.answer(placed.channelId)).rejects.toMatchObject({ code: 'PBX_TIMEOUT' });
        // The late request still ran on Asterisk (the call is answered); a fast one succeeds.
        rig.fake.faults.slowReplyMs = 0;
        await rig.fake.waitForRequest((r) => r.key === 'POST /channels/{channelId}/answer' && r.status === 204);
        await fast.answer(placed.channelId);
      } finally {
        await fast.disconnect();
      }
    });
  });

  describe('socket hang-up on a reused connection', () => {
    it('an idempotent request is retried once', async () => {
      rig.fake.hangUpNext((k) => k === 'GET /asterisk/info');
      const info = await rig.adapter.rest.call('GET /asterisk/info');
      expect(info.system?.version).toBe('22.10.1');
      expect(rig.adapter.rest.retries).toBe(1);
    });

    it('a non-idempotent request is not retried', async () => {
      const callId = await inbound();
      rig.fake.hangUpNext((k) => k === 'POST /channels/{channelId}');
      await expect(rig.adapter.ringAgent(callId, 'PJSIP/alice')).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
      expect(rig.adapter.rest.retries).toBe(0);
    });
  });

  describe('duplicated and reordered events', () => {
    it('duplicates are dropped: each digit once, one answer, one end', async () => {
      rig.fake.faults.duplicateEvents = true;
      const callId = await inbound();
      await rig.adapter.answer(callId);
      rig.fake.far.pressDigits(callId, '12');
      await rec.next('call.dtmf', (e) => e.digit === '2');
      rig.fake.far.hangup(callId);
      await rec.next('call.ended', (e) => e.callId === callId);
      expect(rec.events.filter((e) => e.type === 'call.dtmf').map((e) => (e as EventOf<'call.dtmf'>).digit)).toEqual(['1', '2']);
      expect(rec.count('call.started', callId)).toBe(1);
      expect(rec.count('call.answered', callId)).toBe(1);
      expect(rec.count('call.ended', callId)).toBe(1);
    });

    it('reordered: StasisStart of an answered leg before its state change, and a playback finishing before it started', async () => {
      rig.fake.faults.reorderEvents = true;
      const callId = await inbound();
      await rig.adapter.answer(callId);
      rig.fake.pbx.sounds.set('short', 20);
      expect(await rig.adapter.play(callId, { id: 'p', text: 'x', media: 'sound:short' }, new AbortController().signal)).toEqual({ completed: true });
      const legId = await answeredLeg(callId);
      await rig.adapter.bridge(callId, legId);
      rig.fake.far.hangup(legId);
      const ended = await rec.next('call.ended', (e) => e.callId === callId);
      expect(ended.reason).toBe('agent-hangup');
      expect(rec.count('agent.answered')).toBe(1);
      expect(rec.count('agent.leg.ended')).toBe(0); // a bridged leg's end is the call's end
    });
  });

  describe('events before replies', () => {
    for (const order of ['before', 'after'] as const) {
      it(`answer, play and hangup work with events ${order} the reply, each emitted once`, async () => {
        rig.fake.faults.eventOrder = order;
        const callId = await inbound();
        let answerResolved = false;
        const answering = rig.adapter.answer(callId).then(() => (answerResolved = true));
        const answered = await rec.next('call.answered', (e) => e.callId === callId);
        // Asterisk 22 sends ChannelStateChange Up before the 204: the event is out before answer() resolves.
        if (order === 'before') expect(answerResolved).toBe(false);
        await answering;
        expect(answered.callId).toBe(callId);
        rig.fake.pbx.sounds.set('short', 20);
        expect(await rig.adapter.play(callId, { id: 'p', text: 'x', media: 'sound:short' }, new AbortController().signal)).toEqual({ completed: true });
        // On the fake's clock: PlaybackStarted before (or after) the 201 of play, StasisEnd before (or after) the 204 of DELETE.
        const at = (type: string): number => rig.fake.writtenAt.get(rig.fake.pbx.emitted.find((e) => e.type === type) ?? {}) ?? NaN;
        const replied = (key: string): number => rig.fake.requests.find((r) => r.key === key)?.repliedAt ?? NaN;
        const playReplied = replied('POST /channels/{channelId}/play/{playbackId}');
        expect(order === 'before' ? at('PlaybackStarted') < playReplied : at('PlaybackStarted') > playReplied).toBe(true);
        await rig.adapter.hangup(callId);
        // call.ended comes from the StasisEnd, so the event has been written by now in either order.
        const ended = await rec.next('call.ended', (e) => e.callId === callId);
        expect(ended.reason).toBe('system-hangup');
        const deleteReplied = replied('DELETE /channels/{channelId}');
        expect(order === 'before' ? at('StasisEnd') < deleteReplied : at('StasisEnd') > deleteReplied).toBe(true);
        const upAt = rig.fake.writtenAt.get(rig.fake.pbx.emitted.find((e) => e.type === 'ChannelStateChange' && (e.channel as { state: string }).state === 'Up') ?? {}) ?? NaN;
        expect(order === 'before' ? upAt < replied('POST /channels/{channelId}/answer') : upAt > replied('POST /channels/{channelId}/answer')).toBe(true);
        expect(rec.count('call.answered', callId)).toBe(1);
        expect(rec.count('call.ended', callId)).toBe(1);
      });
    }
  });

  describe('a channel gone mid-command (404)', () => {
    it('answer on a channel that hangs up as the request arrives rejects with CALL_GONE, then the call ends', async () => {
      const callId = await inbound();
      rig.fake.channelGoneOnNext((k) => k === 'POST /channels/{channelId}/answer');
      await expect(rig.adapter.answer(callId)).rejects.toMatchObject({ name: 'AdapterError', code: 'CALL_GONE' });
      await rec.next('call.ended', (e) => e.callId === callId);
    });

    it('a channel whose hangup events have not arrived yet: 404 -> CALL_GONE for answer, hold and ringAgent; play ends unfinished', async () => {
      const callId = await inbound();
      rig.fake.pbx.vanish(callId);
      await expect(rig.adapter.answer(callId)).rejects.toMatchObject({ code: 'CALL_GONE', httpStatus: 404 });
      await expect(rig.adapter.hold(callId, new AbortController().signal)).rejects.toMatchObject({ code: 'CALL_GONE' });
      await expect(rig.adapter.ringAgent(callId, 'PJSIP/alice')).rejects.toMatchObject({ code: 'CALL_GONE' });
      expect(await rig.adapter.play(callId, { id: 'p', text: 'x', media: 'sound:beep' }, new AbortController().signal)).toEqual({ completed: false });
      await rig.adapter.hangup(callId); // idempotent on a gone channel
    });
  });

  describe('malformed frames', () => {
    it('a frame that is not JSON, or an event missing its channel, is logged and skipped; the socket stays up', async () => {
      const callId = await inbound();
      const ws = [...(rig.fake as unknown as { wss: { clients: Set<{ send(t: string): void }> } }).wss.clients][0];
      ws?.send('not json');
      ws?.send(JSON.stringify({ type: 'ChannelDtmfReceived', timestamp: '2025-05-01T10:00:00.000+0000', application: 'switchboard', digit: '1' }));
      rig.fake.far.pressDigits(callId, '7');
      expect((await rec.next('call.dtmf', (e) => e.callId === callId)).digit).toBe('7');
      expect(rig.adapter.health().state).toBe('connected');
    });
  });

  describe('no application connected', () => {
    it('the caller gets 603 Decline from Stasis: the dialplan needs a fallback', async () => {
      await rig.adapter.disconnect();
      expect(rig.fake.isConnected()).toBe(false);
      expect(rig.fake.far.placeCall('+14155550123', '100')).toEqual({ channelId: null, declined: true, sipStatus: 603 });
    });
  });

  describe('credentials', () => {
    it('a wrong password keeps the adapter disconnected with the 401 as its last error; api_key works', async () => {
      const bad = new AsteriskAdapter(adapterOptions(rig.fake, null, { credentials: { username: 'switchboard', password: 'nope', mode: 'basic' } }));
      const r = recorder(bad);
      await bad.connect();
      expect(bad.health()).toMatchObject({ state: 'disconnected', lastError: expect.stringMatching(/401/) });
      await bad.disconnect();
      expect(r.states.at(-1)?.state).toBe('disconnected');

      const keyed = new AsteriskAdapter(adapterOptions(rig.fake, null, { credentials: { username: 'switchboard', password: 'secret', mode: 'api_key' } }));
      await keyed.connect();
      try {
        expect(keyed.health().state).toBe('connected');
        expect((await keyed.rest.call('GET /asterisk/info')).system?.version).toBe('22.10.1');
      } finally {
        await keyed.disconnect();
      }
    });
  });
});
