/**
 * Call records in the embedded store, as JSON (read by callId only). Writes are
 * gathered and committed together on the next turn of the event loop: with
 * `synchronous=FULL` every commit waits for the disk, and a commit per call event
 * on the loop that sends pops showed as pop latency whenever the disk was busy
 * (docs/benchmarks.md). Reads see pending writes.
 */
import type { Database } from '../store/db.js';
import type { CallRecord, CallStore } from './call-record.js';

export class SqliteCallStore implements CallStore {
  private readonly upsert;
  private readonly select;
  private readonly writeBatch;
  /** callId -> the record as JSON when saved (the live object keeps changing). */
  private readonly pending = new Map<string, string>();
  private scheduled = false;

  constructor(db: Database) {
    this.upsert = db.prepare(
      'INSERT INTO calls (call_id, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at',
    );
    this.select = db.prepare<[string], { record: string }>('SELECT record FROM calls WHERE call_id = ?');
    this.writeBatch = db.transaction((rows: Array<[string, string]>) => {
      const now = new Date().toISOString();
      for (const [id, json] of rows) this.upsert.run(id, json, now);
    });
  }

  save(record: CallRecord): void {
    this.pending.set(record.callId, JSON.stringify(record));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Commits pending writes now (also at shutdown). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const rows = [...this.pending];
    this.pending.clear();
    this.writeBatch(rows);
  }

  get(callId: string): CallRecord | null {
    if (callId.length > 200) return null;
    const json = this.pending.get(callId) ?? this.select.get(callId)?.record;
    return json ? (JSON.parse(json) as CallRecord) : null;
  }
}
