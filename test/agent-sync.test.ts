/**
 * Agents shared by a cluster's nodes (connector/cluster/agent-sync.ts) over the
 * real PostgreSQL: two nodes' SQLite stores joined by the `agents` table and an
 * in-memory bus. A change made on one node reaches the other; the later write
 * wins (PostgreSQL's version, not the nodes' clocks); a node starting takes the
 * cluster's rows and writes the agents only it has. More cases (config files,
 * missed notices, clock skew) in test/agent-sync-races.test.ts; the
 * multi-process version is in test/cluster-nodes.test.ts.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStore, type StoredAgent } from '../connector/agents/agent-store.js';
import { AgentSync } from '../connector/cluster/agent-sync.js';
import { openDatabase } from '../connector/store/db.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { openPostgresDataLayer } from '../connector/store/pg/open.js';
import { freshSchema } from './helpers/cluster-nodes.js';
import { fakeBus, fakeBusWorld, type FakeBusWorld } from './helpers/fake-bus.js';
import { POSTGRES_URL } from './helpers/services.js';

const log = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof freshSchema>>;
let layer: DataLayer;

beforeAll(async () => {
  db = await freshSchema();
  layer = await openPostgresDataLayer({ url: POSTGRES_URL, schema: db.schema });
}, 30_000);

afterAll(async () => {
  await layer?.close();
  await db?.drop();
});

function node(name: string, w: FakeBusWorld) {
  const store = new AgentStore(openDatabase(':memory:'));
  const applied: Array<{ after: StoredAgent; before: StoredAgent | null }> = [];
  const sync = new AgentSync({ repo: layer.agents!, bus: fakeBus(name, w), store, applied: (after, before) => applied.push({ after, before }), log });
  return { store, sync, applied };
}

const agent = (username: string, updatedAt: string, extra: Partial<StoredAgent> = {}): StoredAgent => ({
  username, displayName: username, passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: ['support'], skills: [], endpoint: null, maxCalls: null,
  disabled: false, source: 'console', createdAt: '2026-11-22T10:00:00.000Z', updatedAt, ...extra,
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('agents shared through PostgreSQL', () => {
  it('every write gets the next version; the later write wins whatever its clock says', async () => {
    const repo = layer.agents!;
    expect(await repo.put(agent('kim', '2026-11-22T10:00:02.000Z', { displayName: 'Kim 2' }), 'h1')).toMatchObject({ version: 1, displayName: 'Kim 2', configHash: 'h1' });
    expect(await repo.put(agent('kim', '2026-11-22T10:00:01.000Z', { displayName: 'Kim 1' }), null)).toMatchObject({ version: 2, displayName: 'Kim 1', configHash: null });
    expect((await repo.get('kim'))?.displayName).toBe('Kim 1');
    expect(await repo.put(agent('kim', '2026-11-22T10:00:03.000Z', { displayName: 'Kim 3', queues: ['billing'], skills: ['fr'], disabled: true }), null)).toMatchObject({ version: 3 });
    expect(await repo.get('kim')).toMatchObject({ displayName: 'Kim 3', queues: ['billing'], skills: ['fr'], disabled: true, version: 3 });
    expect(await repo.get('nobody')).toBeNull();
  });

  it('a change on one node reaches the other, in the order PostgreSQL took them; a starting node catches up', async () => {
    const subs = fakeBusWorld();
    const a = node('a', subs);
    const b = node('b', subs);
    await a.sync.start();
    await b.sync.start();
    // Node a's console creates lee.
    a.store.create({ username: 'lee', displayName: 'Lee', passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: ['support'], endpoint: null, source: 'console' }, '2026-11-22T11:00:00.000Z');
    await a.sync.changed('lee');
    await until(() => b.store.find('lee') !== undefined, 'lee on b');
    expect(b.applied.at(-1)).toMatchObject({ after: { username: 'lee', displayName: 'Lee' }, before: null });
    // Node b disables her later; node a takes it.
    b.store.update('lee', { disabled: true }, '2026-11-22T11:00:05.000Z');
    await b.sync.changed('lee');
    await until(() => a.store.find('lee')?.disabled === true, 'lee disabled on a');
    // A change made on a with its clock behind still wins: it was written last.
    a.store.update('lee', { displayName: 'Lee Renamed' }, '2026-11-22T11:00:01.000Z');
    await a.sync.changed('lee');
    await until(() => b.store.find('lee')?.displayName === 'Lee Renamed', 'the rename on b');
    // Call waiting set in b's console reaches a.
    b.store.update('lee', { maxCalls: 2 }, '2026-11-22T11:00:07.000Z');
    await b.sync.changed('lee');
    await until(() => a.store.find('lee')?.maxCalls === 2, 'maxCalls on a');
    expect(b.store.find('lee')).toMatchObject({ disabled: true });
    // A node starting now has lee, and writes its own newer agent for the others.
    const c = node('c', subs);
    c.store.create({ username: 'max', displayName: 'Max', passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: [], endpoint: null, source: 'console' }, '2026-11-22T12:00:00.000Z');
    await c.sync.start();
    expect(c.store.find('lee')).toMatchObject({ disabled: true });
    await until(() => a.store.find('max') !== undefined && b.store.find('max') !== undefined, 'max on a and b');
    for (const n of [a, b, c]) n.sync.close();
  });
});
