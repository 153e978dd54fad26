/**
 * The Twilio adapter passes the shared PBX adapter contract against a fake Twilio
 * (test/twilio/fake-twilio/) that plays Twilio's role: it sends the signed webhook
 * requests a number and the adapter's documents cause, runs the TwiML answers
 * (Gather, Say, Enqueue and its waitUrl, Dial Queue...), and serves the REST API
 * the adapter creates and ends agent legs with. The driver is that fake: a caller
 * dialing in is a voice webhook, keys go into the `<Gather>` listening, the agent
 * answering is Twilio requesting the leg's Url, a reject is a `busy` status callback.
 *
 * Adapted, because a webhook PBX cannot do otherwise (docs/adapters/twilio.md):
 * - keys: Twilio drops a key pressed while no `<Gather>` listens (between two
 *   documents), so the driver presses each key once one listens, as a caller does;
 * - "answer": Twilio answers an inbound call with the first verb it runs; `answer()`
 *   emits `call.answered` at once and that verb follows in the next document;
 * - a prompt cut by a key stops at Twilio on the key itself (`<Gather>` barge-in);
 *   an abort afterwards resolves `{ completed: false }` as the contract asks.
 * The suite runs three times: plain, every status callback duplicated, and the agent
 * legs' first status callbacks arriving before the REST reply that created them.
 */
import { expect } from 'vitest';
import { describeAdapterContract } from './adapter-contract.js';
import type { Faults } from './twilio/fake-twilio/fake-twilio.js';
import { startRig } from './twilio/helpers.js';

const MODES: Array<[string, Partial<Faults>]> = [
  ['signed webhooks', {}],
  ['every status callback duplicated', { duplicateCallbacks: true }],
  ['callbacks before the REST reply', { callbacksBeforeReply: true }],
];

for (const [mode, faults] of MODES) {
  describeAdapterContract(`twilio (fake Twilio, ${mode})`, async () => {
    const rig = await startRig({ faults });
    const { fake } = rig;
    return {
      adapter: rig.adapter,
      driver: {
        placeCall: async (from, to) => void (await fake.placeCall(from, to)),
        pressDigits: (callId, digits) => fake.pressDigits(callId, digits),
        callerHangup: async (callId) => fake.hangup(callId),
        agentAnswers: async (legId) => fake.answerLeg(fake.legByTag(legId).sid),
        agentRejects: async (legId) => fake.rejectLeg(fake.legByTag(legId).sid),
      },
      close: async () => {
        const problems = [...fake.violations];
        await rig.close();
        expect(problems).toEqual([]);
      },
    };
  }, { holdWhileBridged: 'refuses' });
}
