/**
 * ClusterBus against the real Redis: request/reply between nodes, coded errors across, timeouts,
 * unreachable and departed nodes, junk on the channels, broadcasts. The Redis restart is in
 * cluster-redis-restart.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ClusterBus, type NodeDownReason } from '../connector/cluster/bus.js';
import { AppError, ERROR_CATALOG } from '../connector/errors.js';
import { captureLog, dropKeys, redisConnection, testPrefix, waitFor, type LogLine } from './helpers/cluster.js';
import { ensureRedis } from './helpers/services.js';

const prefix = testPrefix('bus');
const HEARTBEAT_MS = 100;
const NODE_TTL_MS = 400;

const buses: ClusterBus[] = [];
/** Each node's log lines. */
const logs = new Map<string, LogLine[]>();
const logged = (nodeId: string, msg: string): LogLine[] => (logs.get(nodeId) ?? []).filter((l) => l.msg === msg);

async function startBus(nodeId: string): Promise<ClusterBus> {
  const logged = captureLog();
  logs.set(nodeId, logged.lines);
  const bus = new ClusterBus({ redis: redisConnection(), nodeId, log: logged.log, prefix, heartbeatMs: HEARTBEAT_MS, nodeTtlMs: NODE_TTL_MS });
  buses.push(bus);
  await bus.start();
  return bus;
}

/** The rejection of `p`, which MUST reject. */
async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  await ensureRedis();
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  logs.clear();
});
afterAll(async () => {
  await dropKeys(prefix);
});

describe('request/reply', () => {
  it('runs a handler on another node and returns its value, both ways', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    a.handle('echo', (payload, from) => ({ payload, from, by: 'a' }));
    b.handle('add', async (payload) => {
      const { x, y } = payload as { x: number; y: number };
      return x + y;
    });
    expect(await b.request('a', 'echo', { n: 1 }, { timeoutMs: 2_000 })).toEqual({ payload: { n: 1 }, from: 'b', by: 'a' });
    expect(await a.request<number>('b', 'add', { x: 2, y: 3 }, { timeoutMs: 2_000 })).toBe(5);
    // A node may ask itself; an undefined value travels as undefined.
    a.handle('nothing', () => undefined);
    expect(await a.request('a', 'nothing', null, { timeoutMs: 2_000 })).toBeUndefined();
    expect(await a.aliveNodes()).toEqual(['a', 'b']);
  });

  it('three nodes ask one another at once, and each reply reaches its requester', async () => {
    const ids = ['n1', 'n2', 'n3'];
    const nodes = await Promise.all(ids.map((id) => startBus(id)));
    for (const [i, bus] of nodes.entries()) bus.handle('who', (payload, from) => `${ids[i]} answers ${from} about ${String(payload)}`);
    const asks = nodes.flatMap((bus, i) =>
      ids.filter((id) => id !== ids[i]).flatMap((target) => [1, 2, 3].map((k) => bus.request<string>(target, 'who', k, { timeoutMs: 3_000 }).then((r) => [ids[i], target, k, r]))),
    );
    const replies = await Promise.all(asks);
    expect(replies).toHaveLength(18);
    for (const [asker, target, k, reply] of replies) expect(reply).toBe(`${target} answers ${asker} about ${k}`);
    expect(await nodes[0]?.aliveNodes()).toEqual(ids);
  });

  it('an AppError thrown by the handler reaches the caller with its code, message and fields', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    a.handle('find', (payload) => {
      throw new AppError('CALL_NOT_FOUND', `no call ${String(payload)}`);
    });
    a.handle('check', async () => {
      await Promise.resolve();
      throw new AppError('VALIDATION_FAILED', undefined, { fields: { callId: ['required'] } });
    });
    const notFound = await rejection(b.request('a', 'find', 'c-42', { timeoutMs: 2_000 }));
    expect(notFound).toMatchObject({ code: 'CALL_NOT_FOUND', message: 'no call c-42', httpStatus: 404 });
    const invalid = await rejection(b.request('a', 'check', {}, { timeoutMs: 2_000 }));
    expect(invalid.toBody()).toEqual({ code: 'VALIDATION_FAILED', message: ERROR_CATALOG.VALIDATION_FAILED.text, fields: { callId: ['required'] } });
  });

  it('any other failure is INTERNAL without its detail; an unknown method is NODE_METHOD_UNKNOWN', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    a.handle('boom', () => {
      throw new Error('the database password is hunter2');
    });
    a.handle('big', () => 10n); // a BigInt cannot be JSON: the reply cannot travel
    const internal = await rejection(b.request('a', 'boom', null, { timeoutMs: 2_000 }));
    expect(internal).toMatchObject({ code: 'INTERNAL', message: ERROR_CATALOG.INTERNAL.text });
    expect(logged('a', 'cluster bus: handler failed')).not.toHaveLength(0);
    expect((await rejection(b.request('a', 'big', null, { timeoutMs: 2_000 }))).code).toBe('INTERNAL');
    expect((await rejection(b.request('a', 'nope', null, { timeoutMs: 2_000 }))).code).toBe('NODE_METHOD_UNKNOWN');
    // A payload that cannot travel fails at once, nothing sent.
    expect((await rejection(b.request('a', 'boom', { n: 1n }, { timeoutMs: 2_000 }))).code).toBe('INTERNAL');
  });

  it('times out with NODE_TIMEOUT after exactly its own timeout, and a late reply is ignored', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    a.handle('slow', async () => {
      await released;
      return 'late';
    });
    const started = Date.now();
    const err = await rejection(b.request('a', 'slow', null, { timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('NODE_TIMEOUT');
    expect(err.httpStatus).toBe(504);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(3_000);
    release();
    // The bus still works after the late reply arrives.
    a.handle('fast', () => 'ok');
    expect(await b.request('a', 'fast', null, { timeoutMs: 2_000 })).toBe('ok');
    await expect(b.request('a', 'fast', null, { timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('a node with no heartbeat fails fast with NODE_UNREACHABLE', async () => {
    const b = await startBus('b');
    const started = Date.now();
    const err = await rejection(b.request('ghost', 'anything', null, { timeoutMs: 10_000 }));
    expect(err).toMatchObject({ code: 'NODE_UNREACHABLE', httpStatus: 503 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('no Redis', () => {
  it('start() rejects with BUS_UNAVAILABLE after startTimeoutMs, logging the failure once, not per retry', async () => {
    const { log, lines } = captureLog();
    // Nothing listens on port 1: every reconnection attempt (each 50 ms) is refused.
    const bus = new ClusterBus({ redis: new Redis({ host: '127.0.0.1', port: 1, retryStrategy: () => 50 }), nodeId: 'lonely', log, prefix, startTimeoutMs: 500 });
    const started = Date.now();
    expect((await rejection(bus.start())).code).toBe('BUS_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines.filter((l) => l.level >= 40).map((l) => `${String(l.connection)}: ${l.msg}`)).toEqual([
      'cluster bus commands: redis not reachable; retrying',
      'cluster bus subscriber: redis not reachable; retrying',
    ]);
    expect((await rejection(bus.request('x', 'y', null, { timeoutMs: 100 }))).code).toBe('BUS_CLOSED');
    await bus.close();
  });
});

describe('nodes going down', () => {
  it('close(): the others hear "left" at once, its open requests fail NODE_UNREACHABLE, its own BUS_CLOSED', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    b.handle('hang', () => new Promise(() => undefined));
    a.handle('hang', () => new Promise(() => undefined));
    await waitFor(() => a.peers().includes('b'), 'a sees b');
    const downs: Array<[string, NodeDownReason]> = [];
    a.onNodeDown((id, reason) => downs.push([id, reason]));
    const toB = rejection(a.request('b', 'hang', null, { timeoutMs: 10_000 }));
    const fromB = rejection(b.request('a', 'hang', null, { timeoutMs: 10_000 }));
    const started = Date.now();
    await b.close();
    expect((await fromB).code).toBe('BUS_CLOSED');
    expect((await toB).code).toBe('NODE_UNREACHABLE');
    await waitFor(() => downs.length > 0, 'a node-down notice');
    // 'left', not 'expired': it came with the goodbye, not from the key's expiry.
    expect(downs).toEqual([['b', 'left']]);
    expect(await a.aliveNodes()).toEqual(['a']);
    expect(a.peers()).toEqual([]);
    // The poll that follows does not report it a second time.
    await waitFor(async () => (await a.aliveNodes()).length === 1 && Date.now() - started > NODE_TTL_MS * 2, 'two TTLs');
    expect(downs).toHaveLength(1);
    expect((await rejection(b.request('a', 'hang', null, { timeoutMs: 1_000 }))).code).toBe('BUS_CLOSED');
  });

  it('a killed process (SIGKILL: no goodbye) is reported "expired" once its heartbeat lapses', async () => {
    const a = await startBus('a');
    const child = startChildNode('k');
    try {
      await waitFor(() => a.peers().includes('k'), 'a sees the child node', 10_000);
      expect(await a.request('k', 'ping', null, { timeoutMs: 2_000 })).toBe('pong from k');
      const downs: Array<[string, NodeDownReason]> = [];
      a.onNodeDown((id, reason) => downs.push([id, reason]));
      const hanging = rejection(a.request('k', 'hang', null, { timeoutMs: 20_000 }));
      // The request is at k (its handler holds it) before k dies.
      await waitFor(() => childSaid(child, 'hang received'), 'the child got the request');
      const killedAt = Date.now();
      child.kill('SIGKILL');
      const err = await hanging;
      expect(err.code).toBe('NODE_UNREACHABLE');
      expect(downs).toEqual([['k', 'expired']]);
      // About the TTL plus a poll (generous for a loaded machine), not the request's 20 s.
      expect(Date.now() - killedAt).toBeLessThan(NODE_TTL_MS + 3_000);
      expect((await rejection(a.request('k', 'ping', null, { timeoutMs: 5_000 }))).code).toBe('NODE_UNREACHABLE');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('junk on the channels', () => {
  it('is logged and dropped; the bus keeps serving', async () => {
    const a = await startBus('a');
    const b = await startBus('b');
    a.handle('echo', (p) => p);
    const heard: unknown[] = [];
    a.subscribe('t', (msg) => heard.push(msg));
    const raw = redisConnection();
    try {
      const mine = `${prefix}bus:node:a`;
      const all = `${prefix}bus:all`;
      const junk: Array<[string, string]> = [
        [mine, 'not json'],
        [mine, '{}'],
        [mine, 'null'],
        [mine, '[1,2]'],
        [mine, JSON.stringify({ v: 2, k: 'req', id: 'x', from: 'b', method: 'echo', timeoutMs: 100 })],
        [mine, JSON.stringify({ v: 1, k: 'req', id: 'x', from: 'b c', method: 'echo', timeoutMs: 100 })],
        [mine, JSON.stringify({ v: 1, k: 'req', id: 'x', from: 'b', method: 'echo', timeoutMs: -1 })],
        [mine, JSON.stringify({ v: 1, k: 'res', id: 'no-such-request', from: 'b', outcome: { ok: true, value: 1 } })],
        [mine, JSON.stringify({ v: 1, k: 'res', id: 'x', from: 'b', outcome: { ok: false } })],
        [mine, JSON.stringify({ v: 1, k: 'pub', from: 'b', topic: 't', msg: 'wrong channel', self: true })],
        [all, JSON.stringify({ v: 1, k: 'req', id: 'x', from: 'b', method: 'echo', timeoutMs: 100 })],
        [all, JSON.stringify({ v: 1, k: 'pub', from: 'b', topic: '', msg: 1, self: true })],
        [all, JSON.stringify({ v: 1, k: 'bye' })],
        [all, 'x'.repeat(2_000_000)],
        [all, '\u0000\uffff'],
      ];
      for (const [channel, text] of junk) await raw.publish(channel, text);
      // Messages on one channel arrive in order: once this is heard, all the junk before it was handled.
      await b.publish('t', 'after the junk');
      await waitFor(() => heard.includes('after the junk'), 'the broadcast after the junk');
      expect(heard).toEqual(['after the junk']);
      expect(await b.request('a', 'echo', 'still here', { timeoutMs: 2_000 })).toBe('still here');
      const warned = logged('a', 'cluster bus: dropped a malformed message');
      expect(warned.length).toBeGreaterThanOrEqual(1);
      expect(warned[0]).toHaveProperty('why');
    } finally {
      raw.disconnect();
    }
  });
});

describe('broadcast', () => {
  it('reaches every node, the sender too unless includeSelf is false', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => startBus(id)));
    const heard = new Map<string, Array<[unknown, string]>>();
    for (const bus of nodes) {
      heard.set(bus.nodeId, []);
      bus.subscribe('call.offered', (msg, from) => heard.get(bus.nodeId)?.push([msg, from]));
    }
    const [a] = nodes as [ClusterBus];
    await a.publish('call.offered', { callId: 'c1' });
    await a.publish('call.offered', { callId: 'c2' }, { includeSelf: false });
    await a.publish('call.offered', { callId: 'c3' });
    // In order per channel: c3 heard everywhere means c2 was too, or was skipped.
    await waitFor(() => [...heard.values()].every((h) => h.some(([m]) => (m as { callId: string }).callId === 'c3')), 'c3 everywhere');
    const ids = (node: string): string[] => (heard.get(node) ?? []).map(([m]) => (m as { callId: string }).callId);
    expect(ids('a')).toEqual(['c1', 'c3']);
    expect(ids('b')).toEqual(['c1', 'c2', 'c3']);
    expect(ids('c')).toEqual(['c1', 'c2', 'c3']);
    expect(heard.get('b')?.every(([, from]) => from === 'a')).toBe(true);
  });

  it('a subscriber that throws does not stop the others; unsubscribe stops delivery', async () => {
    const a = await startBus('a');
    const got: unknown[] = [];
    a.subscribe('x', () => {
      throw new Error('listener bug');
    });
    const off = a.subscribe('x', (m) => got.push(m));
    await a.publish('x', 1);
    await waitFor(() => got.length === 1, 'first message');
    off();
    const after: unknown[] = [];
    a.subscribe('x', (m) => after.push(m));
    await a.publish('x', 2);
    await waitFor(() => after.length === 1, 'second message');
    expect(got).toEqual([1]);
    expect(logged('a', "cluster bus: subscriber of 'x' failed")).not.toHaveLength(0);
  });
});

const childOutput = new WeakMap<ChildProcess, string>();
const childSaid = (child: ChildProcess, text: string): boolean => (childOutput.get(child) ?? '').includes(text);

/** A bus in its own process (so it can be SIGKILLed), serving `ping` and `hang`. */
function startChildNode(nodeId: string): ChildProcess {
  const busUrl = new URL('../connector/cluster/bus.ts', import.meta.url).href;
  const helperUrl = new URL('./helpers/cluster.ts', import.meta.url).href;
  const script = `
    const { ClusterBus } = await import(${JSON.stringify(busUrl)});
    const { redisConnection, captureLog } = await import(${JSON.stringify(helperUrl)});
    const bus = new ClusterBus({ redis: redisConnection(), nodeId: ${JSON.stringify(nodeId)}, log: captureLog().log,
      prefix: ${JSON.stringify(prefix)}, heartbeatMs: ${HEARTBEAT_MS}, nodeTtlMs: ${NODE_TTL_MS} });
    bus.handle('ping', () => 'pong from ${nodeId}');
    bus.handle('hang', () => { console.log('hang received'); return new Promise(() => {}); });
    await bus.start();
    console.log('started');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.on('data', (chunk: Buffer) => childOutput.set(child, (childOutput.get(child) ?? '') + chunk.toString()));
  void once(child, 'exit');
  return child;
}
