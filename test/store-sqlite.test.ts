/**
 * The SQLite data layer: the shared contract (a database file per test in a temp
 * directory, a second layer being a second connection to the file), and the
 * escalation migration on a database that has cases already.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, migrate } from '../connector/store/db.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { openSqliteDataLayer } from '../connector/store/sqlite/open.js';
import { describeDataLayerContract } from './store-contract.js';

describeDataLayerContract('SQLite', async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  const layers: DataLayer[] = [];
  const open = (): DataLayer => {
    const layer = openSqliteDataLayer({ dataDir: dir, ...options });
    layers.push(layer);
    return layer;
  };
  return {
    layer: open(),
    openSecond: async () => open(),
    dispose: async () => {
      for (const layer of layers) await layer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite escalation migration', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('leaves the cases already there with their creator and a created event', () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
    const at = MIGRATIONS.findIndex((m) => m.name === 'case assignee and events');
    expect(at).toBeGreaterThan(0);
    // A database from the release before that step: every step before it, then the rest (later steps too).
    const old = new BetterSqlite3(join(dir, 'old.db'));
    migrate(old, MIGRATIONS.slice(0, at));
    old
      .prepare(
        `INSERT INTO cases (subject, type, priority, status, origin, description, queue, agent, created_at)
         VALUES ('Old case', 'technical_support', 'low', 'open', 'phone', '', 'support', 'bob', '2025-01-02T03:04:05.000Z')`,
      )
      .run();
    migrate(old);
    const store = new SqliteCaseStore(old, { defaultRegion: 'US' });
    expect(store.get('00001001')).toMatchObject({ agent: 'bob', assignee: 'bob' });
    expect(store.events('00001001')).toEqual([
      { at: '2025-01-02T03:04:05.000Z', by: 'bob', kind: 'created', fromQueue: null, toQueue: 'support', assignee: 'bob', note: null, fields: [] },
    ]);
    old.close();
  });
});
