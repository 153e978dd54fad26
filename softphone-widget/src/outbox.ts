/**
 * Cases saved while the connector was unreachable: kept in localStorage and
 * sent when it is back, each exactly once. Every item carries its draft's
 * Idempotency-Key, so a send whose answer was lost, or two tabs sending the
 * same item, still make one case; a Web Lock keeps tabs from sending at once.
 */
import { ApiError, NetworkError, type CreateCaseRequest } from './api.js';
import type { CaseRecord } from '../../connector/store/types.js';
import { loadDraft } from './drafts.js';

export interface QueuedCase {
  version: 1;
  /** The Idempotency-Key (unique per draft). */
  key: string;
  username: string;
  body: CreateCaseRequest;
  /** Who the case is about, for the confirmation. */
  callerLabel: string;
  queuedAt: string;
  /** Set when the server refused it for good (not retried; the agent may discard it). */
  failed: string | null;
}

export type SendResult = { ok: true; record: CaseRecord } | { ok: false; retry: boolean; message: string };

const KEY = 'switchboard.outbox.v1';
const LOCK = 'switchboard.outbox';

function readAll(): QueuedCase[] {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) ?? '[]') as QueuedCase[];
    return Array.isArray(items) ? items.filter((i) => i && i.version === 1 && typeof i.key === 'string') : [];
  } catch {
    return [];
  }
}

function writeAll(items: readonly QueuedCase[]): void {
  try {
    if (items.length) localStorage.setItem(KEY, JSON.stringify(items));
    else localStorage.removeItem(KEY);
  } catch {
    // Storage full or disabled: the queue lives until the page closes (the caller keeps it in state).
  }
}

/** This agent's queued cases, oldest first. */
export function queuedCases(username: string): QueuedCase[] {
  return readAll().filter((i) => i.username === username);
}

/** Adds (or replaces, same key) a case to send later. */
export function enqueueCase(item: Omit<QueuedCase, 'version' | 'queuedAt' | 'failed'>): QueuedCase {
  const queued: QueuedCase = { ...item, version: 1, queuedAt: new Date().toISOString(), failed: null };
  writeAll([...readAll().filter((i) => i.key !== item.key), queued]);
  return queued;
}

export function removeQueued(key: string): void {
  writeAll(readAll().filter((i) => i.key !== key));
}

function markFailed(key: string, message: string): void {
  writeAll(readAll().map((i) => (i.key === key ? { ...i, failed: message } : i)));
}

/** Whether a case for this call is waiting (its wrap-up MUST NOT reopen with a new key). */
export function isQueuedCall(username: string, callId: string): boolean {
  return readAll().some((i) => i.username === username && i.body.callId === callId);
}

/** Classifies a failed send: no answer, a timeout or a server error is worth retrying; a refusal is not. */
export function sendFailure(err: unknown): { retry: boolean; message: string } {
  if (err instanceof NetworkError) return { retry: true, message: err.message };
  if (err instanceof ApiError) {
    const retry = err.status >= 500 || err.status === 408 || err.status === 429 || err.status === 401;
    return { retry, message: err.message };
  }
  return { retry: true, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Sends this agent's queued cases, oldest first, one at a time, under a lock
 * shared by the agent's tabs. Stops at the first that should be retried (the
 * server is still away) and returns false; true when nothing is left to retry.
 */
export async function flushOutbox(
  username: string,
  send: (item: QueuedCase) => Promise<SendResult>,
  onSent: (item: QueuedCase, record: CaseRecord) => void,
  onFailed: (item: QueuedCase, message: string) => void,
): Promise<boolean> {
  const run = async (): Promise<boolean> => {
    // Read inside the lock: another tab may have sent some meanwhile.
    for (const item of queuedCases(username)) {
      if (item.failed) continue;
      const r = await send(item);
      if (r.ok) {
        removeQueued(item.key);
        onSent(item, r.record);
      } else if (r.retry) {
        return false;
      } else {
        markFailed(item.key, r.message);
        onFailed(item, r.message);
      }
    }
    return true;
  };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request(LOCK, run) : run();
}

/**
 * Whether a wrap-up the server no longer has should stay open: only while its
 * draft does. A draft that is gone was saved or queued (in this tab or another),
 * and reopening it would start a new draft, with a new key, for a second case.
 */
export function keepLocalWrapUp(callId: string, activeCallId: string | null, username: string): boolean {
  return callId !== activeCallId && loadDraft(callId, username) !== null && !isQueuedCall(username, callId);
}
