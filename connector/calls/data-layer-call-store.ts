/**
 * Call records over the asynchronous data layer (`CallRepo`), for the call center,
 * which needs a synchronous `CallStore`: reads are answered from memory, writes go
 * to the repository behind the caller's back (write-behind), in batches.
 *
 * - **Memory**: the last saved state of each call this node saved, live or recent, as
 *   JSON, at most {@link DataLayerCallStoreOptions.maxRecords} (default 50,000) and no
 *   older than {@link DataLayerCallStoreOptions.maxAgeMs} (default 24 h) since its last
 *   save; the oldest go first. A record is 1-3 kB of JSON (the IVR path and the lookup
 *   with its open cases make most of it), so a full store holds about 50-150 MB. A call
 *   older than that (or saved by another node) is found by
 *   {@link DataLayerCallStore.fetch}, which asks the repository.
 * - **The write window**: a save is written at most `batchMs` (default 50 ms) after
 *   it was made, with every other save of that window, in one `saveMany` (one commit;
 *   the later save of a call wins). So a phase change that matters after a crash
 *   (connected, ended) is in the database within `batchMs` plus one commit, or was
 *   lost with the process. One batch is in flight at a time, so batches never
 *   overtake each other.
 * - **Failures**: a batch that fails stays pending (unless a newer save of the call
 *   replaced it) and is retried, the delay doubling from `batchMs` to `maxRetryMs`;
 *   each failure is logged with the number of records waiting. Nothing is dropped
 *   while the process lives; {@link DataLayerCallStore.close} retries until its
 *   deadline and logs the call ids it could not write.
 */
import type { Logger } from 'pino';
import type { CallRepo } from '../store/data-layer.js';
import type { CallRecord, CallStore } from './call-record.js';

export interface DataLayerCallStoreOptions {
  log: Logger;
  /** How long saves gather before they are written; default 50 ms. */
  batchMs?: number;
  /** Records kept in memory; default 50,000. */
  maxRecords?: number;
  /** A record not saved again for this long leaves memory; default 24 h. */
  maxAgeMs?: number;
  /** The longest delay between retries of a failing batch; default 5 s. */
  maxRetryMs?: number;
  /** Clock for the age of records; tests pass their own. */
  now?: () => number;
}

interface Kept {
  /** The record as JSON: a string takes a fraction of the memory of the object graph. */
  json: string;
  savedAtMs: number;
}

export class DataLayerCallStore implements CallStore {
  /** callId -> the last saved state; Map order is the order of the last save (oldest first). */
  private readonly recent = new Map<string, Kept>();
  /** callId -> the saved state (JSON) not yet written. */
  private pending = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  private readonly batchMs: number;
  private readonly maxRecords: number;
  private readonly maxAgeMs: number;
  private readonly maxRetryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly repo: CallRepo,
    private readonly o: DataLayerCallStoreOptions,
  ) {
    this.batchMs = o.batchMs ?? 50;
    this.maxRecords = o.maxRecords ?? 50_000;
    this.maxAgeMs = o.maxAgeMs ?? 24 * 3_600_000;
    this.maxRetryMs = o.maxRetryMs ?? 5_000;
    this.now = o.now ?? Date.now;
  }

  /** Records the call as it is now (the caller's object keeps changing: a copy is kept). */
  save(record: CallRecord): void {
    if (this.closed) {
      this.o.log.error({ callId: record.callId, phase: record.phase }, 'call record saved after the call store closed; not written');
      return;
    }
    // JSON, as every store keeps it (what JSON cannot hold, like `undefined`, is not kept).
    const json = JSON.stringify(record);
    const now = this.now();
    this.recent.delete(record.callId);
    this.recent.set(record.callId, { json, savedAtMs: now });
    this.evict(now);
    this.pending.set(record.callId, json);
    this.schedule(this.batchMs);
  }

  /** The call as last saved on this node, if it is still in memory (a copy); else null. */
  get(callId: string): CallRecord | null {
    const json = this.pending.get(callId) ?? this.recent.get(callId)?.json;
    return json === undefined ? null : (JSON.parse(json) as CallRecord);
  }

  /** {@link get}, else the repository (a call older than memory, or saved by another node). */
  async fetch(callId: string): Promise<CallRecord | null> {
    return this.get(callId) ?? (await this.repo.get(callId));
  }

  /** Saves not yet written. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Writes what is pending now (and waits for a batch in flight). Rejects when the
   * write fails; the records stay pending and are retried.
   */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    // The batch that just ended may have scheduled the next one: it is this one now.
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    await this.write();
  }

  /**
   * Stops taking saves and writes what is pending, retrying for up to `deadlineMs`
   * (default 10 s); records still unwritten then are logged by call id.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closed = true;
    const until = Date.now() + deadlineMs;
    let delay = this.batchMs;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch {
        if (Date.now() + delay > until) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.maxRetryMs);
      }
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.o.log.error({ callIds: [...this.pending.keys()] }, 'call records could not be written before shutdown');
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.writing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A flush started a batch meanwhile: its end schedules what is left.
      if (this.writing || this.pending.size === 0) return;
      this.write().catch(() => undefined); // logged in writeBatch; retried from write's end
    }, delayMs);
    this.timer.unref?.();
  }

  /** One batch: everything pending now. On failure, what no newer save replaced goes back. */
  private write(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const run = this.writeBatch(batch).finally(() => {
      this.writing = null;
      if (this.pending.size > 0) this.schedule(this.failures === 0 ? this.batchMs : Math.min(this.batchMs * 2 ** this.failures, this.maxRetryMs));
    });
    this.writing = run;
    return run;
  }

  private async writeBatch(batch: Map<string, string>): Promise<void> {
    try {
      await this.repo.saveMany([...batch.values()].map((json) => JSON.parse(json) as CallRecord));
      this.failures = 0;
    } catch (err) {
      for (const [id, json] of batch) if (!this.pending.has(id)) this.pending.set(id, json);
      this.failures++;
      this.o.log.error({ err, records: batch.size, waiting: this.pending.size, failures: this.failures }, 'writing call records failed; will retry');
      throw err;
    }
  }

  private evict(now: number): void {
    for (const [id, kept] of this.recent) {
      if (this.recent.size <= this.maxRecords && now - kept.savedAtMs < this.maxAgeMs) break;
      this.recent.delete(id);
    }
  }
}
