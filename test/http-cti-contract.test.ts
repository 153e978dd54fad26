/** The generic HTTP CTI adapter passes the observe-mode contract (it never controls calls). */
import { HttpCtiAdapter, type CtiEvent } from '../adapters/http-cti/adapter.js';
import { describeObserveContract } from './observe-contract.js';

describeObserveContract('generic HTTP CTI', async () => {
  const adapter = new HttpCtiAdapter('http-contract', () => undefined);
  let last: CtiEvent | null = null;
  let n = 0;
  const send = async (e: CtiEvent): Promise<void> => {
    last = { ...e, eventId: `ev-${++n}` };
    adapter.receive(last);
  };
  return {
    adapter,
    driver: {
      ring: (callId, from, to, endpoint) => send({ event: 'ringing', callId, from, to, extension: endpoint }),
      answer: (callId, endpoint) => send({ event: 'answer', callId, extension: endpoint }),
      hangup: (callId) => send({ event: 'hangup', callId }),
      repeatLast: async () => {
        if (last) adapter.receive(last);
      },
    },
  };
});
