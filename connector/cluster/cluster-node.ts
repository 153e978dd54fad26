/**
 * One node of a Switchboard cluster (docs/scale-out.md): what `config.cluster`
 * adds to the one-process connector.
 *
 * - Presence shared in Redis (SharedPresence): each node routes the calls of
 *   its own PBX adapters, and an agent is claimed cluster-wide, so no agent is
 *   offered two calls and no call two agents.
 * - Pops and agent events cross nodes over socket.io's Redis Streams adapter: a
 *   call on node A pops on an agent connected to node B; a short Redis outage
 *   delays messages (the stream resumes where it was) rather than losing them.
 * - Agent requests run on the node owning the call (ClusterCalls over the bus).
 * - Sessions are signed tokens any node can check (ClusterSessionStore).
 * - A node that dies: the others release the offers it held and put its agents'
 *   calls in after-call work, so nobody stays ringing or on a call that is gone.
 */
import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PresenceBoard } from '../agents/presence.js';
import type { AgentCalls } from '../calls/agent-calls.js';
import type { CallCenter } from '../calls/call-center.js';
import type { CallRecord } from '../calls/call-record.js';
import type { Dispatcher } from '../calls/dispatcher.js';
import type { Config } from '../config/schema.js';
import { readSecret } from '../config/secrets.js';
import { ClusterBus } from './bus.js';
import { AgentSync, type AgentSyncOptions } from './agent-sync.js';
import { ClusterCalls } from './cluster-calls.js';
import { RemoteLine, type RemoteWaiting } from './remote-line.js';
import { SharedPresence } from './shared-presence.js';
import { ClusterSessionStore } from './token-sessions.js';

export type ClusterConfig = NonNullable<Config['cluster']>;

export interface ClusterParts {
  callCenter: CallCenter;
  dispatcher: Dispatcher;
  /** A dead node held this agent's offer or call: tell their widgets (it stopped ringing; the call is gone). */
  nodeLost: (username: string, lost: { offer: string | null; call: string | null }) => void;
}

/** The node id: configured, else host name and process id (lowercased to an id). */
export function nodeIdOf(c: ClusterConfig): string {
  return c.nodeId ?? `${hostname()}-${process.pid}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
}

export interface ClusterNode {
  readonly nodeId: string;
  readonly sessions: ClusterSessionStore;
  /** For the socket.io server's `adapter` option. */
  readonly ioAdapter: ReturnType<typeof createAdapter>;
  /** A revocation made on another node: `username` (or everyone, for null) to be checked again here. */
  onRemoteRevocation(fn: (username: string | null) => void): void;
  /** The calls waiting on the other nodes, as last polled (every second): the supervisor view's whole line. */
  remoteWaiting(): ReadonlyArray<{ record: CallRecord }>;
  /** Binds the call center once it exists; returns what the `/agent` namespace talks to. */
  bind(parts: ClusterParts): AgentCalls;
  /** Shares the admin console's agent changes with the other nodes (PostgreSQL + the bus); started by `start`. */
  shareAgents(o: Omit<AgentSyncOptions, 'bus' | 'log'>): AgentSync;
  /** Connects to Redis and loads the shared state: MUST resolve before the node serves. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createClusterNode(o: { config: ClusterConfig; presence: PresenceBoard; tokenTtlMs: number; log: Logger }): ClusterNode {
  const c = o.config;
  const nodeId = nodeIdOf(c);
  const log = o.log.child({ node: nodeId });
  const redisOptions = { maxRetriesPerRequest: null, enableAutoPipelining: true } as const;
  const connect = () => new Redis(c.redisUrl, redisOptions);
  const presenceRedis = connect();
  const presenceSub = connect();
  const streamRedis = connect();
  const secret = readSecret({ value: c.secret, env: c.secretEnv, file: c.secretFile }, 'cluster.secret');
  const sessions = new ClusterSessionStore({ redis: connect(), secret, ttlMs: o.tokenTtlMs, log, prefix: c.redisPrefix });
  const bus = new ClusterBus({ redis: connect(), nodeId, log, prefix: c.redisPrefix });
  let parts: ClusterParts | null = null;

  const shared = new SharedPresence({
    redis: presenceRedis,
    sub: presenceSub,
    board: o.presence,
    nodeId,
    prefix: c.redisPrefix,
    log,
    onOfferLost: (username, callId) => {
      const call = parts?.callCenter.liveCall(callId);
      if (call?.offer?.agent === username && !call.offer.answered) parts?.dispatcher.withdraw(call, 'agent-unavailable', { requeue: true, exclude: false });
    },
    onRemoteChange: (agent, before) => {
      if (!parts) return;
      const { callCenter, dispatcher } = parts;
      // Our call ringing an agent who went away or lost their phone on another node: it moves on.
      const ours = before.offeredCallId ? callCenter.liveCall(before.offeredCallId) : undefined;
      // ... or whose offer Redis now says is not ours (this node was taken for dead meanwhile).
      const lost = agent.offeredCallId !== before.offeredCallId;
      if (ours?.offer?.agent === agent.username && !ours.offer.answered && (lost || agent.state !== 'available' || !agent.reachable)) {
        dispatcher.withdraw(ours, 'agent-unavailable', { requeue: true, exclude: agent.state === 'away' });
      }
      if (agent.state === 'available' && agent.reachable && agent.offeredCallId === null) dispatcher.dispatch();
    },
  });
  let calls: ClusterCalls | null = null;
  let agentSync: AgentSync | null = null;
  /** The shared presence runs (agents taken before it starts are read by its own start). */
  let started = false;
  /** Other nodes' waiting calls, refreshed each second: the supervisors' whole line, and one line for routing. */
  const line = new RemoteLine();
  let poller: NodeJS.Timeout | null = null;
  const pollWaiting = async (): Promise<void> => {
    const next = new Map<string, readonly RemoteWaiting[]>();
    await Promise.all(
      bus.peers().map(async (node) => {
        try {
          // `calls.line` (with who declined each call); a node of an older version knows only `calls.waiting`.
          const answer = await bus
            .request<unknown[]>(node, 'calls.line', {}, { timeoutMs: 900 })
            .catch(() => bus.request<unknown[]>(node, 'calls.waiting', {}, { timeoutMs: 900 }));
          next.set(node, answer.map(remoteWaiting));
        } catch {
          next.set(node, line.of(node)); // slow or gone: keep the last view until its heartbeat says
        }
      }),
    );
    line.update(next);
    // Calls of ours left waiting for another node's older call: offered now if that call went.
    if (parts && parts.dispatcher.waitingCount > 0) parts.dispatcher.dispatch();
  };

  return {
    nodeId,
    sessions,
    ioAdapter: createAdapter(streamRedis, { streamName: `${c.redisPrefix}socket.io`, maxLen: 100_000 }),
    onRemoteRevocation(fn) {
      sessions.onRemoteRevocation((r) => fn(r.kind === 'except' ? null : r.username));
    },
    remoteWaiting() {
      return line.all();
    },
    bind(p) {
      parts = p;
      // Bare records for nodes of an older version (their supervisor view reads them), and the line with decliners.
      bus.handle('calls.waiting', () => p.dispatcher.waitingCalls().map((c) => c.record));
      bus.handle('calls.line', () => p.dispatcher.waitingCalls().map((c): RemoteWaiting => ({ record: c.record, declinedBy: [...c.declinedBy] })));
      p.dispatcher.leftElsewhere = () => line.leftElsewhere(o.presence.all());
      calls = new ClusterCalls({ local: p.callCenter, presence: shared, bus, nodeId, log });
      return calls;
    },
    shareAgents(a) {
      agentSync = new AgentSync({
        ...a,
        bus,
        log,
        applied: (after, before) => {
          a.applied(after, before);
          // Joined this board after their presence record may have changed: read it.
          if (!after.disabled && started) void shared.reload(after.username);
        },
      });
      return agentSync;
    },
    async start() {
      await sessions.start();
      await bus.start();
      // Agents first: the presence records are written for the agents the board has.
      await agentSync?.start();
      await shared.start();
      started = true;
      bus.onNodeDown((node, reason) => {
        log.warn({ down: node, reason }, 'a cluster node is down; releasing its offers and calls');
        // Retried: a Redis hiccup as a node dies must not leave its agents held for good.
        const forget = async (attempt: number): Promise<void> => {
          try {
            const agents = await shared.forgetNode(node);
            // The node that changed an agent tells their widgets (ringing stopped, or the call is gone: wrap up).
            agents.forEach((a) => parts?.nodeLost(a.username, { offer: a.offer, call: a.call }));
          } catch (err) {
            if (attempt >= 10) return log.error({ err, down: node }, 'releasing a dead node\'s agents failed');
            setTimeout(() => void forget(attempt + 1), 1_000).unref();
          }
        };
        void forget(1);
      });
      poller = setInterval(() => void pollWaiting(), 1_000);
      poller.unref();
      log.info({ redis: new URL(c.redisUrl).host }, 'cluster node started');
    },
    async close() {
      if (poller) clearInterval(poller);
      calls?.close();
      agentSync?.close();
      shared.close();
      await Promise.allSettled([bus.close(), sessions.close()]);
      presenceSub.disconnect();
      presenceRedis.disconnect();
      streamRedis.disconnect();
    },
  };
}

/** A waiting call as a peer reported it (a node of an older version sends the bare record). */
function remoteWaiting(x: unknown): RemoteWaiting {
  const w = x as Partial<RemoteWaiting> | null;
  if (w && typeof w === 'object' && w.record) return { record: w.record, declinedBy: Array.isArray(w.declinedBy) ? w.declinedBy : [] };
  return { record: x as CallRecord, declinedBy: [] };
}
