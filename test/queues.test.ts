/** GET /api/queues: a supervisor's view of each queue now. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptCall, api, connectAgent, login, nextEvent, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const call = async (digits: string): Promise<string> => {
  const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '100' } })).body;
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
};

describe('GET /api/queues', () => {
  it('shows waiting calls, agents by state and the service level', async () => {
    const admin = await login(srv.url, 'admin');
    const alice = await connectAgent(srv.url, await login(srv.url, 'alice'));
    // One billing call waits (bob is away); alice answers a support call.
    const waitingId = await call('2');
    await expect.poll(() => srv.sb.callCenter.getCall(waitingId)?.phase).toBe('queued');
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const pop = nextEvent(alice.socket, 'call.offered');
    const answered = await call('1');
    await pop;
    await acceptCall(alice.socket, answered);

    const r = await api(srv.url, 'GET', '/api/queues', { token: admin });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.queues.map((q: { id: string }) => [q.id, q]));
    expect(byId.billing).toMatchObject({ waiting: 1, agents: { available: 0, onCall: 0, afterCallWork: 0, away: 1 } });
    expect(byId.billing.longestWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(byId.support).toMatchObject({ waiting: 0, agents: { onCall: 1 } });

    const ended = nextEvent(alice.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${answered}/hangup`);
    await ended;
    await expect.poll(async () => (await api(srv.url, 'GET', '/api/queues', { token: admin })).body.queues.find((q: { id: string }) => q.id === 'support').serviceLevel).toEqual({
      answered: 1,
      withinThreshold: 1,
      percent: 100,
    });
    await api(srv.url, 'POST', `/api/simulator/calls/${waitingId}/hangup`);
    alice.socket.close();
  });

  it('is for supervisors and admins only', async () => {
    expect((await api(srv.url, 'GET', '/api/queues', { token: await login(srv.url, 'bob') })).status).toBe(403);
    expect((await api(srv.url, 'GET', '/api/queues')).status).toBe(401);
  });
});
