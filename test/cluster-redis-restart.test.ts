/**
 * A real Redis restart (a private redis-server killed, then started again: it comes back empty) under
 * two cluster buses and two session stores. Requests made during the outage settle (a short one
 * with NODE_TIMEOUT, a long one with its reply once Redis is back); broadcasts and requests work
 * afterwards; revocations survive the empty restart; no false node-down; each connection logs
 * "lost" and "restored" once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClusterBus } from '../connector/cluster/bus.js';
import { ClusterSessionStore } from '../connector/cluster/token-sessions.js';
import { AppError } from '../connector/errors.js';
import { captureLog, redisConnection, testPrefix, waitFor, type LogLine } from './helpers/cluster.js';
import { privateRedis, type PrivateRedis } from './helpers/cluster-nodes.js';

const prefix = testPrefix('restart');
const SECRET = 'a cluster secret of at least thirty-two bytes';

// A Redis of this file's own (a free port): restarting it disturbs no other test file.
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await privateRedis();
});
afterAll(async () => {
  await redis?.kill();
});

it('the bus and the session stores come back after Redis restarts empty', async () => {
  const logs: LogLine[][] = [];
  const logger = (): ReturnType<typeof captureLog>['log'] => {
    const c = captureLog();
    logs.push(c.lines);
    return c.log;
  };
  const redisA = redisConnection(redis.port);
  const a = new ClusterBus({ redis: redisA, nodeId: 'a', log: logger(), prefix, heartbeatMs: 200, nodeTtlMs: 1_000 });
  const b = new ClusterBus({ redis: redisConnection(redis.port), nodeId: 'b', log: logger(), prefix, heartbeatMs: 200, nodeTtlMs: 1_000 });
  const store = (): ClusterSessionStore => new ClusterSessionStore({ redis: redisConnection(redis.port), secret: SECRET, ttlMs: 3_600_000, log: logger(), prefix });
  const sa = store();
  const sb = store();
  const closers: Array<{ close(): Promise<void> }> = [a, b, sa, sb];
  try {
    await Promise.all([a.start(), b.start(), sa.start(), sb.start()]);
    b.handle('echo', (p) => p);
    const heard: unknown[] = [];
    a.subscribe('t', (m) => heard.push(m));
    const reconnected = { a: 0, b: 0 };
    a.onReconnect(() => reconnected.a++);
    b.onReconnect(() => reconnected.b++);
    const downs: string[] = [];
    a.onNodeDown((id, reason) => downs.push(`${id} ${reason}`));
    b.onNodeDown((id, reason) => downs.push(`${id} ${reason}`));
    expect(await a.request('b', 'echo', 'before', { timeoutMs: 2_000 })).toBe('before');
    await waitFor(() => a.peers().includes('b') && b.peers().includes('a'), 'the nodes see each other');
    const revoked = sa.issue('alice').token;
    sa.revoke(revoked);
    await waitFor(() => sb.verify(revoked) === null && sa.unsent === 0, 'the revocation reached B');
    const bobs = sa.issue('bob').token;

    await redis.kill();
    await waitFor(() => redisA.status !== 'ready', 'A notices Redis is gone');

    // During the outage: every call settles, none hangs.
    const short = a.request('b', 'echo', 'short', { timeoutMs: 300 }).catch((e: unknown) => e);
    const long = a.request('b', 'echo', 'during', { timeoutMs: 15_000 });
    const broadcast = a.publish('t', 'lost', { timeoutMs: 300 }).catch((e: unknown) => e);
    sb.revokeUser('bob');
    expect(sb.verify(bobs)).toBeNull();
    expect(sb.unsent).toBe(1);
    expect(await short).toMatchObject({ code: 'NODE_TIMEOUT' });
    expect(await broadcast).toBeInstanceOf(AppError);
    expect(await broadcast).toMatchObject({ code: 'BUS_UNAVAILABLE' });

    await redis.start(); // an empty Redis

    expect(await long).toBe('during');
    await waitFor(() => reconnected.a > 0 && reconnected.b > 0, 'both subscribers resubscribed', 10_000);
    await waitFor(async () => (await a.aliveNodes()).join() === 'a,b', 'both nodes beat again', 10_000);
    expect(await b.request('b', 'echo', 'self', { timeoutMs: 2_000 })).toBe('self');
    expect(await a.request('b', 'echo', 'after', { timeoutMs: 2_000 })).toBe('after');
    await b.publish('t', 'after');
    await waitFor(() => heard.includes('after'), 'the broadcast after the restart');

    // Revocations: the one from before (Redis forgot it) and the one made during the outage.
    await waitFor(() => sa.verify(bobs) === null && sb.unsent === 0, 'A learns of the outage revocation', 10_000);
    const late = store();
    closers.push(late);
    await late.start();
    expect(late.verify(revoked)).toBeNull();
    expect(late.verify(bobs)).toBeNull();
    expect(late.verify(sa.issue('carol').token)).toBe('carol');

    expect(downs).toEqual([]);
    // State changes logged once per connection, not once per reconnection attempt.
    const all = logs.flat();
    const count = (msg: string, connection: string): number => all.filter((l) => l.msg === msg && l.connection === connection).length;
    // Two of each: a and b, sa and sb (`late` started afterwards).
    for (const connection of ['cluster bus commands', 'cluster bus subscriber', 'cluster sessions commands', 'cluster sessions subscriber']) {
      expect(count('redis connection lost; reconnecting', connection), connection).toBe(2);
      expect(count('redis connection restored', connection), connection).toBe(2);
    }
  } finally {
    await redis.start().catch(() => undefined);
    await Promise.all(closers.map((c) => c.close()));
  }
}, 60_000);
