/**
 * The FreeSWITCH adapter passes the shared PBX adapter contract against the fake
 * Event Socket, which writes the literal protocol text. The driver plays the caller
 * on the trunk and the agent's phone through the fake. The suite runs four times:
 * frames written one per write, several frames coalesced into one write, every
 * frame split into 7-byte writes, and every event duplicated.
 */
import { expect } from 'vitest';
import { describeAdapterContract } from './adapter-contract.js';
import type { EslFaults } from './freeswitch/fake-esl/server.js';
import { startRig } from './freeswitch/helpers.js';

const MODES: Array<[string, Partial<EslFaults>]> = [
  ['one frame per write', {}],
  ['frames coalesced into one write', { coalesce: true }],
  ['frames split into 7-byte writes', { splitBytes: 7 }],
  ['every event duplicated', { duplicateEvents: true }],
];

for (const [mode, faults] of MODES) {
  describeAdapterContract(`freeswitch (fake Event Socket, ${mode})`, async () => {
    const rig = await startRig();
    const { fake } = rig;
    Object.assign(fake.faults, faults);
    return {
      adapter: rig.adapter,
      driver: {
        placeCall: async (from, to) => void fake.far.placeCall(from, to),
        pressDigits: async (callId, digits) => fake.far.pressDigits(callId, digits),
        callerHangup: async (callId) => fake.far.hangup(callId),
        agentAnswers: async (legId) => fake.far.answerLeg(legId),
        agentRejects: async (legId) => fake.far.rejectLeg(legId),
      },
      close: async () => {
        const problems = [...fake.problems];
        const stray = fake.sw.strayBreaks;
        await rig.close();
        expect(problems).toEqual([]);
        expect(stray).toBe(0);
      },
    };
  });
}
