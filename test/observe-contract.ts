/**
 * The observe-mode contract: for adapters (or adapter modes) where the PBX routes
 * its own calls and Switchboard only watches phones ring (the generic HTTP CTI
 * adapter; Asterisk's observe mode). The call-control half of the PBX adapter
 * contract does not apply to them: instead, control MUST be refused clearly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PbxAdapter } from '../adapters/adapter.js';
import type { PbxEvent } from '../adapters/events.js';

export interface ObserveDriver {
  /** The PBX announces a call ringing `endpoint`. */
  ring(callId: string, from: string, to: string, endpoint: string): Promise<void>;
  answer(callId: string, endpoint: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  /** Sends the last event again, as a PBX retrying a request would. */
  repeatLast(): Promise<void>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

export function describeObserveContract(name: string, make: () => Promise<{ adapter: PbxAdapter; driver: ObserveDriver }>): void {
  describe(`observe-mode contract: ${name}`, () => {
    let adapter: PbxAdapter;
    let driver: ObserveDriver;
    let events: PbxEvent[];

    beforeEach(async () => {
      ({ adapter, driver } = await make());
      events = [];
      adapter.onEvent((e) => events.push(e));
      await adapter.connect();
    });
    afterEach(async () => {
      await adapter.disconnect();
    });

    it('reports connected health once connected, disconnected after', async () => {
      expect(adapter.health()).toMatchObject({ id: adapter.id, state: 'connected', lastError: null });
      await adapter.disconnect();
      expect(adapter.health().state).toBe('disconnected');
    });

    it('a call ringing, answered and ended gives one event each, in order, with the caller verbatim', async () => {
      await driver.ring('k1', '(415) 555-0123', '100', 'ext-201');
      await driver.answer('k1', 'ext-201');
      await driver.hangup('k1');
      await flush();
      expect(events.map((e) => e.type)).toEqual(['observed.ringing', 'observed.answered', 'observed.ended']);
      expect(events[0]).toMatchObject({ callId: 'k1', ani: '(415) 555-0123', dnis: '100', endpoint: 'ext-201' });
      const legs = new Set(events.map((e) => ('legId' in e ? e.legId : null)));
      expect(legs.size).toBe(1);
      for (const e of events) {
        expect(e.adapterId).toBe(adapter.id);
        expect(e.at).toMatch(ISO);
      }
    });

    it('a repeated event adds nothing', async () => {
      await driver.ring('k2', '+14155550123', '100', 'ext-201');
      await driver.repeatLast();
      await driver.answer('k2', 'ext-201');
      await driver.repeatLast();
      await driver.hangup('k2');
      await driver.repeatLast();
      await flush();
      expect(events.map((e) => e.type)).toEqual(['observed.ringing', 'observed.answered', 'observed.ended']);
    });

    it('ring-all: the phones that did not answer end when one answers', async () => {
      await driver.ring('k3', '+14155550123', '100', 'ext-201');
      await driver.ring('k3', '+14155550123', '100', 'ext-202');
      await driver.answer('k3', 'ext-202');
      await flush();
      const ended = events.filter((e) => e.type === 'observed.ended');
      expect(ended).toMatchObject([{ endpoint: 'ext-201' }]);
      await driver.hangup('k3');
      await flush();
      expect(events.filter((e) => e.type === 'observed.ended').map((e) => ('endpoint' in e ? e.endpoint : ''))).toEqual(['ext-201', 'ext-202']);
    });

    it('call control is refused with PBX_REJECTED: the PBX routes its own calls', async () => {
      const signal = new AbortController().signal;
      for (const attempt of [
        () => adapter.answer('k'),
        () => adapter.play('k', { id: 'p', text: 'x' }, signal),
        () => adapter.hold('k', signal),
        () => adapter.ringAgent('k', 'ext-201'),
        () => adapter.bridge('k', 'l'),
        () => adapter.hangup('k'),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ name: 'AdapterError', code: 'PBX_REJECTED' });
      }
    });
  });
}
