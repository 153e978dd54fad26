/**
 * The SQLite {@link DataLayer}: the embedded default, one process, one file.
 */
import { SqliteCallStore } from '../../calls/sqlite-call-store.js';
import type { CountryCode } from '../../phone/normalize.js';
import { SqliteReports } from '../../reports/report-store.js';
import { SqliteCallStats } from '../../supervisor/call-stats.js';
import type { DataLayer } from '../data-layer.js';
import { openDatabase, type Database } from '../db.js';
import { SqliteCaseStore } from '../sqlite-cases.js';
import { SqliteContactStore } from '../sqlite-contacts.js';
import { SqliteCallRepo, SqliteCaseRepo, SqliteContactRepo } from './repos.js';

export interface SqliteDataLayerOptions {
  /** Region for numbers written without a country code (new contacts, the `phone` filter). */
  defaultRegion: CountryCode;
  /** Clock for `created_at`; tests pass a fixed one. */
  now?: () => Date;
}

/**
 * The data layer over an open database (the app's, shared with the synchronous
 * stores). `close()` does not close `db`: its opener does.
 */
export function sqliteDataLayer(db: Database, options: SqliteDataLayerOptions): DataLayer {
  return build(db, options, false);
}

/**
 * Opens (creating and migrating if needed) `<dataDir>/switchboard.db`, or an
 * in-memory database for `':memory:'`; `close()` closes it.
 *
 * @throws DatabaseOpenError, SchemaTooNewError (see `openDatabase`).
 */
export function openSqliteDataLayer(options: SqliteDataLayerOptions & { dataDir: string | ':memory:' }): DataLayer {
  return build(openDatabase(options.dataDir), options, true);
}

function build(db: Database, options: SqliteDataLayerOptions, owns: boolean): DataLayer {
  const now = options.now ?? (() => new Date());
  let closed = false;
  return {
    kind: 'sqlite',
    contacts: new SqliteContactRepo(new SqliteContactStore(db, { now })),
    cases: new SqliteCaseRepo(new SqliteCaseStore(db, { defaultRegion: options.defaultRegion, now })),
    calls: new SqliteCallRepo(new SqliteCallStore(db)),
    reports: new SqliteReports(db),
    callStats: new SqliteCallStats(db),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owns) db.close();
    },
  };
}
