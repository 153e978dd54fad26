/** The order of the waiting line, one total order every node shares (one line across nodes). */
import type { CallRecord } from '../calls/call-record.js';

export type Ranked = Pick<CallRecord, 'priority' | 'queuedAt' | 'callId'>;

/** Whether call `a` is served before call `b`: higher priority, then queued earlier, then by id. */
export function ranksAhead(a: Ranked, b: Ranked): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const qa = a.queuedAt ?? '';
  const qb = b.queuedAt ?? '';
  if (qa !== qb) return qa < qb;
  return a.callId < b.callId;
}
