/**
 * Switchboard as several processes (issue 6 part 4), against the real
 * PostgreSQL and a private Redis: a call on node A pops on an agent connected to
 * node B, who answers and logs it there; concurrent calls on two nodes never
 * ring one agent twice nor one call at two agents; a node killed mid-call: its
 * agent reconnects to another node and finds their call; Redis restarted while
 * a call waits: the pop still arrives.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScreenPop } from '../connector/protocol.js';
import { api, connectAgent, login, nextEvent, recordEvents, request, type AgentClient } from './helpers/clients.js';
import { clusterSpec, freshSchema, privateRedis, startNode, type NodeProcess, type PrivateRedis } from './helpers/cluster-nodes.js';

let redis: PrivateRedis;
let db: Awaited<ReturnType<typeof freshSchema>>;
const nodes: NodeProcess[] = [];
const sockets: AgentClient[] = [];

beforeAll(async () => {
  redis = await privateRedis();
  db = await freshSchema();
}, 30_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});

afterAll(async () => {
  await redis?.kill();
  await db?.drop();
});

/** The spec of the last cluster started: `join` adds a node to it. */
let lastSpec: ReturnType<typeof clusterSpec> | null = null;

async function join(name: string): Promise<NodeProcess> {
  const node = await startNode(name, lastSpec!);
  nodes.push(node);
  return node;
}

async function cluster(names: string[], extra: Record<string, unknown> = {}): Promise<NodeProcess[]> {
  const spec = clusterSpec(redis.url, db.schema);
  lastSpec = spec;
  const started: NodeProcess[] = [];
  // One at a time: the first migrates the schema, the others find it done.
  for (const n of names) {
    const node = await startNode(n, spec, extra);
    nodes.push(node);
    started.push(node);
  }
  return started;
}

async function agentOn(node: NodeProcess, username: string, token?: string) {
  const t = token ?? (await login(node.url, username, 'alice-demo'));
  const { socket, snapshot } = await connectAgent(node.url, t);
  sockets.push(socket);
  return { socket, snapshot, token: t };
}

async function call(node: NodeProcess, from: string, digits = '1'): Promise<string> {
  const { callId } = (await api(node.url, 'POST', '/api/simulator/calls', { body: { from, to: '+18005550100' } })).body;
  await api(node.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
}

describe('several nodes', () => {
  it('a call on node A pops on an agent of node B, who answers and logs the case on B', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await agentOn(b!, 'alice');
    const pop = nextEvent(alice.socket, 'call.offered', 20_000);
    expect(await request(alice.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    const callId = await call(a!, '+14155550123');
    const p = (await pop) as ScreenPop;
    expect(p.callId).toBe(callId);
    expect(p.lookup.outcome).toBe('one'); // the demo contact, found by node A
    const connected = nextEvent(alice.socket, 'call.connected', 10_000);
    expect(await request(alice.socket, 'call.accept', { callId })).toEqual({ ok: true });
    expect((await connected).callId).toBe(callId);
    const ended = nextEvent(alice.socket, 'call.ended', 10_000);
    await api(a!.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await ended;
    const saved = await api(b!.url, 'POST', '/api/cases', { token: alice.token, body: { callId, subject: 'Cross-node call', type: 'technical_support' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body).toMatchObject({ callId, queue: 'support', aniE164: '+14155550123' });
    // The case is in the shared store: node A reads it too.
    const tokenOnA = await login(a!.url, 'bob', 'alice-demo');
    expect((await api(a!.url, 'GET', `/api/cases/${saved.body.number}`, { token: tokenOnA })).body.callId).toBe(callId);
  }, 120_000);

  it('calls arriving at once on two nodes: no agent is offered two, no call rings two agents', async () => {
    const [a, b] = await cluster(['a', 'b'], { routing: { ringTimeoutMs: 60_000 } });
    const agents = [await agentOn(a!, 'alice'), await agentOn(a!, 'bob'), await agentOn(b!, 'carol'), await agentOn(b!, 'dave')];
    const names = ['alice', 'bob', 'carol', 'dave'];
    const log: Array<{ agent: string; kind: 'offered' | 'withdrawn'; callId: string }> = [];
    agents.forEach((x, i) => {
      x.socket.on('call.offered', (pop: ScreenPop, ack?: () => void) => {
        // As the widget does: a cluster's pop is answered with screenpop.delivered, and a pop sent
        // again (not yet known delivered) is the same offer.
        if (typeof ack === 'function') ack();
        else x.socket.emit('screenpop.delivered', { callId: pop.callId }, () => {});
        const last = [...log].reverse().find((e) => e.agent === names[i]);
        if (last?.kind === 'offered' && last.callId === pop.callId) return;
        log.push({ agent: names[i]!, kind: 'offered', callId: pop.callId });
      });
      x.socket.on('call.offer.withdrawn', ({ callId }) => log.push({ agent: names[i]!, kind: 'withdrawn', callId }));
    });
    for (const x of agents) expect(await request(x.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    // Twelve callers at once, six on each node, all for the support queue every agent serves.
    const calls = await Promise.all([...Array(12).keys()].map((i) => call(i % 2 ? a! : b!, `+1415555${String(1000 + i)}`)));
    const until = Date.now() + 20_000;
    while (log.filter((e) => e.kind === 'offered').length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_000)); // any wrong second offer would show by now
    const offers = log.filter((e) => e.kind === 'offered');
    expect(offers.map((e) => e.agent).sort()).toEqual(names);
    expect(new Set(offers.map((e) => e.callId)).size).toBe(4);
    expect(offers.every((e) => calls.includes(e.callId))).toBe(true);
    // Each agent declines: each is offered another call, never one another agent is ringing with.
    for (const [i, x] of agents.entries()) {
      const mine = offers.find((e) => e.agent === names[i])!;
      expect(await request(x.socket, 'call.decline', { callId: mine.callId })).toEqual({ ok: true });
    }
    const until2 = Date.now() + 20_000;
    while (log.filter((e) => e.kind === 'offered').length < 8 && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_000));
    const ringing = new Map<string, string>(); // agent -> call
    const ringingCall = new Map<string, string>(); // call -> agent
    for (const e of log) {
      if (e.kind === 'offered') {
        expect(ringing.has(e.agent), `${e.agent} offered ${e.callId} while ringing ${ringing.get(e.agent)}`).toBe(false);
        expect(ringingCall.has(e.callId), `${e.callId} offered to ${e.agent} while ringing ${ringingCall.get(e.callId)}`).toBe(false);
        ringing.set(e.agent, e.callId);
        ringingCall.set(e.callId, e.agent);
      } else if (ringing.get(e.agent) === e.callId) {
        ringing.delete(e.agent);
        ringingCall.delete(e.callId);
      }
    }
    expect(log.filter((e) => e.kind === 'offered')).toHaveLength(8);
  }, 120_000);

  it('the node an agent is connected to is killed mid-call: on another node the agent finds the call, hangs up and logs it', async () => {
    const [a, b, c] = await cluster(['a', 'b', 'c']);
    const alice = await agentOn(b!, 'alice');
    const pop = nextEvent(alice.socket, 'call.offered', 20_000);
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const callId = await call(a!, '+14155550123');
    await pop;
    const connected = nextEvent(alice.socket, 'call.connected', 10_000);
    expect(await request(alice.socket, 'call.accept', { callId })).toEqual({ ok: true });
    await connected;

    await b!.kill('SIGKILL');
    // The widget reconnects (to the load balancer: here, node C) with the same token.
    const again = await agentOn(c!, 'alice', alice.token);
    expect(again.snapshot.agent.state).toBe('on-call');
    expect(again.snapshot.activeCall?.callId).toBe(callId);
    expect(again.snapshot.activeCall?.pop.lookup.outcome).toBe('one');
    const ended = nextEvent(again.socket, 'call.ended', 10_000);
    expect(await request(again.socket, 'call.hangup', { callId })).toEqual({ ok: true });
    expect((await ended).reason).toBe('agent-hangup');
    const saved = await api(c!.url, 'POST', '/api/cases', { token: alice.token, body: { callId, subject: 'Survived a node', type: 'technical_support' } });
    expect(saved.status).toBe(201);
    // The call record is in the shared store with its outcome, and the case with the call.
    const onA = await login(a!.url, 'bob', 'alice-demo');
    expect((await api(a!.url, 'GET', `/api/cases/${saved.body.number}`, { token: onA })).body).toMatchObject({ callId, agent: 'alice' });
  }, 120_000);

  it('the node an agent is connected to is killed while a call rings them: on another node the pop is waiting, and answers', async () => {
    const [a, b, c] = await cluster(['a', 'b', 'c']);
    const alice = await agentOn(b!, 'alice');
    const pop = nextEvent(alice.socket, 'call.offered', 20_000);
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const callId = await call(a!, '+14155550123');
    expect((await pop).callId).toBe(callId);

    await b!.kill('SIGKILL');
    const again = await agentOn(c!, 'alice', alice.token);
    expect(again.snapshot.offers.map((p) => p.callId)).toEqual([callId]);
    expect(again.snapshot.offers[0]?.lookup.outcome).toBe('one');
    const connected = nextEvent(again.socket, 'call.connected', 10_000);
    expect(await request(again.socket, 'call.accept', { callId })).toEqual({ ok: true });
    expect((await connected).callId).toBe(callId);
  }, 120_000);

  it('the node that owns a call is killed: the agent is told the call is gone, logs it from the shared store, and works on', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await agentOn(b!, 'alice');
    const pop = nextEvent(alice.socket, 'call.offered', 20_000);
    await request(alice.socket, 'agent.state.set', { state: 'available' });
    const callId = await call(a!, '+14155550123');
    await pop;
    const connected = nextEvent(alice.socket, 'call.connected', 10_000);
    expect(await request(alice.socket, 'call.accept', { callId })).toEqual({ ok: true });
    await connected;
    await new Promise((r) => setTimeout(r, 200)); // the connected record's write window (50 ms)

    const ended = nextEvent(alice.socket, 'call.ended', 15_000);
    const states = recordEvents(alice.socket, ['agent.state.changed']);
    await a!.kill('SIGKILL');
    // Node B sees A's heartbeat stop (3 s), releases what A held, and tells alice.
    expect(await ended).toMatchObject({ callId, reason: 'failed' });
    for (let i = 0; i < 100 && states.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(states.map((e) => e.payload.state)).toEqual(['after-call-work']);
    const saved = await api(b!.url, 'POST', '/api/cases', { token: alice.token, body: { callId, subject: 'Lost with node A', type: 'technical_support' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body).toMatchObject({ callId, aniE164: '+14155550123' });
    const after = await request(alice.socket, 'wrapup.finish', { callId });
    expect(after).toMatchObject({ ok: true, agent: { state: 'available' } });
  }, 120_000);

  it('a supervisor on node B sees the calls waiting on node A and the agents of every node', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const bob = await agentOn(a!, 'bob');
    await request(bob.socket, 'agent.state.set', { state: 'away', reason: 'lunch' });
    const callId = await call(a!, '+14155550123');
    const admin = await login(b!.url, 'admin', 'alice-demo');
    let view: any = null;
    for (let i = 0; i < 100; i++) {
      view = (await api(b!.url, 'GET', '/api/queues', { token: admin })).body;
      if (view.waitingCalls.some((c: { callId: string }) => c.callId === callId)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view.waitingCalls.map((c: { callId: string }) => c.callId)).toContain(callId);
    expect(view.queues.find((q: { id: string }) => q.id === 'support').waiting).toBe(1);
    expect(view.agents.find((x: { username: string }) => x.username === 'bob')).toMatchObject({ state: 'away', awayReason: 'lunch' });
  }, 120_000);

  it('Redis restarted while a caller waits: the agent on the other node still gets the pop, and answers', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await agentOn(b!, 'alice');
    expect(await request(alice.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    // Let the state reach node A before Redis goes.
    await new Promise((r) => setTimeout(r, 500));
    const pop = nextEvent(alice.socket, 'call.offered', 40_000);
    await redis.kill();
    const callId = await call(a!, '+14155550123');
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.start();
    expect((await pop).callId).toBe(callId);
    const connected = nextEvent(alice.socket, 'call.connected', 15_000);
    expect(await request(alice.socket, 'call.accept', { callId })).toEqual({ ok: true });
    expect((await connected).callId).toBe(callId);
  }, 120_000);
  it('call waiting across nodes: the node with the agent\'s call offers the second, holds and swaps; another node waits for them to be free', async () => {
    const [a, b] = await cluster(['a', 'b'], { routing: { maxCallsPerAgent: 2, ringTimeoutMs: 60_000 } });
    const alice = await agentOn(b!, 'alice');
    const seen = recordEvents(alice.socket, ['call.offered', 'call.held', 'call.resumed']);
    expect(await request(alice.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    const offered = async (callId: string) => {
      const until = Date.now() + 20_000;
      while (!seen.some((e) => e.event === 'call.offered' && e.payload.callId === callId) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(seen.some((e) => e.event === 'call.offered' && e.payload.callId === callId), `offer of ${callId}`).toBe(true);
    };
    const answer = async (callId: string) => {
      const connected = nextEvent(alice.socket, 'call.connected', 10_000);
      expect(await request(alice.socket, 'call.accept', { callId })).toEqual({ ok: true });
      expect((await connected).callId).toBe(callId);
    };
    const c1 = await call(a!, '+14155550123');
    await offered(c1);
    await answer(c1);
    // A second caller on node A (where alice's call is): offered while she is on c1.
    const c2 = await call(a!, '+14155550124');
    await offered(c2);
    await answer(c2);
    const holds = () => seen.filter((e) => e.event !== 'call.offered').map((e) => `${e.event}:${e.payload.callId}`);
    await expect.poll(holds, { timeout: 10_000 }).toEqual([`call.held:${c1}`]);
    // A caller on node B is not offered to alice (her calls are on A), though she has room by count.
    const c3 = await call(b!, '+14155550125');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen.some((e) => e.event === 'call.offered' && e.payload.callId === c3)).toBe(false);

    // Swap from node B: the request runs on node A, which has both calls.
    expect(await request(alice.socket, 'call.resume', { callId: c1 })).toEqual({ ok: true });
    await expect.poll(holds, { timeout: 10_000 }).toEqual([`call.held:${c1}`, `call.held:${c2}`, `call.resumed:${c1}`]);
    // A reconnect to node B gets node A's picture: c1 talked to, c2 held.
    const again = await agentOn(b!, 'alice', alice.token);
    expect(again.snapshot.agent).toMatchObject({ state: 'on-call', calls: 2, maxCalls: 2 });
    expect(again.snapshot.activeCall?.callId).toBe(c1);
    expect(again.snapshot.heldCalls?.map((c) => c.callId)).toEqual([c2]);

    // Both calls end; once alice is free, node B's caller reaches her.
    for (const id of [c2, c1]) {
      const ended = nextEvent(alice.socket, 'call.ended', 10_000);
      expect(await request(alice.socket, 'call.hangup', { callId: id })).toEqual({ ok: true });
      expect((await ended).callId).toBe(id);
    }
    expect(await request(alice.socket, 'wrapup.finish', { callId: c1 })).toMatchObject({ ok: true });
    await offered(c3);
  }, 120_000);
  it('an agent the admin adds on node A logs in and takes calls on node B; disabled on B, they are off on A too; a node started later knows them', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const adminA = await login(a!.url, 'admin', 'alice-demo');
    const created = await api(a!.url, 'POST', '/api/admin/agents', {
      token: adminA,
      body: { username: 'zoe', displayName: 'Zoe New', password: 'zoe-password-1', role: 'agent', queues: ['support'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Node B took the change (the bus, then PostgreSQL): zoe logs in there.
    const loginOn = async (url: string) => (await api(url, 'POST', '/api/auth/login', { body: { username: 'zoe', password: 'zoe-password-1' } })) as { status: number; body: { token?: string } };
    await expect.poll(async () => (await loginOn(b!.url)).status, { timeout: 10_000 }).toBe(200);
    const zoe = await agentOn(b!, 'zoe', (await loginOn(b!.url)).body.token!);
    expect(zoe.snapshot.agent).toMatchObject({ username: 'zoe', displayName: 'Zoe New', state: 'away' });
    // Node A routes a call to her (her presence record exists for every node).
    const pop = nextEvent(zoe.socket, 'call.offered', 20_000);
    expect(await request(zoe.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    const callId = await call(a!, '+14155550123');
    expect((await pop).callId).toBe(callId);
    const connected = nextEvent(zoe.socket, 'call.connected', 10_000);
    expect(await request(zoe.socket, 'call.accept', { callId })).toEqual({ ok: true });
    await connected;
    await api(a!.url, 'POST', `/api/simulator/calls/${callId}/hangup`);

    // A node started now has her too.
    const c = await join('c');
    expect((await loginOn(c.url)).status).toBe(200);

    // Disabled on node B: she cannot log in on A or C, and A lists her disabled.
    const adminB = await login(b!.url, 'admin', 'alice-demo');
    const disabled = await api(b!.url, 'PATCH', '/api/admin/agents/zoe', { token: adminB, body: { disabled: true } });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await expect.poll(async () => (await loginOn(a!.url)).status, { timeout: 10_000 }).toBe(401);
    await expect.poll(async () => (await loginOn(c.url)).status, { timeout: 10_000 }).toBe(401);
    const listA = await api(a!.url, 'GET', '/api/admin/agents', { token: adminA });
    expect(listA.body.agents.find((x: { username: string }) => x.username === 'zoe')).toMatchObject({ disabled: true, source: 'console' });
  }, 120_000);
  it('one line across nodes: an agent freed on node B gets node A\'s older caller before B\'s newer one', async () => {
    const [a, b] = await cluster(['a', 'b'], { routing: { ringTimeoutMs: 60_000 } });
    const alice = await agentOn(b!, 'alice');
    const offers = recordEvents(alice.socket, ['call.offered']);
    const older = await call(a!, '+14155550123');
    await new Promise((r) => setTimeout(r, 300));
    const newer = await call(b!, '+14155550124');
    // Both wait (nobody is available); each node polls the other's line every second.
    await new Promise((r) => setTimeout(r, 1_800));
    // alice becomes available on node B, whose own caller is newer: B leaves her to A's call.
    expect(await request(alice.socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    const first = async () => {
      const until = Date.now() + 10_000;
      while (offers.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return offers[0]?.payload.callId as string | undefined;
    };
    expect(await first()).toBe(older);
    const connected = nextEvent(alice.socket, 'call.connected', 10_000);
    expect(await request(alice.socket, 'call.accept', { callId: older })).toEqual({ ok: true });
    await connected;
    const ended = nextEvent(alice.socket, 'call.ended', 10_000);
    expect(await request(alice.socket, 'call.hangup', { callId: older })).toEqual({ ok: true });
    await ended;
    // Done with it: B's caller is next.
    const next = nextEvent(alice.socket, 'call.offered', 10_000);
    expect(await request(alice.socket, 'wrapup.finish', { callId: older })).toMatchObject({ ok: true });
    expect((await next).callId).toBe(newer);
  }, 120_000);
});
