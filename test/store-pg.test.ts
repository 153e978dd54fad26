/**
 * The PostgreSQL data layer: the shared contract, then what only PostgreSQL has
 * (migrations under an advisory lock, the schema version check, index use).
 *
 * Isolation: this file gets its own schema `sb_<random>` on the test database,
 * dropped at the end; every layer reaches it through `search_path`. Each contract
 * test starts from empty tables (TRUNCATE ... RESTART IDENTITY, so case numbers
 * start at 00001001 again).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataLayer } from '../connector/store/data-layer.js';
import { OPEN_CASES_SQL } from '../connector/store/pg/case-repo.js';
import { FIND_BY_E164_SQL } from '../connector/store/pg/contact-repo.js';
import { PG_MIGRATIONS } from '../connector/store/pg/migrations.js';
import { openPostgresDataLayer, type PostgresDataLayerOptions } from '../connector/store/pg/open.js';
import { ensurePostgres, POSTGRES_URL } from './helpers/services.js';
import { describeDataLayerContract, phone } from './store-contract.js';

const SCHEMA = `sb_${randomBytes(6).toString('hex')}`;
let admin: pg.Client;

beforeAll(async () => {
  await ensurePostgres();
  admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

const TABLES = 'calls, case_events, idempotency_keys, cases, contact_phones, contacts, accounts';

describeDataLayerContract('PostgreSQL', async (options) => {
  const layers: DataLayer[] = [];
  const open = async (): Promise<DataLayer> => {
    const layer = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA, poolSize: 4, ...options });
    layers.push(layer);
    return layer;
  };
  const layer = await open();
  await admin.query(`TRUNCATE ${TABLES.split(', ').map((t) => `${SCHEMA}.${t}`).join(', ')} RESTART IDENTITY CASCADE`);
  return {
    layer,
    openSecond: open,
    dispose: async () => {
      for (const l of layers) await l.close();
    },
  };
});

/** A fresh schema of its own for a test that migrates from nothing; dropped by the caller. */
async function freshSchema(): Promise<string> {
  const name = `sb_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${name}`);
  return name;
}

describe('PostgreSQL migrations', () => {
  it('migrates once when several processes start together (advisory lock)', async () => {
    const schema = await freshSchema();
    try {
      const opts: PostgresDataLayerOptions = { url: POSTGRES_URL, schema, poolSize: 2 };
      const layers = await Promise.all([1, 2, 3, 4].map(() => openPostgresDataLayer(opts)));
      const { rows } = await admin.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows).toEqual(PG_MIGRATIONS.map((m, i) => ({ version: i + 1, name: m.name })));
      // All four work on the same tables.
      const id = await layers[0]?.contacts.addAccount({ name: 'A', accountNumber: 'ACC-1', tier: 'standard' });
      expect((await layers[3]?.contacts.getAccount(id ?? -1))?.name).toBe('A');
      await Promise.all(layers.map((l) => l.close()));
      // Opening again finds nothing to do.
      const again = await openPostgresDataLayer(opts);
      await again.close();
      await again.close();
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`)).rows[0]).toEqual({ n: PG_MIGRATIONS.length });
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('refuses a schema a newer release migrated, and a schema that does not exist', async () => {
    const schema = await freshSchema();
    try {
      await (await openPostgresDataLayer({ url: POSTGRES_URL, schema })).close();
      await admin.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES (${PG_MIGRATIONS.length + 1}, 'from the future')`);
      await expect(openPostgresDataLayer({ url: POSTGRES_URL, schema })).rejects.toMatchObject({ code: 'DB_SCHEMA_TOO_NEW' });
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
    await expect(openPostgresDataLayer({ url: POSTGRES_URL, schema: 'sb_no_such_schema' })).rejects.toMatchObject({ code: 'DB_SCHEMA_MISSING' });
    await expect(openPostgresDataLayer({ url: POSTGRES_URL, schema: 'x; DROP TABLE y' })).rejects.toThrow(RangeError);
  });
});

describe('PostgreSQL specifics', () => {
  let layer: DataLayer;
  beforeAll(async () => {
    layer = await openPostgresDataLayer({ url: POSTGRES_URL, schema: SCHEMA });
  });
  afterAll(async () => {
    await layer.close();
  });

  it('answers the caller lookup from indexes', async () => {
    const contactId = await layer.contacts.addContact({ firstName: 'I', lastName: 'X', email: null, accountId: null, phones: [phone('phone', '+1 617 555 0100')] });
    await layer.cases.create(
      {
        subject: 's', type: 'technical_support', priority: 'low', status: 'open', origin: 'phone', description: '', disposition: null,
        contactId, newContact: null, callId: null, ani: null, aniE164: null, dnis: null, queue: null, ivrPath: [], waitSeconds: null, talkSeconds: null, agent: 'alice',
      },
      null,
    );
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${SCHEMA}` });
    await client.connect();
    try {
      // Tiny tables make a sequential scan cheapest; forbid it to see which index the plan can use.
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, values: unknown[]): Promise<string> =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const byNumber = await plan(FIND_BY_E164_SQL, ['+16175550100']);
      expect(byNumber).toMatch(/Index (Only )?Scan using contact_phones_e164|Bitmap Index Scan on contact_phones_e164/);
      expect(byNumber).not.toMatch(/Seq Scan/);
      const open = await plan(OPEN_CASES_SQL, [[contactId], 5]);
      expect(open).toMatch(/cases_open_by_contact/);
      expect(open).not.toMatch(/Seq Scan/);
    } finally {
      await client.end();
    }
  });

  it('keeps a call record whose strings hold NUL, as U+FFFD (jsonb cannot hold U+0000)', async () => {
    const record = {
      callId: 'nul-1', adapterId: 'sim', aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '+18005550100', callerName: 'A\u0000B',
      phase: 'ended', arrivedAt: '2025-06-01T09:59:00.000Z', flow: null, ivrPath: [], ivrAttributes: {}, language: null, lookup: null,
      queue: null, priority: 0, queuedAt: null, agent: null, connectedAt: null, endedAt: null, endReason: null, outcome: null,
    } as const;
    await layer.calls.save({ ...record, ivrPath: [], ivrAttributes: {} });
    expect((await layer.calls.get('nul-1'))?.callerName).toBe('A\ufffdB');
  });
});
