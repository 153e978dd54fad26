/** The simulator passes the shared PBX adapter contract. */
import { SimulatorAdapter } from '../adapters/simulator/simulator-adapter.js';
import { describeAdapterContract } from './adapter-contract.js';

describeAdapterContract('simulator', async () => {
  const sim = new SimulatorAdapter({ id: 'sim-contract', charsPerSecond: 200 });
  return {
    adapter: sim,
    driver: {
      placeCall: async (from, to) => void sim.startCall(from, to),
      pressDigits: async (callId, digits) => sim.sendDigits(callId, digits),
      callerHangup: async (callId) => sim.callerHangup(callId),
      agentAnswers: (legId) => sim.answerAgentLeg(legId),
      agentRejects: (legId) => sim.rejectAgentLeg(legId),
    },
    close: async () => {},
  };
});
