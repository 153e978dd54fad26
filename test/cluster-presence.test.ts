/**
 * Shared presence over the real Redis: two (and three) nodes' boards stay in
 * step; a claim of one agent raced from several nodes has exactly one winner;
 * a released offer frees the agent everywhere; junk on the channel is dropped.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceBoard, type AgentPresence } from '../connector/agents/presence.js';
import { SharedPresence } from '../connector/cluster/shared-presence.js';
import { ensureRedis, REDIS_HOST, REDIS_PORT } from './helpers/services.js';

const log = pino({ level: 'silent' });
const AGENTS = ['ann', 'ben', 'cat'];
let prefix = '';
const open: Array<{ shared: SharedPresence; redis: Redis; sub: Redis }> = [];

beforeAll(async () => {
  await ensureRedis();
});

afterEach(async () => {
  for (const n of open.splice(0)) {
    n.shared.close();
    n.sub.disconnect();
    n.redis.disconnect();
  }
});

afterAll(async () => {
  const r = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

async function node(nodeId: string, changes: Array<{ node: string; agent: string; before: Partial<AgentPresence> }> = [], claimTimeoutMs?: number) {
  const board = new PresenceBoard([]);
  for (const u of AGENTS) board.upsert({ username: u, displayName: u, queues: ['general'] });
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  const sub = redis.duplicate();
  const shared = new SharedPresence({ redis, sub, board, nodeId, prefix, log, onRemoteChange: (a, before) => changes.push({ node: nodeId, agent: a.username, before }), ...(claimTimeoutMs ? { claimTimeoutMs } : {}) });
  await shared.start();
  open.push({ shared, redis, sub });
  return { board, shared, redis, changes };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('shared presence over Redis', () => {
  it('a state change on one node reaches the others, with its reason; the connector hears it', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const a = await node('a');
    const b = await node('b');
    a.board.set(a.board.get('ann')!, 'available');
    await until(() => b.board.get('ann')!.state === 'available', 'ann available on b');
    expect(b.changes.at(-1)).toMatchObject({ node: 'b', agent: 'ann', before: { state: 'away' } });
    b.board.set(b.board.get('ann')!, 'away', Date.now(), 'lunch');
    await until(() => a.board.get('ann')!.awayReason === 'lunch', 'ann at lunch on a');
    expect(a.board.get('ann')!.state).toBe('away');
    b.board.setReachable(b.board.get('ben')!, false);
    await until(() => a.board.get('ben')!.reachable === false, 'ben unreachable on a');
    // A third node started later finds everything as it is.
    const c = await node('c');
    expect(c.board.get('ann')).toMatchObject({ state: 'away', awayReason: 'lunch' });
    expect(c.board.get('ben')!.reachable).toBe(false);
  });

  it('one agent claimed from three nodes at once: exactly one wins, every time', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const nodes = [await node('a'), await node('b'), await node('c')];
    for (let round = 0; round < 30; round++) {
      const ann = nodes[0]!.board.get('ann')!;
      nodes[0]!.board.set(ann, 'available');
      await until(() => nodes.every((n) => n.board.get('ann')!.state === 'available' && n.board.get('ann')!.offeredCallId === null), `round ${round}: ann free everywhere`);
      const results = await Promise.all(nodes.map((n, i) => n.board.claim(n.board.get('ann')!, `call-${round}-${i}`)));
      expect(results.filter((r) => r === true), `round ${round}`).toHaveLength(1);
      const winner = results.indexOf(true);
      const callId = `call-${round}-${winner}`;
      await until(() => nodes.every((n) => n.board.get('ann')!.offeredCallId === callId), `round ${round}: everyone sees the winner's offer`);
      expect((await nodes[0]!.shared.read('ann'))?.offer).toBe(callId);
      // The winner releases; everyone sees ann free again, and a loser cannot release it.
      nodes[(winner + 1) % 3]!.board.releaseOffer(nodes[(winner + 1) % 3]!.board.get('ann')!, `call-${round}-${(winner + 1) % 3}`);
      nodes[winner]!.board.releaseOffer(nodes[winner]!.board.get('ann')!, callId);
      await until(() => nodes.every((n) => n.board.get('ann')!.offeredCallId === null), `round ${round}: released everywhere`);
    }
  });

  it('call waiting: an agent on a call is claimed for another only by the node with their calls, and never past maxCalls', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const a = await node('a');
    const b = await node('b');
    for (const n of [a, b]) n.board.get('cat')!.maxCalls = 2;
    const catOn = (n: typeof a) => n.board.get('cat')!;
    // cat connects to call c1 on node a (what the call center does), and is on-call.
    a.board.set(catOn(a), 'available');
    expect(await a.board.claim(catOn(a), 'c1')).toBe(true);
    a.board.setOffer(catOn(a), null);
    a.board.setCall(catOn(a), 'c1', ['c1']);
    a.board.set(catOn(a), 'on-call');
    await until(() => catOn(b).state === 'on-call' && catOn(b).callIds.join() === 'c1' && catOn(b).offeredCallId === null, 'cat on c1, seen on b');
    expect(catOn(b).callsElsewhere).toBe(true);
    expect(catOn(a).callsElsewhere).toBe(false);
    // Node b may not offer cat a waiting call (her call is on a), even bypassing its mirror.
    expect(b.board.pick('general', [], new Set())?.username).not.toBe('cat');
    Object.assign(catOn(b), { callsElsewhere: false });
    expect(await b.board.claim(catOn(b), 'c2-from-b')).toBe(false);
    expect(catOn(b).callsElsewhere).toBe(true); // the mirror took Redis's record
    // Node a may: one more call.
    expect(a.board.pick('general', [], new Set(['ann', 'ben']))?.username).toBe('cat');
    expect(await a.board.claim(catOn(a), 'c2')).toBe(true);
    a.board.setOffer(catOn(a), null);
    a.board.setCall(catOn(a), 'c2', ['c1', 'c2']);
    await until(async () => (await a.shared.read('cat'))?.calls.join() === 'c1,c2', 'two calls in Redis');
    await until(() => catOn(b).callIds.length === 2, 'two calls seen on b');
    // Full: not even node a can claim her now, bypassing its mirror.
    expect(a.board.pick('general', [], new Set(['ann', 'ben']))).toBeNull();
    Object.assign(catOn(a), { callIds: ['c1'] });
    expect(await a.board.claim(catOn(a), 'c3')).toBe(false);
    expect(catOn(a).callIds).toEqual(['c1', 'c2']);
    // The calls end: after-call work empties the list everywhere.
    a.board.set(catOn(a), 'after-call-work');
    await until(async () => (await a.shared.read('cat'))?.calls.length === 0, 'no calls in Redis');
    await until(() => catOn(b).state === 'after-call-work' && catOn(b).callIds.length === 0, 'after-call work on b');
  });

  it('an agent added after start (the admin console) gets a record: their state reaches the others and they can be claimed', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const a = await node('a');
    const b = await node('b');
    for (const n of [a, b]) n.board.upsert({ username: 'dee', displayName: 'Dee', queues: ['general'] });
    a.board.set(a.board.get('dee')!, 'available');
    await until(async () => (await a.shared.read('dee'))?.state === 'available', 'dee available in Redis');
    await until(() => b.board.get('dee')!.state === 'available', 'dee available on b');
    expect(await b.board.claim(b.board.get('dee')!, 'd1')).toBe(true);
  });

  it('an agent who is away, unreachable or ringing cannot be claimed', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const a = await node('a');
    const b = await node('b');
    const ben = () => b.board.get('ben')!;
    expect(await b.board.claim(ben(), 'x1')).toBe(false); // away
    a.board.set(a.board.get('ben')!, 'available');
    a.board.setReachable(a.board.get('ben')!, false);
    await until(() => !ben().reachable && ben().state === 'available', 'ben available but unreachable on b');
    // b's mirror is bypassed: Redis decides.
    Object.assign(ben(), { reachable: true });
    expect(await b.board.claim(ben(), 'x2')).toBe(false);
    expect(ben().reachable).toBe(false); // the mirror took Redis's record
    a.board.setReachable(a.board.get('ben')!, true);
    await until(() => ben().reachable, 'ben reachable on b');
    expect(await a.board.claim(a.board.get('ben')!, 'x3')).toBe(true);
    await until(() => ben().offeredCallId === 'x3', 'offer seen on b');
    Object.assign(ben(), { offeredCallId: null });
    expect(await b.board.claim(ben(), 'x4')).toBe(false);
  });

  it('drops junk on the channel and keeps working', async () => {
    prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
    const a = await node('a');
    const b = await node('b');
    await a.redis.publish(`${prefix}presence`, 'not json');
    await a.redis.publish(`${prefix}presence`, JSON.stringify({ key: `${prefix}agent:ann`, rec: ['state', 'dancing', 'ver', '999'] }));
    await a.redis.publish(`${prefix}presence`, JSON.stringify({ key: 42 }));
    a.board.set(a.board.get('cat')!, 'available');
    await until(() => b.board.get('cat')!.state === 'available', 'cat available on b');
    expect(b.board.get('ann')!.state).toBe('away');
  });

  // Regressions from review (each once left an offer in Redis that nothing released, or a stale mirror).
  describe('records that must not go stale', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('a claim that timed out here but ran in Redis later is released after it', async () => {
      prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
      const a = await node('a', [], 1);
      const ann = a.board.get('ann')!;
      a.board.set(ann, 'available');
      await sleep(50);
      a.redis.disconnect(true); // a blip: the claim is resent on reconnect
      expect(await a.board.claim(ann, 'c1')).toBe(false);
      await until(() => a.redis.status === 'ready', 'reconnected');
      await sleep(200);
      expect((await a.shared.read('ann'))?.offer).toBeNull();
      expect(ann.offeredCallId).toBeNull();
      // Claimable again. From a node with the usual claim timeout: node a's 1 ms one (there to make
      // the first claim time out) fails a claim on a loaded machine however free the agent is.
      const b = await node('b');
      await until(() => b.board.get('ann')!.state === 'available' && b.board.get('ann')!.offeredCallId === null, 'ann free on b');
      expect(await b.board.claim(b.board.get('ann')!, 'c2')).toBe(true);
    });

    it('a won claim keeps its offer against an older record of another node, and releases it', async () => {
      prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
      const a = await node('a');
      const b = await node('b');
      const annA = a.board.get('ann')!;
      a.board.set(annA, 'available');
      await until(() => b.board.get('ann')!.state === 'available', 'available on b');
      b.board.setWrapUpEnd(b.board.get('ann')!, null); // written just before A's claim
      expect(await a.board.claim(annA, 'c1')).toBe(true);
      await sleep(100);
      expect(annA.offeredCallId).toBe('c1');
      a.board.releaseOffer(annA, 'c1');
      await until(async () => (await a.shared.read('ann'))?.offer === null, 'released in Redis');
    });

    it('a change made here while another node writes the same agent ends as Redis has it', async () => {
      prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
      const a = await node('a');
      const b = await node('b');
      const annA = a.board.get('ann')!;
      a.board.set(annA, 'on-call');
      await until(() => b.board.get('ann')!.state === 'on-call', 'on-call on b');
      b.board.setReachable(b.board.get('ann')!, false); // B's write first
      a.board.set(annA, 'after-call-work'); // A's right after
      await sleep(200);
      const rec = await a.shared.read('ann');
      expect(rec).toMatchObject({ state: 'after-call-work', reachable: false });
      expect(annA).toMatchObject({ state: 'after-call-work', reachable: false });
    });

    it('writes queued while Redis was away do not leave a partial record that nobody can claim', async () => {
      prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
      const a = await node('a');
      const ann = a.board.get('ann')!;
      a.board.set(ann, 'available');
      await sleep(50);
      const other = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
      a.redis.disconnect(true);
      await other.del(`${prefix}agent:ann`); // what a Redis restart does to the hash
      a.board.setReachable(ann, false); // queued offline
      a.board.setReachable(ann, true);
      await until(() => a.redis.status === 'ready', 'reconnected');
      await sleep(300);
      other.disconnect();
      expect(await a.shared.read('ann')).toMatchObject({ state: 'available', reachable: true });
      expect(await a.board.claim(ann, 'c9')).toBe(true);
    });

    it('an offer released while Redis reconnects is not brought back by the re-seeding', async () => {
      prefix = `sbtest:${randomBytes(4).toString('hex')}:`;
      const a = await node('a');
      const ann = a.board.get('ann')!;
      a.board.set(ann, 'available');
      await sleep(50);
      expect(await a.board.claim(ann, 'c1')).toBe(true);
      a.redis.disconnect(true);
      await new Promise((r) => a.redis.once('ready', r));
      a.board.releaseOffer(ann, 'c1'); // the offer ends right then
      await sleep(300);
      expect(ann.offeredCallId).toBeNull();
      expect((await a.shared.read('ann'))?.offer).toBeNull();
    });
  });
});
