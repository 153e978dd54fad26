/**
 * The PBX adapter contract suite. Every adapter (simulator, Asterisk ARI,
 * FreeSWITCH ESL, Twilio, generic HTTP) runs these same tests; a `ContractDriver`
 * plays the far side (the caller and the agent's phone) over that adapter's wire
 * protocol, or its fake.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterHealth, PbxAdapter } from '../adapters/adapter.js';
import { AdapterError } from '../adapters/errors.js';
import type { PbxEvent } from '../adapters/events.js';

export interface ContractDriver {
  /** A caller dials in; resolves once the call is placed (the adapter's event follows). */
  placeCall(from: string, to: string): Promise<void>;
  pressDigits(callId: string, digits: string): Promise<void>;
  callerHangup(callId: string): Promise<void>;
  /** The agent's phone picks up / rejects. */
  agentAnswers(legId: string): Promise<void>;
  agentRejects(legId: string): Promise<void>;
}

export interface ContractSubject {
  adapter: PbxAdapter;
  driver: ContractDriver;
  close(): Promise<void>;
}

type EventOf<T extends PbxEvent['type']> = Extract<PbxEvent, { type: T }>;

class EventLog {
  readonly events: PbxEvent[] = [];
  private waiters: Array<() => void> = [];

  push(e: PbxEvent): void {
    this.events.push(e);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for the first event of `type` matching `pred` (already seen or still to come). */
  async next<T extends PbxEvent['type']>(type: T, pred: (e: EventOf<T>) => boolean = () => true, timeoutMs = 3_000): Promise<EventOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e): e is EventOf<T> => e.type === type && pred(e as EventOf<T>));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} event within ${timeoutMs} ms; saw: ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * What an adapter does with `hold()` on a call bridged to an agent: `music` (the caller
 * hears it, the bridge stays), or `refuses` (PBX_REJECTED at once: its PBX cannot).
 */
export interface ContractOptions {
  holdWhileBridged?: 'music' | 'refuses';
}

export function describeAdapterContract(name: string, make: () => Promise<ContractSubject>, opts: ContractOptions = {}): void {
  describe(`PBX adapter contract: ${name}`, () => {
    let s: ContractSubject;
    let log: EventLog;
    let states: AdapterHealth[];

    beforeEach(async () => {
      s = await make();
      log = new EventLog();
      states = [];
      s.adapter.onEvent((e) => log.push(e));
      s.adapter.onStateChange((h) => states.push(h));
      await s.adapter.connect();
    });
    afterEach(async () => {
      await s.adapter.disconnect();
      await s.close();
    });

    async function inbound(from = '+14155550123', to = '+18005550100'): Promise<string> {
      await s.driver.placeCall(from, to);
      return (await log.next('call.started', (e) => e.ani === from)).callId;
    }

    async function ringing(callId: string): Promise<string> {
      const { legId } = await s.adapter.ringAgent(callId, 'sim/alice');
      await log.next('agent.ringing', (e) => e.legId === legId);
      return legId;
    }

    it('reports connected health once connected', () => {
      const h = s.adapter.health();
      expect(h).toMatchObject({ id: s.adapter.id, kind: s.adapter.kind, state: 'connected', lastError: null });
      expect(h.since).toMatch(ISO);
    });

    it('an inbound call arrives as call.started with the ANI and DNIS verbatim', async () => {
      await s.driver.placeCall('anonymous', '100');
      const e = await log.next('call.started');
      expect(e).toMatchObject({ type: 'call.started', adapterId: s.adapter.id, ani: 'anonymous', dnis: '100' });
      expect(e.callId).toEqual(expect.any(String));
      expect(e.at).toMatch(ISO);
    });

    it('answer resolves once answered and emits call.answered', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      await log.next('call.answered', (e) => e.callId === callId);
    });

    it('digits pressed during a playback arrive as call.dtmf; the playback then ends on abort', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const ctl = new AbortController();
      const playing = s.adapter.play(callId, { id: 'p', text: 'A long prompt. '.repeat(50) }, ctl.signal);
      await s.driver.pressDigits(callId, '1#');
      const d1 = await log.next('call.dtmf', (e) => e.callId === callId && e.digit === '1');
      await log.next('call.dtmf', (e) => e.callId === callId && e.digit === '#');
      expect(log.events.indexOf(d1)).toBeLessThan(log.events.findIndex((e) => e.type === 'call.dtmf' && e.digit === '#'));
      ctl.abort();
      expect(await playing).toEqual({ completed: false });
    });

    it('a short playback runs to its end', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      expect(await s.adapter.play(callId, { id: 'p', text: 'Hi.' }, new AbortController().signal)).toEqual({ completed: true });
    });

    it('an already aborted signal plays nothing', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const ctl = new AbortController();
      ctl.abort();
      expect(await s.adapter.play(callId, { id: 'p', text: 'Never heard.' }, ctl.signal)).toEqual({ completed: false });
    });

    it('hold resolves once started and stops on abort', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const ctl = new AbortController();
      await s.adapter.hold(callId, ctl.signal);
      ctl.abort();
    });

    it(`hold on a bridged call (call waiting) ${opts.holdWhileBridged === 'refuses' ? 'refuses at once (PBX_REJECTED)' : 'starts music'}; never hangs nor ends the call`, async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.driver.agentAnswers(legId);
      await log.next('agent.answered', (e) => e.legId === legId);
      await s.adapter.bridge(callId, legId);
      await log.next('call.connected', (e) => e.callId === callId);
      const ctl = new AbortController();
      const outcome = await Promise.race([
        s.adapter.hold(callId, ctl.signal).then(
          () => 'started',
          (err: unknown) => (err instanceof AdapterError ? err.code : String(err)),
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 3 s'), 3_000)),
      ]);
      expect(outcome).toBe(opts.holdWhileBridged === 'refuses' ? 'PBX_REJECTED' : 'started');
      ctl.abort();
      await new Promise((r) => setTimeout(r, 100));
      expect(log.events.filter((e) => e.type === 'call.ended' || e.type === 'agent.leg.ended')).toEqual([]);
    });

    it('rings an agent, the agent answers, bridge connects the call', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.driver.agentAnswers(legId);
      await log.next('agent.answered', (e) => e.legId === legId && e.callId === callId);
      await s.adapter.bridge(callId, legId);
      await log.next('call.connected', (e) => e.legId === legId && e.callId === callId);
    });

    it('an agent phone that rejects ends the leg with agent.leg.ended, the call stays', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.driver.agentRejects(legId);
      const e = await log.next('agent.leg.ended', (x) => x.legId === legId);
      expect(e.reason).not.toBe('caller-hangup');
      expect(log.events.some((x) => x.type === 'call.ended')).toBe(false);
    });

    it('cancelling a ringing leg is idempotent and leaves the call up', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.adapter.cancelAgentLeg(legId);
      await s.adapter.cancelAgentLeg(legId);
      await log.next('agent.leg.ended', (x) => x.legId === legId);
      await s.adapter.play(callId, { id: 'p', text: 'Still here.' }, new AbortController().signal);
    });

    it('bridging a leg that was not answered is refused', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await expect(s.adapter.bridge(callId, legId)).rejects.toBeInstanceOf(AdapterError);
    });

    it('the caller hanging up emits call.ended caller-hangup, before the end of any agent leg', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.driver.callerHangup(callId);
      const ended = await log.next('call.ended', (e) => e.callId === callId);
      expect(ended.reason).toBe('caller-hangup');
      const legEnd = log.events.findIndex((e) => e.type === 'agent.leg.ended' && e.legId === legId);
      if (legEnd !== -1) expect(legEnd).toBeGreaterThan(log.events.indexOf(ended));
    });

    it('hangup ends the call and its agent leg, and is idempotent', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const legId = await ringing(callId);
      await s.driver.agentAnswers(legId);
      await log.next('agent.answered', (e) => e.legId === legId);
      await s.adapter.bridge(callId, legId);
      await s.adapter.hangup(callId);
      await s.adapter.hangup(callId);
      await log.next('call.ended', (e) => e.callId === callId);
      expect(log.events.filter((e) => e.type === 'call.ended' && e.callId === callId)).toHaveLength(1);
    });

    it('commands on a call that is gone reject with CALL_GONE', async () => {
      const callId = await inbound();
      await s.driver.callerHangup(callId);
      await log.next('call.ended', (e) => e.callId === callId);
      for (const attempt of [
        () => s.adapter.answer(callId),
        () => s.adapter.play(callId, { id: 'p', text: 'x' }, new AbortController().signal),
        () => s.adapter.ringAgent(callId, 'sim/alice'),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ name: 'AdapterError', code: 'CALL_GONE' });
      }
    });

    it('a playback in progress ends when the caller hangs up', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      const playing = s.adapter.play(callId, { id: 'p', text: 'A long prompt. '.repeat(50) }, new AbortController().signal);
      await s.driver.callerHangup(callId);
      expect(await playing).toEqual({ completed: false });
    });

    it('every event names its adapter and carries an ISO time', async () => {
      const callId = await inbound();
      await s.adapter.answer(callId);
      await s.driver.callerHangup(callId);
      await log.next('call.ended');
      for (const e of log.events) {
        expect(e.adapterId).toBe(s.adapter.id);
        expect(e.at).toMatch(ISO);
      }
    });

    it('disconnect reports disconnected', async () => {
      await s.adapter.disconnect();
      expect(s.adapter.health().state).toBe('disconnected');
      expect(states.at(-1)?.state).toBe('disconnected');
    });
  });
}
