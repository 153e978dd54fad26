/**
 * The data layer a node runs on, chosen from the config:
 *
 * - `cluster` set (scale-out mode): PostgreSQL at `cluster.postgresUrl`, in
 *   `cluster.postgresSchema`, migrated on open, seeded with the demo data when
 *   `seedDemoData` is on and it has no accounts yet;
 * - otherwise: none here (undefined): the app builds the SQLite layer over the
 *   node's own database (`createSwitchboard` without `opts.data`).
 *
 * The caller owns what this returns: it passes it to `createSwitchboard(config,
 * { data })` and closes it after closing the app (the app flushes its call records
 * into it on close).
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { CountryCode } from '../phone/normalize.js';
import type { DataLayer } from './data-layer.js';
import { openPostgresDataLayer } from './pg/open.js';
import { demoSeedClock, seedDemoDataLayer } from './seed.js';

/** @throws what `openPostgresDataLayer` throws (unreachable server, schema missing or too new, migration lock). */
export async function openDataLayer(config: Config, opts: { log?: Logger; /** Default true: as `config.seedDemoData` says. */ seed?: boolean } = {}): Promise<DataLayer | undefined> {
  const cluster = config.cluster;
  if (!cluster) return undefined;
  const defaultRegion = config.phone.defaultRegion as CountryCode;
  const where = { url: cluster.postgresUrl, ...(cluster.postgresSchema ? { schema: cluster.postgresSchema } : {}), defaultRegion };
  const onIdleError = (err: Error): void => opts.log?.warn({ err }, 'an idle PostgreSQL connection failed; the pool opens another');
  const layer = await openPostgresDataLayer({ ...where, onIdleError });
  if (config.seedDemoData && opts.seed !== false) {
    try {
      // Its own short-lived pool: the seeded rows get the demo clock, as on SQLite.
      const seeding = await openPostgresDataLayer({ ...where, poolSize: 1, now: demoSeedClock() });
      try {
        const seeded = await seedDemoDataLayer(seeding, defaultRegion);
        if (seeded.seeded) opts.log?.info({ contacts: seeded.contacts, accounts: seeded.accounts }, 'demo data seeded');
      } finally {
        await seeding.close();
      }
    } catch (err) {
      await layer.close();
      throw err;
    }
  }
  opts.log?.info({ store: layer.kind, schema: cluster.postgresSchema ?? '(search_path)' }, 'contacts, cases and calls in PostgreSQL');
  return layer;
}
