/**
 * Routing decisions per second (issue 6): how fast the ACD takes a waiting call
 * to an offer. 1,000 agents in 10 queues with skills; each decision is one call
 * queued, the longest-idle skilled agent picked, claimed and offered, then the
 * offer withdrawn so the agent is free again.
 *
 * - One process: the local claim. Baseline, same run: a bare loop finding the
 *   longest-idle available agent of a queue in a plain array (the scan alone).
 * - Shared claim: the same, with the agent claimed in Redis (the cluster's
 *   SharedPresence, real Redis on this machine), 50 decisions in flight.
 *   Baseline, same run: bare EVAL round trips of a one-line Lua script on the
 *   same connection, 50 in flight.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { PresenceBoard } from '../connector/agents/presence.js';
import type { LiveCall } from '../connector/calls/live-call.js';
import { Dispatcher } from '../connector/calls/dispatcher.js';
import type { AgentNotifier } from '../connector/calls/notifier.js';
import { SharedPresence } from '../connector/cluster/shared-presence.js';
import { parseConfig } from '../connector/config/load.js';
import { Metrics } from '../connector/metrics.js';
import type { PbxAdapter } from '../adapters/adapter.js';
import type { CallRecord } from '../connector/calls/call-record.js';
import type { Bench, Figure } from './harness.js';

const AGENTS = 1_000;
const QUEUES = 10;
const DECISIONS = 20_000;
const SHARED_DECISIONS = 5_000;
const IN_FLIGHT = 50;

const log = pino({ level: 'silent' });

function rig() {
  const queues = [...Array(QUEUES).keys()].map((i) => ({ id: `q${i}`, name: `Q${i}`, skills: i % 2 ? ['en'] : [] }));
  const config = parseConfig({ queues, ivr: { fallbackQueue: 'q0' } });
  const presence = new PresenceBoard([]);
  for (let i = 0; i < AGENTS; i++) {
    const a = presence.upsert({ username: `a${i}`, displayName: `A${i}`, queues: [`q${i % QUEUES}`, `q${(i + 3) % QUEUES}`], skills: i % 3 ? ['en'] : [] });
    presence.set(a, 'available', Date.now() - i);
  }
  let offered = 0;
  const notifier: AgentNotifier = {
    offered: () => void offered++,
    offerWithdrawn: () => {},
    callConnected: () => {},
    callEnded: () => {},
    agentState: () => {},
  };
  // An adapter that rings nobody: the ring is not what is measured.
  const adapter = { id: 'bench', ringAgent: () => new Promise(() => {}), cancelAgentLeg: async () => {} } as unknown as PbxAdapter;
  const dispatcher = new Dispatcher({ presence, notifier, queues: config.queues, ringTimeoutMs: 3_600_000, metrics: new Metrics(), log, startHold: () => new AbortController() });
  const call = (i: number): LiveCall => ({
    record: { callId: `c${i}`, queue: `q${i % QUEUES}`, priority: 0, queuedAt: new Date().toISOString(), skills: i % 2 ? ['en'] : [], phase: 'ivr' } as unknown as CallRecord,
    adapter, ivr: null, hold: null, offer: null, declinedBy: new Set(), bridgedLegId: null, endRequestedByAgent: false,
  });
  return { presence, dispatcher, call, offered: () => offered };
}

/** Queue, offer, withdraw: one decision, done when the offer is out. */
async function decide(r: ReturnType<typeof rig>, n: number, inFlight: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < n) {
      const c = r.call(next++);
      r.dispatcher.enqueue(c);
      while (!c.offer) await new Promise((res) => setImmediate(res));
      r.dispatcher.withdraw(c, 'declined', { requeue: false, exclude: false });
      r.dispatcher.forget(c);
    }
  };
  await Promise.all([...Array(inFlight).keys()].map(one));
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function bareScan(n: number): number {
  const agents = [...Array(AGENTS).keys()].map((i) => ({ queues: [`q${i % QUEUES}`, `q${(i + 3) % QUEUES}`], idle: Date.now() - i, available: true }));
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let k = 0; k < n; k++) {
    const q = `q${k % QUEUES}`;
    let best = -1;
    for (let i = 0; i < agents.length; i++) {
      const a = agents[i]!;
      if (a.available && a.queues.includes(q) && (best < 0 || a.idle < agents[best]!.idle)) best = i;
    }
    sink += best;
  }
  if (sink === -1) console.log(sink);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export const routingBench: Bench = {
  name: 'routing',
  async run() {
    const figures: Figure[] = [];
    const local = rig();
    await decide(local, 2_000, 1); // warm up
    const scan = bareScan(DECISIONS);
    const perSec = await decide(local, DECISIONS, 1);
    figures.push({ name: 'decisions/s, one process', value: perSec, unit: '/s', baseline: scan, better: 'higher' });

    const prefix = `sbbench:${randomBytes(3).toString('hex')}:`;
    const redis = new Redis({ maxRetriesPerRequest: null });
    const sub = redis.duplicate();
    const shared = rig();
    const sp = new SharedPresence({ redis, sub, board: shared.presence, nodeId: 'bench', prefix, log, onRemoteChange: () => {} });
    await sp.start();
    try {
      await decide(shared, 500, IN_FLIGHT); // warm up
      const t0 = process.hrtime.bigint();
      let k = 0;
      await Promise.all(
        [...Array(IN_FLIGHT).keys()].map(async () => {
          while (k < SHARED_DECISIONS) {
            k++;
            await redis.eval('return 1', 1, `${prefix}noop`);
          }
        }),
      );
      const evals = SHARED_DECISIONS / (Number(process.hrtime.bigint() - t0) / 1e9);
      const sharedPerSec = await decide(shared, SHARED_DECISIONS, IN_FLIGHT);
      figures.push({ name: 'decisions/s, shared claim', value: sharedPerSec, unit: '/s', baseline: evals, better: 'higher' });
    } finally {
      sp.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      sub.disconnect();
      redis.disconnect();
    }
    return {
      title: 'Routing decisions',
      command: 'npm run -s bench -- routing',
      baselineDescription: 'one process: a bare longest-idle scan of the same 1,000 agents; shared claim: bare EVAL round trips to the same Redis, 50 in flight',
      figures,
      notes: [
        `${AGENTS} agents in ${QUEUES} queues, half the queues requiring a skill two thirds of the agents have; a decision is queue -> pick -> claim -> offer, then the offer withdrawn.`,
        'The shared claim is what each node of a cluster does (a Lua script that takes the agent only if it has no offer and is available, or on fewer calls than its maxCalls on this node); its rate is bound by Redis round trips.',
      ],
    };
  },
};
