/**
 * Call records in PostgreSQL, as `jsonb` (read by callId; the report columns are
 * generated from it).
 */
import type { Pool } from 'pg';
import type { CallRecord } from '../../calls/call-record.js';
import type { CallRepo } from '../data-layer.js';

/** Longer ids are not ours (the SQLite store answers null too) and would not fit a btree key. */
const MAX_CALL_ID_LENGTH = 200;

/**
 * The record as JSON for `jsonb`, which cannot hold U+0000 (SQLSTATE 22P05): a NUL in a
 * string a PBX sent (a caller name) becomes U+FFFD rather than losing the whole record.
 * The only change the round trip makes; key order is jsonb's, not the record's.
 */
function toJson(record: CallRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value,
  );
}

/** The PostgreSQL {@link CallRepo}. */
export class PgCallRepo implements CallRepo {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => Date,
  ) {}

  async save(record: CallRecord): Promise<void> {
    await this.saveMany([record]);
  }

  /** One statement for the batch: atomic without an explicit transaction. */
  async saveMany(records: readonly CallRecord[]): Promise<void> {
    // ON CONFLICT cannot touch one row twice in one statement: keep each id's last record.
    const byId = new Map<string, string>();
    for (const record of records) byId.set(record.callId, toJson(record));
    if (byId.size === 0) return;
    await this.pool.query({
      name: 'sb_upsert_calls',
      text: `INSERT INTO calls (call_id, record, updated_at)
             SELECT id, record, $3::timestamptz FROM unnest($1::text[], $2::jsonb[]) AS r (id, record)
             ON CONFLICT (call_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      values: [[...byId.keys()], [...byId.values()], this.now().toISOString()],
    });
  }

  async get(callId: string): Promise<CallRecord | null> {
    if (callId.length > MAX_CALL_ID_LENGTH) return null;
    const { rows } = await this.pool.query<{ record: CallRecord }>({
      name: 'sb_call_by_id',
      text: 'SELECT record FROM calls WHERE call_id = $1',
      values: [callId],
    });
    return rows[0]?.record ?? null;
  }
}
