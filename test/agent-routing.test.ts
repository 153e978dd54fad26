/**
 * Offers, reconnects and agent requests over real socket.io: the pop survives a
 * dropped socket, a ring timeout moves the call on, a caller with no agent
 * hears the hold prompt, and bad requests get coded answers.
 */
import { io } from 'socket.io-client';
import { AdapterError } from '../adapters/errors.js';
import { SessionStore } from '../connector/auth/sessions.js';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptCall, api, connectAgent, login, nextEvent, recordEvents, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer | null = null;
const sockets: AgentClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await srv?.close();
  srv = null;
});

async function agent(name: 'alice' | 'bob', state: 'available' | 'away' = 'available') {
  if (!srv) throw new Error('no server');
  const token = await login(srv.url, name);
  const { socket, snapshot } = await connectAgent(srv.url, token);
  sockets.push(socket);
  if (state === 'available') expect(await request(socket, 'agent.state.set', { state })).toMatchObject({ ok: true });
  return { socket, token, snapshot };
}

async function callAndPress(from: string, digits: string): Promise<string> {
  if (!srv) throw new Error('no server');
  const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from, to: '+18005550100' } })).body;
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
}

const bothServeSupport = {
  agents: [
    { username: 'alice', displayName: 'Alice Agent', passwordHash: 'scrypt$32768$8$1$bXYE1SmcHFLA/PFU0S51ow==$BUjvjfuPQFhSVxOpVt3Wz16fPdxAc2pThiInp2Qo8Ec=', queues: ['support'] },
    { username: 'bob', displayName: 'Bob Agent', passwordHash: 'scrypt$32768$8$1$bI4Zarq3GbqszkmWtvQg6g==$L/D0eCg4ww6ZDSvNmo0sxOeq7YPlBkdQc1bW3t3My8E=', queues: ['support'] },
  ],
};

describe('offers and reconnects', () => {
  it('an agent whose socket dropped while a call is offered gets the pop on reconnect', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const firstPop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    expect((await firstPop).callId).toBe(callId);
    alice.socket.disconnect();

    const { socket, snapshot } = await connectAgent(srv.url, alice.token);
    sockets.push(socket);
    expect(snapshot.agent.state).toBe('available');
    expect(snapshot.offers.map((p) => p.callId)).toEqual([callId]);
    expect(snapshot.offers[0]?.lookup.outcome).toBe('one');
    // And the offer still works from the new socket.
    const connected = nextEvent(socket, 'call.connected');
    expect(await request(socket, 'call.accept', { callId })).toEqual({ ok: true });
    expect((await connected).callId).toBe(callId);
  });

  it('an agent who reconnects mid-call and in wrap-up gets the call back', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const pop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    await acceptCall(alice.socket, callId);
    alice.socket.disconnect();
    let again = await connectAgent(srv.url, alice.token);
    sockets.push(again.socket);
    expect(again.snapshot.activeCall?.callId).toBe(callId);
    expect(again.snapshot.agent.state).toBe('on-call');

    const ended = nextEvent(again.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await ended;
    again.socket.disconnect();
    again = await connectAgent(srv.url, alice.token);
    sockets.push(again.socket);
    expect(again.snapshot.agent.state).toBe('after-call-work');
    expect(again.snapshot.wrapUp).toMatchObject({ callId, endReason: 'caller-hangup' });
    expect(again.snapshot.wrapUp?.pop.lookup.outcome).toBe('one');
  });

  it('the longest-idle agent is offered first; a ring timeout sets them away and moves on', async () => {
    srv = await startTestServer({ config: { ...bothServeSupport, routing: { ringTimeoutMs: 1_000 } } });
    const bob = await agent('bob'); // idle first, so longest idle
    const alice = await agent('alice');
    const bobPop = nextEvent(bob.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    expect((await bobPop).callId).toBe(callId);

    const withdrawn = nextEvent(bob.socket, 'call.offer.withdrawn', 5_000);
    const bobAway = nextEvent(bob.socket, 'agent.state.changed', 5_000);
    const alicePop = nextEvent(alice.socket, 'call.offered', 5_000);
    expect(await withdrawn).toEqual({ callId, reason: 'ring-timeout' });
    expect((await bobAway).state).toBe('away');
    expect((await alicePop).callId).toBe(callId);
  });

  it('a declined call goes to the next agent, and back to the decliner when nobody else is left', async () => {
    srv = await startTestServer({ config: bothServeSupport });
    const bob = await agent('bob');
    const alice = await agent('alice');
    const bobPop = nextEvent(bob.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await bobPop;
    const alicePop = nextEvent(alice.socket, 'call.offered');
    expect(await request(bob.socket, 'call.decline', { callId })).toEqual({ ok: true });
    expect((await alicePop).callId).toBe(callId);
    // Alice declines too: both declined, so the call must still reach a human.
    const again = nextEvent(bob.socket, 'call.offered');
    expect(await request(alice.socket, 'call.decline', { callId })).toEqual({ ok: true });
    expect((await again).callId).toBe(callId);
  });

  it('with no agent free the caller hears the hold prompt, then an agent who becomes available gets the call', async () => {
    srv = await startTestServer();
    const alice = await agent('alice', 'away');
    const callId = await callAndPress('+14155550123', '1');
    const sim = srv.sb.simulators[0]!;
    await expect.poll(() => sim.transcript(callId).promptTexts().at(-1), { timeout: 5_000 }).toMatch(/All our agents are busy/);
    const pop = nextEvent(alice.socket, 'call.offered');
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    expect((await pop).callId).toBe(callId);
    await acceptCall(alice.socket, callId);
    const types = sim.transcript(callId).entries.map((e) => e.type);
    expect(types.indexOf('call.connected')).toBeGreaterThan(types.lastIndexOf('prompt.started'));
  });

  it('the agent hangs up from the widget: the call ends with reason agent-hangup', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const pop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    await acceptCall(alice.socket, callId);
    const ended = nextEvent(alice.socket, 'call.ended');
    expect(await request(alice.socket, 'call.hangup', { callId })).toEqual({ ok: true });
    expect(await ended).toMatchObject({ callId, reason: 'agent-hangup' });
    const call = srv.sb.callCenter.getCall(callId);
    expect(call).toMatchObject({ phase: 'ended', outcome: 'answered', agent: 'alice' });
    expect(srv.sb.simulators[0]!.transcript(callId).entries.at(-1)).toMatchObject({ type: 'call.ended' });
  });
});

describe('call waiting over socket.io (routing.maxCallsPerAgent 2)', () => {
  it('pops a second call during the first, holds the first on answer, swaps, and a reconnect restores both', async () => {
    srv = await startTestServer({ config: { routing: { maxCallsPerAgent: 2 } } });
    const alice = await agent('alice');
    const firstPop = nextEvent(alice.socket, 'call.offered');
    const c1 = await callAndPress('+14155550123', '1');
    await firstPop;
    await acceptCall(alice.socket, c1);
    const seen = recordEvents(alice.socket, ['call.held', 'call.resumed', 'call.connected']);
    const secondPop = nextEvent(alice.socket, 'call.offered');
    const c2 = await callAndPress('+14155550124', '1');
    expect((await secondPop).callId).toBe(c2);
    await acceptCall(alice.socket, c2);
    await expect.poll(() => seen.map((e) => `${e.event}:${e.payload.callId}`)).toEqual([`call.held:${c1}`, `call.connected:${c2}`]);
    const sim = srv.sb.simulators[0]!;
    expect(sim.transcript(c1).entries.map((e) => e.type)).toContain('hold.started');

    alice.socket.disconnect();
    const back = await connectAgent(srv.url, alice.token);
    sockets.push(back.socket);
    expect(back.snapshot.agent).toMatchObject({ state: 'on-call', maxCalls: 2, calls: 2 });
    expect(back.snapshot.activeCall?.callId).toBe(c2);
    expect(back.snapshot.heldCalls?.map((c) => [c.callId, c.held])).toEqual([[c1, true]]);
    // Supervisors see both calls.
    const admin = await login(srv.url, 'admin');
    const queues = await api(srv.url, 'GET', '/api/queues', { token: admin });
    expect(queues.body.agents.find((x: { username: string }) => x.username === 'alice')).toMatchObject({ state: 'on-call', callId: c2, callIds: [c1, c2] });

    const swapped = recordEvents(back.socket, ['call.held', 'call.resumed']);
    expect(await request(back.socket, 'call.resume', { callId: c1 })).toEqual({ ok: true });
    await expect.poll(() => swapped.map((e) => `${e.event}:${e.payload.callId}`)).toEqual([`call.held:${c2}`, `call.resumed:${c1}`]);
    // Bad and foreign requests get codes and change nothing.
    expect(await request(back.socket, 'call.hold', {} as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await request(back.socket, 'call.resume', { callId: 'nope' })).toMatchObject({ ok: false, error: { code: 'CALL_NOT_FOUND' } });
    const bob = await agent('bob', 'away');
    expect(await request(bob.socket, 'call.hold', { callId: c1 })).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ACTIVE' } });

    // The held caller hangs up: alice stays on c1, and c2 waits to be logged after a reload.
    const ended = nextEvent(back.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${c2}/hangup`);
    expect((await ended).callId).toBe(c2);
    const again = await connectAgent(srv.url, alice.token);
    sockets.push(again.socket);
    expect(again.snapshot.agent.state).toBe('on-call');
    expect(again.snapshot.activeCall?.callId).toBe(c1);
    expect(again.snapshot.pendingWrapUps?.map((w) => w.callId)).toEqual([c2]);
  });
});

describe('bad socket input gets a coded answer and changes nothing', () => {
  it('rejects a handshake without a valid token', async () => {
    srv = await startTestServer();
    const socket = io(`${srv.url}/agent`, { auth: { token: 'not-a-token-not-a-token' }, transports: ['websocket'], reconnection: false });
    const err = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    expect(err.message).toBe('UNAUTHORIZED');
    socket.close();
  });

  it('answers malformed and impossible requests with codes', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const bad = await request(alice.socket, 'call.accept', {} as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { callId: expect.any(Array) } } });
    expect(await request(alice.socket, 'call.accept', { callId: 'nope' })).toMatchObject({ ok: false, error: { code: 'CALL_NOT_FOUND' } });
    expect(await request(alice.socket, 'agent.state.set', { state: 'on-call' } as never)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', fields: { state: ['expected available or away'] } },
    });
    expect(await request(alice.socket, 'call.hangup', { callId: 'x'.repeat(5_000) })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // A request with no ack function and junk arguments must not break the socket.
    (alice.socket.emit as (...a: unknown[]) => void)('call.accept', 42);
    (alice.socket.emit as (...a: unknown[]) => void)('call.decline');
    expect(await request(alice.socket, 'agent.state.set', { state: 'away' })).toMatchObject({ ok: true, agent: { state: 'away' } });
  });

  it('one agent cannot act on a call offered to another', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const bob = await agent('bob');
    const bobSaw = recordEvents(bob.socket, ['call.offered']);
    const pop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    expect(await request(bob.socket, 'call.accept', { callId })).toMatchObject({ ok: false, error: { code: 'CALL_NOT_OFFERED' } });
    expect(await request(bob.socket, 'call.hangup', { callId })).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ACTIVE' } });
    expect(bobSaw).toEqual([]);
  });
});

describe('regressions found in review', () => {
  it('a phone that cannot be rung sets the agent away instead of re-offering in a tight loop', async () => {
    srv = await startTestServer();
    const sim = srv.sb.simulators[0]!;
    const ring = sim.ringAgent.bind(sim);
    let rings = 0;
    sim.ringAgent = async () => {
      rings++;
      throw new AdapterError('PBX_REJECTED', 'endpoint unknown', { adapterId: sim.id });
    };
    const alice = await agent('alice');
    const away = nextEvent(alice.socket, 'agent.state.changed');
    const withdrawn = nextEvent(alice.socket, 'call.offer.withdrawn');
    const callId = await callAndPress('+14155550123', '1');
    expect(await withdrawn).toEqual({ callId, reason: 'agent-unavailable' });
    expect((await away).state).toBe('away');
    expect(rings).toBe(1);
    expect(srv.sb.callCenter.getCall(callId)?.phase).toBe('queued');
    sim.ringAgent = ring;
  });

  it('going away during an offer does not bring the offer straight back', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const pop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    const seen = recordEvents(alice.socket, ['call.offered', 'call.offer.withdrawn']);
    expect(await request(alice.socket, 'agent.state.set', { state: 'away' })).toMatchObject({ ok: true, agent: { state: 'away' } });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ event: 'call.offer.withdrawn', payload: { callId, reason: 'agent-unavailable' } });
    expect(srv.sb.callCenter.getCall(callId)?.phase).toBe('queued');
  });

  it('a caller requeued after a failed bridge hears hold again', async () => {
    srv = await startTestServer({ config: bothServeSupport });
    const bob = await agent('bob');
    const pop = nextEvent(bob.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    const sim = srv.sb.simulators[0]!;
    const holds = () => sim.transcript(callId).entries.filter((e) => e.type === 'prompt.started' && e.promptId === 'queue.hold').length;
    await expect.poll(holds).toBe(1);
    const bridge = sim.bridge.bind(sim);
    sim.bridge = async () => {
      throw new AdapterError('PBX_REJECTED', 'bridge refused', { adapterId: sim.id });
    };
    const withdrawn = nextEvent(bob.socket, 'call.offer.withdrawn');
    expect(await request(bob.socket, 'call.accept', { callId })).toEqual({ ok: true });
    expect(await withdrawn).toEqual({ callId, reason: 'agent-unavailable' });
    // Hold stopped for the bridge and started again once the call was back in the line.
    await expect.poll(holds).toBe(2);
    expect(srv.sb.callCenter.getCall(callId)?.phase).toBe('queued');
    sim.bridge = bridge;
  });

  it('a token of a user no longer configured is refused, not a crash', async () => {
    srv = await startTestServer();
    const sessions = new SessionStore(srv.sb.db, 60_000);
    const ghost = sessions.issue('ghost').token;
    const socket = io(`${srv.url}/agent`, { auth: { token: ghost }, transports: ['websocket'], reconnection: false });
    const err = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    expect(err.message).toBe('UNAUTHORIZED');
    socket.close();
    expect((await api(srv.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('logging out closes that login\'s sockets', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const closed = new Promise<string>((resolve) => alice.socket.on('disconnect', resolve));
    expect((await api(srv.url, 'POST', '/api/auth/logout', { token: alice.token })).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
  });

  it('a case for a call still offered to another agent is refused; a retried save after the hangup replays', async () => {
    srv = await startTestServer();
    const alice = await agent('alice');
    const bobToken = await login(srv.url, 'bob');
    const pop = nextEvent(alice.socket, 'call.offered');
    const callId = await callAndPress('+14155550123', '1');
    await pop;
    const body = { callId, subject: 'x', type: 'technical_support' };
    expect((await api(srv.url, 'POST', '/api/cases', { token: bobToken, body })).status).toBe(403);
    await acceptCall(alice.socket, callId);
    const first = await api(srv.url, 'POST', '/api/cases', { token: alice.token, body, headers: { 'Idempotency-Key': 'during-call' } });
    expect(first.status).toBe(201);
    expect(first.body.talkSeconds).toBeNull();
    const ended = nextEvent(alice.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await ended;
    const retry = await api(srv.url, 'POST', '/api/cases', { token: alice.token, body, headers: { 'Idempotency-Key': 'during-call' } });
    expect(retry.status).toBe(200);
    expect(retry.body.number).toBe(first.body.number);
  });
});
