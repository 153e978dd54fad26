/** Call records in the embedded store, as JSON (read by callId only). */
import type { Database } from '../store/db.js';
import type { CallRecord, CallStore } from './call-record.js';

export class SqliteCallStore implements CallStore {
  private readonly upsert;
  private readonly select;

  constructor(db: Database) {
    this.upsert = db.prepare(
      'INSERT INTO calls (call_id, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at',
    );
    this.select = db.prepare<[string], { record: string }>('SELECT record FROM calls WHERE call_id = ?');
  }

  save(record: CallRecord): void {
    this.upsert.run(record.callId, JSON.stringify(record), new Date().toISOString());
  }

  get(callId: string): CallRecord | null {
    if (callId.length > 200) return null;
    const row = this.select.get(callId);
    return row ? (JSON.parse(row.record) as CallRecord) : null;
  }
}
