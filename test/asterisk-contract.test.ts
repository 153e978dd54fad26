/**
 * The Asterisk adapter passes the shared PBX adapter contract against the fake ARI
 * server, which validates every request against Asterisk 22's Swagger files and
 * shapes its events by events.json. The driver plays the caller on the trunk and
 * the agent's phone through the fake. The suite runs four times: with events
 * before the HTTP replies that caused them (as Asterisk 22 usually sends them),
 * after them, every event duplicated, and consecutive events swapped.
 */
import { expect } from 'vitest';
import { describeAdapterContract } from './adapter-contract.js';
import type { Faults } from './asterisk/fake-ari/server.js';
import { startRig } from './asterisk/helpers.js';

const MODES: Array<[string, Partial<Faults>]> = [
  ['events before replies', { eventOrder: 'before' }],
  ['events after replies', { eventOrder: 'after' }],
  ['every event duplicated', { duplicateEvents: true }],
  ['consecutive events swapped', { reorderEvents: true }],
];

for (const [mode, faults] of MODES) {
  describeAdapterContract(`asterisk (fake ARI, ${mode})`, async () => {
    const rig = await startRig();
    const { fake } = rig;
    Object.assign(fake.faults, faults);
    return {
      adapter: rig.adapter,
      driver: {
        placeCall: async (from, to) => {
          const r = fake.far.placeCall(from, to);
          if (r.declined) throw new Error('the fake declined the call: no application connected');
        },
        pressDigits: async (callId, digits) => fake.far.pressDigits(callId, digits),
        callerHangup: async (callId) => fake.far.hangup(callId),
        agentAnswers: async (legId) => fake.far.answerLeg(legId),
        agentRejects: async (legId) => fake.far.rejectLeg(legId),
      },
      close: async () => {
        const problems = rig.problems();
        await rig.close();
        expect(problems).toEqual([]);
      },
    };
  });
}
