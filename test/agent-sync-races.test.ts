/**
 * Regressions (found in review) for connector/cluster/agent-sync.ts (commit 43e03d2), over the real
 * PostgreSQL, with in-memory buses between nodes' stores (as test/agent-sync.test.ts does).
 * Each failed on the first version of the sync.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStore, type StoredAgent } from '../connector/agents/agent-store.js';
import { AgentSync } from '../connector/cluster/agent-sync.js';
import type { AgentConfig } from '../connector/config/schema.js';
import { openDatabase } from '../connector/store/db.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { openPostgresDataLayer } from '../connector/store/pg/open.js';
import { freshSchema } from './helpers/cluster-nodes.js';
import { fakeBus, fakeBusWorld, reconnected, type FakeBusWorld } from './helpers/fake-bus.js';

const log = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof freshSchema>>;
let layer: DataLayer;

beforeAll(async () => {
  db = await freshSchema();
  const { POSTGRES_URL } = await import('./helpers/services.js');
  layer = await openPostgresDataLayer({ url: POSTGRES_URL, schema: db.schema });
}, 30_000);

afterAll(async () => {
  await layer?.close();
  await db?.drop();
});

type World = FakeBusWorld;
const world = fakeBusWorld;

/** A node: its own SQLite store, bootstrapped from `config` at `bootAt` (as createSwitchboard does), and its AgentSync. */
function node(name: string, w: World, config: AgentConfig[] = [], bootAt?: string) {
  const store = new AgentStore(openDatabase(':memory:'));
  if (config.length) store.applyConfig(config, bootAt);
  const sync = new AgentSync({ repo: layer.agents!, bus: fakeBus(name, w), store, applied: () => undefined, log });
  return { store, sync };
}

/** The same node restarting: same SQLite, config applied again, a new AgentSync. */
async function restart(n: ReturnType<typeof node>, name: string, w: World, config: AgentConfig[], bootAt: string) {
  n.sync.close();
  n.store.applyConfig(config, bootAt);
  n.sync = new AgentSync({ repo: layer.agents!, bus: fakeBus(name, w), store: n.store, applied: () => undefined, log });
  await n.sync.start();
}

const cfg = (username: string, extra: Partial<AgentConfig> = {}): AgentConfig =>
  ({ username, displayName: username, passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: ['support'], skills: [], ...extra }) as AgentConfig;

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

describe('agent sync', () => {
  it('a node started with a fresh SQLite does not undo a console change made to a config agent', async () => {
    const w = world();
    const config = [cfg('ava')];
    const a = node('a', w, config, '2026-11-23T08:00:00.000Z');
    const b = node('b', w, config, '2026-11-23T08:00:00.000Z');
    await a.sync.start();
    await b.sync.start();
    // The console on a disables ava (a compromised account, say) and resets nothing else.
    a.store.update('ava', { disabled: true }, '2026-11-23T09:00:00.000Z');
    await a.sync.changed('ava');
    await settle();
    expect(b.store.find('ava')?.disabled).toBe(true);
    // A third node is added (new container, empty SQLite), same config file, later.
    const c = node('c', w, config, '2026-11-23T10:00:00.000Z');
    await c.sync.start();
    await settle();
    // The documented rule: "a node started later takes them too".
    expect.soft(c.store.find('ava')?.disabled, 'the new node').toBe(true);
    expect.soft((await layer.agents!.get('ava'))?.disabled, 'PostgreSQL').toBe(true);
    expect.soft(a.store.find('ava')?.disabled, 'node a').toBe(true);
    expect.soft(b.store.find('ava')?.disabled, 'node b').toBe(true);
    for (const n of [a, b, c]) n.sync.close();
  });

  it('a config change rolled out node by node does not re-apply on each node and undo a console change made meanwhile', async () => {
    const w = world();
    const v1 = [cfg('bo')];
    const v2 = [cfg('bo'), cfg('cy')]; // the new config file adds cy
    const a = node('a', w, v1, '2026-11-23T08:00:00.000Z');
    const b = node('b', w, v1, '2026-11-23T08:00:00.000Z');
    await a.sync.start();
    await b.sync.start();
    // Rolling deploy: a restarts first with v2; b takes cy.
    await restart(a, 'a', w, v2, '2026-11-23T09:00:00.000Z');
    await settle();
    expect(b.store.find('cy')?.disabled).toBe(false);
    // The console (on a) disables cy before b is restarted.
    a.store.update('cy', { disabled: true }, '2026-11-23T09:30:00.000Z');
    await a.sync.changed('cy');
    await settle();
    expect(b.store.find('cy')?.disabled).toBe(true);
    // b restarts with the same v2 file: nothing in the file changed since the cluster applied it.
    await restart(b, 'b', w, v2, '2026-11-23T10:00:00.000Z');
    await settle();
    expect.soft(b.store.find('cy')?.disabled, 'node b').toBe(true);
    expect.soft(a.store.find('cy')?.disabled, 'node a').toBe(true);
    a.sync.close();
    b.sync.close();
  });

  it('a node whose clock is behind can still disable an agent another node changed (or says it could not)', async () => {
    const w = world();
    const a = node('a', w);
    const b = node('b', w);
    await a.sync.start();
    await b.sync.start();
    b.store.create({ username: 'dot', displayName: 'Dot', passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: ['support'], endpoint: null, source: 'console' }, '2026-11-23T11:00:05.000Z');
    await b.sync.changed('dot');
    await settle();
    expect(a.store.find('dot')).toBeDefined();
    // a's clock is 2 s behind b's: its admin disables dot "at" 11:00:04 (b's 11:00:06).
    a.store.update('dot', { disabled: true }, '2026-11-23T11:00:04.000Z');
    await a.sync.changed('dot');
    await settle();
    // Either the change reaches the cluster, or a at least does not show an agent disabled that is enabled everywhere else.
    const everywhere = [a.store.find('dot')?.disabled, b.store.find('dot')?.disabled, (await layer.agents!.get('dot'))?.disabled];
    expect(new Set(everywhere).size, `a, b, PostgreSQL: ${JSON.stringify(everywhere)}`).toBe(1);
    a.sync.close();
    b.sync.close();
  });

  it('a change notice missed while the bus was reconnecting is picked up after the reconnect', async () => {
    const w = world();
    const a = node('a', w);
    const b = node('b', w);
    await a.sync.start();
    await b.sync.start();
    a.store.create({ username: 'eve', displayName: 'Eve', passwordHash: 'scrypt$1$1$1$AAAA$BBBB', role: 'agent', queues: ['support'], endpoint: null, source: 'console' }, '2026-11-23T12:00:00.000Z');
    await a.sync.changed('eve');
    await settle();
    expect(b.store.find('eve')?.disabled).toBe(false);
    // b's subscriber is reconnecting (pub/sub is fire-and-forget) while a disables eve.
    w.deaf.add('b');
    a.store.update('eve', { disabled: true }, '2026-11-23T12:00:10.000Z');
    await a.sync.changed('eve');
    w.deaf.delete('b');
    reconnected('b', w); // ClusterBus.onReconnect: "reload your state"
    await settle();
    expect(b.store.find('eve')?.disabled).toBe(true);
    a.sync.close();
    b.sync.close();
  });
});
