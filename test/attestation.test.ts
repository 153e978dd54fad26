/**
 * Caller-ID attestation (STIR/SHAKEN A/B/C) from the PBX to the pop: the
 * simulator's `attestation` travels with `call.started`, through the call
 * record, into the pop, the reconnect snapshot and the stored call; a call
 * without one has no attestation field at all; anything but A, B or C is a 400.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acceptCall, api, connectAgent, login, nextEvent, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer | null = null;
const sockets: AgentClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await srv?.close();
  srv = null;
});

async function alice(): Promise<{ socket: AgentClient; token: string }> {
  const token = await login(srv!.url, 'alice');
  const { socket } = await connectAgent(srv!.url, token);
  sockets.push(socket);
  expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
  return { socket, token };
}

async function call(body: Record<string, unknown>): Promise<string> {
  const r = await api(srv!.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100', ...body } });
  expect(r.status).toBe(201);
  await api(srv!.url, 'POST', `/api/simulator/calls/${r.body.callId}/digits`, { body: { digits: '1' } });
  return r.body.callId as string;
}

describe('caller-ID attestation', () => {
  it('reaches the pop, the snapshot after a reconnect, and the stored call', async () => {
    srv = await startTestServer();
    const { socket, token } = await alice();
    const offered = nextEvent(socket, 'call.offered');
    const callId = await call({ attestation: 'B' });
    const pop = await offered;
    expect(pop).toMatchObject({ callId, attestation: 'B' });

    const { snapshot } = await connectAgent(srv.url, token).then((r) => (sockets.push(r.socket), r));
    expect(snapshot.offers[0]).toMatchObject({ callId, attestation: 'B' });

    await acceptCall(socket, callId);
    expect(srv.sb.callCenter.getCall(callId)?.attestation).toBe('B');
    const ended = nextEvent(socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await ended;
    // After the call: the wrap-up's pop (from the stored record) still carries it.
    const after = await connectAgent(srv.url, token).then((r) => (sockets.push(r.socket), r));
    expect(after.snapshot.wrapUp?.pop.attestation).toBe('B');
  });

  it('is absent when the PBX did not provide one', async () => {
    srv = await startTestServer();
    const { socket } = await alice();
    const offered = nextEvent(socket, 'call.offered');
    await call({});
    expect('attestation' in (await offered)).toBe(false);
  });

  it('refuses anything but A, B or C', async () => {
    srv = await startTestServer();
    const r = await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100', attestation: 'D' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { attestation: ['expected A, B or C'] } });
  });
});
