/**
 * The `/supervisor` socket.io namespace over real HTTP and socket.io: the whole
 * picture on connect, pushes when a call queues and when an agent changes
 * state, the last hour per minute after calls end, roles (an agent's token is
 * refused with a code, an admin's is not), no pushes to a closed socket, and
 * coded answers to bad requests. Update intervals are shortened; every wait is
 * on an event.
 */
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../connector/errors.js';
import type { CallHistory, ErrorBody, QueueSnapshot, SupervisorClientToServerEvents, SupervisorServerToClientEvents, SupervisorSnapshot } from '../connector/protocol.js';
import { maskCallerName } from '../connector/supervisor/queue-snapshot.js';
import { acceptCall, api, connectAgent, login, nextEvent, request } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

type SupervisorClient = Socket<SupervisorServerToClientEvents, SupervisorClientToServerEvents>;
type Payload<E extends keyof SupervisorServerToClientEvents> = Parameters<SupervisorServerToClientEvents[E]>[0];

const INTERVALS = { tickMs: 40, historyMs: 80 };
const open: SupervisorClient[] = [];

function socketFor(url: string, token: unknown): SupervisorClient {
  const socket: SupervisorClient = io(`${url}/supervisor`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  return socket;
}

/** Resolves with the first `event` whose payload satisfies `match` (listening starts now). */
function until<E extends keyof SupervisorServerToClientEvents>(socket: SupervisorClient, event: E, match: (p: Payload<E>) => boolean = () => true, timeoutMs = 5_000): Promise<Payload<E>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      socket.off(event, handler as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const handler = (p: Payload<E>): void => {
      if (!match(p)) return;
      clearTimeout(t);
      socket.off(event, handler as never);
      resolve(p);
    };
    socket.on(event, handler as never);
  });
}

async function connectSupervisor(url: string, token: string): Promise<{ socket: SupervisorClient; snapshot: SupervisorSnapshot }> {
  const socket = socketFor(url, token);
  const snapshot = await until(socket, 'supervisor.snapshot');
  return { socket, snapshot };
}

/** The connect error of a refused socket: its message is the code, its data the error body. */
function refusal(url: string, token: unknown): Promise<{ message: string; data?: ErrorBody }> {
  const socket = socketFor(url, token);
  return new Promise((resolve, reject) => {
    socket.on('connect', () => reject(new Error('connected')));
    socket.on('connect_error', (err) => resolve(err as Error & { data?: ErrorBody }));
  });
}

function ask(socket: SupervisorClient, event: string, ...args: unknown[]): Promise<{ ok: boolean; error?: ErrorBody; snapshot?: SupervisorSnapshot }> {
  return (socket.timeout(5_000).emitWithAck as unknown as (e: string, ...a: unknown[]) => Promise<never>).call(socket, event, ...args);
}

const disconnected = (socket: SupervisorClient): Promise<string> => new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
const agentOf = (s: QueueSnapshot, username: string) => s.agents.find((a) => a.username === username);
const sum = (h: CallHistory, k: 'arrived' | 'answered' | 'abandoned'): number => h.minutes.reduce((n, m) => n + m[k], 0);

async function simulatorCall(url: string, digits: string, from = '+14155550123'): Promise<string> {
  const { callId } = (await api(url, 'POST', '/api/simulator/calls', { body: { from, to: '100' } })).body;
  await api(url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
}

afterAll(() => {
  for (const s of open) s.close();
});

describe('/supervisor namespace', () => {
  let srv: TestServer;
  let admin: string;
  let sam: string;

  beforeAll(async () => {
    srv = await startTestServer({ supervisor: INTERVALS });
    admin = await login(srv.url, 'admin');
    const created = await api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'sam', displayName: 'Sam Supervisor', password: 'sam-password', role: 'supervisor' } });
    expect(created.status).toBe(201);
    sam = await login(srv.url, 'sam', 'sam-password');
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('sends the whole picture on connect, the same as GET /api/queues', async () => {
    const { socket, snapshot } = await connectSupervisor(srv.url, sam);
    expect(snapshot.live.queues.map((q) => q.id)).toEqual(srv.sb.config.queues.map((q) => q.id));
    expect(agentOf(snapshot.live, 'alice')).toMatchObject({ displayName: expect.any(String), state: 'away', queues: ['support', 'general'], callId: null, offeredCallId: null, phoneReachable: true });
    expect(snapshot.live.waitingCalls).toEqual([]);
    expect(snapshot.history.minutes).toHaveLength(60);
    const now = Date.now();
    expect(Date.parse(snapshot.history.to)).toBeGreaterThan(now - 1_000);
    expect(Date.parse(snapshot.history.to) - Date.parse(snapshot.history.from)).toBe(3_600_000);
    expect(snapshot.history.minutes.at(-1)?.minute).toBe(new Date(Math.floor(Date.parse(snapshot.history.to) / 60_000) * 60_000 - 60_000).toISOString());

    const rest = await api(srv.url, 'GET', '/api/queues', { token: sam });
    expect(rest.status).toBe(200);
    expect(Object.keys(rest.body).sort()).toEqual(Object.keys(snapshot.live).sort());
    expect(rest.body.agents).toEqual(snapshot.live.agents);
    socket.close();
  });

  it('pushes the change when a call queues, the caller masked', async () => {
    const { socket } = await connectSupervisor(srv.url, sam);
    const queued = until(socket, 'queues.changed', (s) => s.waitingCalls.length > 0);
    const callId = await simulatorCall(srv.url, '2'); // billing; bob is away, so it waits
    const live = await queued;
    expect(live.waitingCalls).toEqual([{ callId, queue: 'billing', priority: expect.any(Number), queuedAt: expect.any(String), waitedSeconds: expect.any(Number), callerNumber: '+14*******23', callerName: null }]);
    expect(live.queues.find((q) => q.id === 'billing')).toMatchObject({ waiting: 1 });
    // Nothing about the caller beyond the masked number: no raw number, lookup or IVR attributes.
    expect(JSON.stringify(live)).not.toMatch(/4155550123|ivr|lookup|contact/i);

    const gone = until(socket, 'queues.changed', (s) => s.waitingCalls.length === 0);
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    expect((await gone).queues.find((q) => q.id === 'billing')?.waiting).toBe(0);
    socket.close();
  });

  it('pushes the change when an agent changes state', async () => {
    const { socket } = await connectSupervisor(srv.url, sam);
    const alice = await connectAgent(srv.url, await login(srv.url, 'alice'));
    const available = until(socket, 'queues.changed', (s) => agentOf(s, 'alice')?.state === 'available');
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const live = await available;
    expect(live.queues.find((q) => q.id === 'support')?.agents.available).toBe(1);

    // Away with a reason: the supervisor sees why.
    const away = until(socket, 'queues.changed', (s) => agentOf(s, 'alice')?.state === 'away');
    expect(await request(alice.socket, 'agent.state.set', { state: 'away', reason: 'lunch' })).toMatchObject({ ok: true });
    const awayLive = await away;
    expect(agentOf(awayLive, 'alice')).toMatchObject({ state: 'away', awayReason: 'lunch' });
    expect(Date.parse(agentOf(awayLive, 'alice')?.since ?? '')).toBeGreaterThanOrEqual(Date.parse(agentOf(live, 'alice')?.since ?? ''));
    alice.socket.close();
    socket.close();
  });

  it("refuses an agent's token with FORBIDDEN and a bad one with UNAUTHORIZED; admits an admin", async () => {
    const agent = await refusal(srv.url, await login(srv.url, 'bob'));
    expect(agent.message).toBe('FORBIDDEN');
    expect(agent.data).toMatchObject({ code: 'FORBIDDEN' });
    for (const token of ['not-a-token-but-long-enough', undefined, 42]) {
      const bad = await refusal(srv.url, token);
      expect([token, bad.message, bad.data?.code]).toEqual([token, 'UNAUTHORIZED', 'UNAUTHORIZED']);
    }
    const { socket, snapshot } = await connectSupervisor(srv.url, admin);
    expect(snapshot.live.queues.length).toBeGreaterThan(0);
    socket.close();
  });

  it('sends nothing to a closed socket, and closes the sockets of a logout and of a lost role', async () => {
    const a = await connectSupervisor(srv.url, sam);
    const b = await connectSupervisor(srv.url, sam);
    const seenByA: string[] = [];
    a.socket.onAny((event: string) => seenByA.push(event));
    a.socket.close();
    const pushed = until(b.socket, 'queues.changed', (s) => s.waitingCalls.length > 0);
    const callId = await simulatorCall(srv.url, '2');
    await pushed;
    expect(seenByA).toEqual([]);
    const cleared = until(b.socket, 'queues.changed', (s) => s.waitingCalls.length === 0);
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await cleared;

    // Logout: the server closes the sockets of that token.
    const token = await login(srv.url, 'sam', 'sam-password');
    const c = await connectSupervisor(srv.url, token);
    const closed = disconnected(c.socket);
    expect((await api(srv.url, 'POST', '/api/auth/logout', { token })).status).toBe(204);
    expect(await closed).toBe('io server disconnect');

    // Demoted to agent: closed on the next tick; a new connection is refused.
    const demoted = disconnected(b.socket);
    expect((await api(srv.url, 'PATCH', '/api/admin/agents/sam', { token: admin, body: { role: 'agent' } })).status).toBe(200);
    expect(await demoted).toBe('io server disconnect');
    expect((await refusal(srv.url, sam)).message).toBe('FORBIDDEN');
    expect((await api(srv.url, 'PATCH', '/api/admin/agents/sam', { token: admin, body: { role: 'supervisor' } })).status).toBe(200);
  });

  it('answers bad events and payloads with codes and keeps serving', async () => {
    const { socket } = await connectSupervisor(srv.url, sam);
    expect(await ask(socket, 'supervisor.refresh', { everything: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { everything: ['unknown field'] } } });
    expect(await ask(socket, 'supervisor.refresh', 'junk')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ask(socket, 'supervisor.refresh', null)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ask(socket, 'call.accept', { callId: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(socket, 'x'.repeat(10_000), { deep: [[[[{}]]]] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Requests without an ack are ignored.
    (socket.emit as (...a: unknown[]) => void)('supervisor.refresh', { bad: 1 });
    (socket.emit as (...a: unknown[]) => void)('no.such.event');
    // Still connected and serving, with and without a body.
    const refreshed = await ask(socket, 'supervisor.refresh', {});
    expect(refreshed).toMatchObject({ ok: true, snapshot: { live: { queues: expect.any(Array) }, history: { minutes: expect.any(Array) } } });
    expect(await ask(socket, 'supervisor.refresh')).toMatchObject({ ok: true });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('/supervisor redirects to its page, keeping the query', async () => {
    const r = await fetch(`${srv.url}/supervisor?x=1`, { redirect: 'manual' });
    expect([r.status, r.headers.get('location')]).toEqual([302, '/supervisor/?x=1']);
  });

  it('fuzz: junk handshakes are refused with UNAUTHORIZED; junk requests get a code from the catalog or are ignored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 2 }), async (token) => {
        expect((await refusal(srv.url, token)).message).toBe('UNAUTHORIZED');
      }),
      { numRuns: 10 },
    );
    const { socket } = await connectSupervisor(srv.url, sam);
    const raw = socket as unknown as { emit(...a: unknown[]): void };
    // socket.io clients refuse to emit these names themselves.
    const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
    const event = fc.oneof(fc.constant('supervisor.refresh'), fc.string({ maxLength: 40 }).filter((n) => !RESERVED.has(n)), fc.constantFrom('call.accept', 'agent.state.set', 'queues.changed'));
    await fc.assert(
      fc.asyncProperty(event, fc.anything({ maxDepth: 3 }), fc.anything({ maxDepth: 1 }), async (name, body, extra) => {
        const reply = await ask(socket, name, body);
        if (reply.ok) expect([name, reply.snapshot?.live.queues.length]).toEqual(['supervisor.refresh', srv.sb.config.queues.length]);
        else expect(Object.keys(ERROR_CATALOG)).toContain(reply.error?.code);
        raw.emit(name, body);
        raw.emit(name, body, extra, () => {});
        expect(socket.connected).toBe(true);
      }),
      { numRuns: 60 },
    );
    expect((await ask(socket, 'supervisor.refresh', {})).ok).toBe(true);
    socket.close();
  });
});

describe('/supervisor history', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ supervisor: INTERVALS });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('counts arrivals, answers, abandons and waits per minute once calls end', async () => {
    const { socket, snapshot } = await connectSupervisor(srv.url, await login(srv.url, 'admin'));
    expect([sum(snapshot.history, 'arrived'), sum(snapshot.history, 'answered'), sum(snapshot.history, 'abandoned')]).toEqual([0, 0, 0]);

    // One call answered by alice, one abandoned in the billing queue.
    const alice = await connectAgent(srv.url, await login(srv.url, 'alice'));
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const abandoned = await simulatorCall(srv.url, '2', '+442079460958');
    await until(socket, 'queues.changed', (s) => s.waitingCalls.some((c) => c.callId === abandoned));
    const pop = nextEvent(alice.socket, 'call.offered');
    const answered = await simulatorCall(srv.url, '1');
    await pop;
    await acceptCall(alice.socket, answered);
    const ended = nextEvent(alice.socket, 'call.ended');
    await api(srv.url, 'POST', `/api/simulator/calls/${answered}/hangup`);
    await ended;
    await api(srv.url, 'POST', `/api/simulator/calls/${abandoned}/hangup`);

    const history = await until(socket, 'history.changed', (h) => sum(h, 'abandoned') === 1 && sum(h, 'answered') === 1);
    expect(sum(history, 'arrived')).toBe(2);
    const waits = history.minutes.filter((m) => m.longestWaitSeconds !== null);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    for (const m of waits) expect(m.avgWaitSeconds).toBeLessThanOrEqual(m.longestWaitSeconds as number);
    // Minutes without calls are there, empty.
    expect(history.minutes).toHaveLength(60);
    expect(history.minutes[0]).toMatchObject({ arrived: 0, answered: 0, abandoned: 0, avgWaitSeconds: null, longestWaitSeconds: null });
    // The live view, read in the same tick: the service level counts the answered call.
    const { snapshot: now } = await ask(socket, 'supervisor.refresh', {});
    expect(now?.live.queues.find((q) => q.id === 'support')?.serviceLevel).toEqual({ answered: 1, withinThreshold: 1, percent: 100 });
    alice.socket.close();
    socket.close();
  });
});

describe('maskCallerName', () => {
  it('keeps initials, masks a number, and passes no name through', () => {
    expect(maskCallerName('John Smith')).toBe('J. S.');
    expect(maskCallerName('  élodie   de la Tour ')).toBe('É. D. L. T.');
    expect(maskCallerName('+1 415 555 0123')).toBe('+1 4** *** **23');
    expect(maskCallerName('')).toBeNull();
    expect(maskCallerName(null)).toBeNull();
  });
});
