/**
 * Transactions and result types over a `pg` Pool.
 */
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';

/** Anything that runs a query: the pool (auto-commit) or a client inside a transaction. */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

/** The `timestamptz` and `int8` type OIDs (pg_type.dat). */
const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/**
 * Result types for this layer's pool: `bigint` as a JS number (ids and case numbers stay
 * far below 2^53; count(*) is bigint too) and `timestamptz` as an ISO string, the form the
 * SQLite store keeps and the records carry.
 */
export const RESULT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === TIMESTAMPTZ_OID) {
      const parseDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;
      return (value: string) => parseDate(value).toISOString();
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Runs `fn` in one READ COMMITTED transaction on one pooled connection: COMMIT when it
 * resolves, ROLLBACK when it throws (then rethrows). A connection whose ROLLBACK failed
 * is discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/** A JS integer that can be a key of a `bigint` column; others match no row. */
export function isKey(n: number): boolean {
  return Number.isSafeInteger(n);
}
