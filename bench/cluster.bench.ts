/**
 * Pop latency with two nodes against one (issue 6): a caller arrives, the flow
 * queues the call at once, and the time until the agent's widget has the pop
 * (socket.io client in this process) is measured, call after call.
 *
 * - Baseline, same run: one `switchboard serve` process, the embedded default
 *   (no cluster), the agent connected to it.
 * - One cluster node: the same with `cluster` set (PostgreSQL, Redis): what the
 *   shared claim and the Redis adapter cost on one node.
 * - Two nodes: the call arrives at node A, the agent is connected to node B.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ScreenPop } from '../connector/protocol.js';
import { clusterSpec, freshSchema, privateRedis, startNode, type NodeProcess } from '../test/helpers/cluster-nodes.js';
import { percentile, type Bench, type Figure } from './harness.js';

const CALLS = 150;
const WARMUP = 20;

const INSTANT_FLOW = 'name: instant\nlanguages: [en]\ndefaultLanguage: en\nstart: q\nnodes:\n  q: { kind: queue, queue: support }\n';

async function post(url: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

async function agent(url: string): Promise<Socket> {
  const { body } = await post(url, '/api/auth/login', { username: 'alice', password: 'alice-demo' });
  const socket = io(`${url}/agent`, { auth: { token: body.token }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('session.snapshot', (_s: unknown, ack?: () => void) => {
      ack?.();
      resolve();
    });
    socket.once('connect_error', reject);
  });
  await new Promise<void>((resolve) => socket.emit('agent.state.set', { state: 'available' }, () => resolve()));
  return socket;
}

/** Sorted pop latencies in ms: call placed on `callNode`, pop at the agent's socket. */
async function measure(callNode: NodeProcess, socket: Socket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const popped = new Promise<ScreenPop>((resolve) => socket.once('call.offered', (pop: ScreenPop, ack?: () => void) => {
      ack?.();
      resolve(pop);
    }));
    const t0 = performance.now();
    const { body } = await post(callNode.url, '/api/simulator/calls', { from: '+14155550123', to: '+18005550100' });
    const pop = await popped;
    out.push(performance.now() - t0);
    if (pop.callId !== body.callId) throw new Error('a pop for another call');
    const withdrawn = new Promise<void>((resolve) => socket.once('call.offer.withdrawn', () => resolve()));
    await post(callNode.url, `/api/simulator/calls/${body.callId}/hangup`);
    await withdrawn;
  }
  return out.sort((a, b) => a - b);
}

export const clusterBench: Bench = {
  name: 'cluster',
  async run() {
    const flows = mkdtempSync(join(tmpdir(), 'sb-bench-flows-'));
    writeFileSync(join(flows, 'instant.yaml'), INSTANT_FLOW);
    const ivr = { ivr: { watch: false, flowsDir: flows, defaultFlow: 'instant' } };
    const redis = await privateRedis();
    const db = await freshSchema();
    const nodes: NodeProcess[] = [];
    const sockets: Socket[] = [];
    const figures: Figure[] = [];
    try {
      const single = await startNode('single', clusterSpec(redis.url, db.schema), { ...ivr, cluster: undefined });
      nodes.push(single);
      const spec = clusterSpec(redis.url, db.schema);
      const a = await startNode('a', spec, { ...ivr });
      const b = await startNode('b', spec, { ...ivr });
      nodes.push(a, b);

      const s1 = await agent(single.url);
      sockets.push(s1);
      await measure(single, s1, WARMUP);
      const base = await measure(single, s1, CALLS);
      s1.close();

      const sb = await agent(b.url);
      sockets.push(sb);
      await measure(b, sb, WARMUP);
      const oneNode = await measure(b, sb, CALLS);
      await measure(a, sb, WARMUP);
      const twoNodes = await measure(a, sb, CALLS);

      for (const p of [50, 99]) {
        figures.push({ name: `pop p${p}, one cluster node`, value: percentile(oneNode, p), unit: 'ms', baseline: percentile(base, p), better: 'lower' });
        figures.push({ name: `pop p${p}, two nodes`, value: percentile(twoNodes, p), unit: 'ms', baseline: percentile(base, p), better: 'lower' });
      }
      figures.push({ name: 'pop p50, two nodes vs one', value: percentile(twoNodes, 50), unit: 'ms', baseline: percentile(oneNode, 50), better: 'lower' });
    } finally {
      for (const s of sockets) s.close();
      await Promise.all(nodes.map((n) => n.kill()));
      await redis.kill();
      await db.drop();
      rmSync(flows, { recursive: true, force: true });
    }
    return {
      title: 'Pop latency, two nodes against one',
      command: 'npm run -s bench -- cluster',
      baselineDescription: 'one `switchboard serve` process with the embedded default (no cluster), measured in the same run; the last line compares two nodes with one cluster node',
      figures,
      notes: [
        `${CALLS} calls one after another (after ${WARMUP} to warm up), each from the simulator's HTTP request to the pop at the agent's socket.io client, with a flow that queues at once; the agent is the only one, so the caller hangs up after each pop.`,
        'Two nodes: the call arrives at node A, the agent is connected to node B; the claim goes through Redis (Lua), the pop through the socket.io Redis adapter. All processes, PostgreSQL and Redis share this 2-core machine.',
      ],
    };
  },
};
