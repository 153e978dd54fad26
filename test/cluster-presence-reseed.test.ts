/**
 * Regression (found in review): an agent added after start, disabled (off the board)
 * across a Redis restart, then enabled again, gets a presence record again. It failed
 * while SharedPresence remembered agents it had seeded once and never seeded them again.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresenceBoard } from '../connector/agents/presence.js';
import { SharedPresence } from '../connector/cluster/shared-presence.js';
import { ensureRedis, REDIS_HOST, REDIS_PORT } from './helpers/services.js';

const log = pino({ level: 'silent' });
const prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
const open: Array<{ shared: SharedPresence; redis: Redis; sub: Redis }> = [];

beforeAll(async () => {
  await ensureRedis();
});

afterAll(async () => {
  for (const n of open) {
    n.shared.close();
    n.sub.disconnect();
    n.redis.disconnect();
  }
  const r = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('presence records of agents added after start', () => {
  it('an agent added after start, disabled across a Redis restart and enabled again, gets a record again', async () => {
    const board = new PresenceBoard([]);
    board.upsert({ username: 'ann', displayName: 'ann', queues: ['general'] });
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    const sub = redis.duplicate();
    const shared = new SharedPresence({ redis, sub, board, nodeId: 'a', prefix, log, onRemoteChange: () => undefined });
    await shared.start();
    open.push({ shared, redis, sub });
    // The console adds dee; she logs in (seeded: the fix of c4c2acb).
    board.upsert({ username: 'dee', displayName: 'Dee', queues: ['general'] });
    board.set(board.get('dee')!, 'available');
    await until(async () => (await shared.read('dee'))?.state === 'available', 'dee available in Redis');
    // The console disables her (AgentAdmin.takeOffline: away, then off the board).
    board.set(board.get('dee')!, 'away');
    board.remove('dee');
    // Redis restarts empty; the node re-seeds on 'ready' (what a reconnect does).
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.emit('ready');
    await until(async () => (await shared.read('ann')) !== null, 'ann re-seeded');
    // Enabled again in the console; she logs in and becomes available.
    board.upsert({ username: 'dee', displayName: 'Dee', queues: ['general'] });
    board.set(board.get('dee')!, 'available');
    await until(async () => (await shared.read('dee'))?.state === 'available', 'dee available in Redis again');
  });
});
