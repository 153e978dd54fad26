/**
 * The PostgreSQL {@link DataLayer}: scale-out mode, several connector processes on
 * one database. Contacts, cases and calls only; see docs/storage.md for what stays
 * in SQLite.
 */
import pg from 'pg';
import type { CountryCode } from '../../phone/normalize.js';
import { PgReports } from '../../reports/pg-reports.js';
import { PgCallStats } from '../../supervisor/pg-call-stats.js';
import type { DataLayer } from '../data-layer.js';
import { PgAgentRepo } from './agent-repo.js';
import { PgCallRepo } from './call-repo.js';
import { PgCaseRepo } from './case-repo.js';
import { PgContactRepo } from './contact-repo.js';
import { migratePostgres } from './migrations.js';
import { RESULT_TYPES } from './tx.js';

export interface PostgresDataLayerOptions {
  /** `postgres://user:password@host:5432/database` (libpq URL; `?sslmode=` etc. as `pg` reads them). */
  url: string;
  /** Connections in the pool; default 10. Each transaction holds one for its duration. */
  poolSize?: number;
  /**
   * The schema to use (its tables, its migrations), put first on the search_path; default:
   * the server's search_path (`public`). It MUST exist. Tests give each file its own.
   */
  schema?: string;
  /** Region for numbers written without a country code; default `US`, as in the config. */
  defaultRegion?: CountryCode;
  /** How long to wait for a connection (from the server, or from a full pool); default 10 s. */
  connectTimeoutMs?: number;
  /** Clock for `created_at`; tests pass a fixed one. */
  now?: () => Date;
  /**
   * An idle pooled connection failed (the server restarted, a network cut). The pool drops
   * it and the next query opens another; by default the error is ignored, not thrown.
   */
  onIdleError?: (err: Error) => void;
}

/** Unquoted identifiers only: the schema goes into a startup option, not a bound parameter. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool, brings the schema up to date (one process at a time: see
 * `migratePostgres`) and returns the data layer. The pool is ended if migrating fails.
 *
 * @throws SchemaTooNewError, SchemaMissingError, MigrationLockTimeoutError; `pg`'s
 * connection errors when the server cannot be reached.
 */
export async function openPostgresDataLayer(options: PostgresDataLayerOptions): Promise<DataLayer> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new RangeError(`schema must be a lowercase unquoted identifier, got ${JSON.stringify(options.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: RESULT_TYPES,
    application_name: 'switchboard',
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const now = options.now ?? (() => new Date());
  const defaultRegion = options.defaultRegion ?? 'US';
  let closing: Promise<void> | null = null;
  return {
    kind: 'postgres',
    contacts: new PgContactRepo(pool, { now }),
    cases: new PgCaseRepo(pool, { defaultRegion, now }),
    calls: new PgCallRepo(pool, now),
    reports: new PgReports(pool),
    callStats: new PgCallStats(pool),
    agents: new PgAgentRepo(pool),
    close(): Promise<void> {
      closing ??= pool.end();
      return closing;
    },
  };
}
