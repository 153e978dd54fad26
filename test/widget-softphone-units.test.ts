/**
 * The widget's pure parts behind the softphone and the offline queue: backoff,
 * the retry loop (fake timers), and the outbox's exactly-once sending.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../softphone-widget/src/api.js';
import { enqueueCase, flushOutbox, isQueuedCall, queuedCases, sendFailure, type QueuedCase, type SendResult } from '../softphone-widget/src/outbox.js';
import { Backoff, RetryLoop } from '../softphone-widget/src/phone/retry.js';
import type { CaseRecord } from '../connector/store/types.js';

class MemoryStorage {
  private readonly data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  key(i: number): string | null {
    return [...this.data.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, String(v));
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
}

describe('Backoff', () => {
  it('doubles from the minimum up to the maximum, with jitter in the upper half, and resets', () => {
    const b = new Backoff(1_000, 8_000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    b.reset();
    expect(b.next()).toBe(1_000);
    expect(new Backoff(1_000, 8_000, () => 0).next()).toBe(500);
  });
});

describe('RetryLoop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries with growing delays until the task succeeds, then stops', async () => {
    const results = [false, false, true];
    const task = vi.fn(async () => results.shift() ?? true);
    const scheduled: Array<number | null> = [];
    const loop = new RetryLoop(task, (at) => scheduled.push(at === null ? null : at - Date.now()), new Backoff(100, 1_000, () => 1));
    loop.now();
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(3);
    expect(scheduled.filter((x) => x !== null)).toEqual([100, 200]);
  });

  it('now() skips the wait and resets the backoff (the network came back)', async () => {
    const task = vi.fn(async () => false);
    const loop = new RetryLoop(task, () => undefined, new Backoff(100, 10_000, () => 1));
    loop.now();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    expect(task).toHaveBeenCalledTimes(4);
    loop.now();
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(100);
    expect(task).toHaveBeenCalledTimes(6);
    loop.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(6);
  });
});

describe('outbox', () => {
  const record = { number: '00000042' } as CaseRecord;
  const item = { key: 'k-1', username: 'alice', body: { callId: 'c-1', subject: 'S', type: 'technical_support' as const }, callerLabel: 'Ada' };

  beforeEach(() => vi.stubGlobal('localStorage', new MemoryStorage()));
  afterEach(() => vi.unstubAllGlobals());

  it('keeps a case while the server is away and sends it once, with its key, when it is back', async () => {
    enqueueCase(item);
    expect(isQueuedCall('alice', 'c-1')).toBe(true);
    expect(queuedCases('bob')).toEqual([]);
    const sent: string[] = [];
    let up = false;
    const send = async (i: QueuedCase): Promise<SendResult> => {
      sent.push(i.key);
      return up ? { ok: true, record } : { ok: false, retry: true, message: 'offline' };
    };
    const onSent = vi.fn();
    expect(await flushOutbox('alice', send, onSent, () => undefined)).toBe(false);
    expect(queuedCases('alice')).toHaveLength(1);
    up = true;
    expect(await flushOutbox('alice', send, onSent, () => undefined)).toBe(true);
    expect(await flushOutbox('alice', send, onSent, () => undefined)).toBe(true);
    expect(sent).toEqual(['k-1', 'k-1']);
    expect(onSent).toHaveBeenCalledTimes(1);
    expect(queuedCases('alice')).toEqual([]);
  });

  it('marks a case the server refuses for good and does not send it again', async () => {
    enqueueCase(item);
    const send = vi.fn(async (): Promise<SendResult> => ({ ok: false, retry: false, message: 'No call c-1.' }));
    const onFailed = vi.fn();
    expect(await flushOutbox('alice', send, () => undefined, onFailed)).toBe(true);
    expect(await flushOutbox('alice', send, () => undefined, onFailed)).toBe(true);
    expect(send).toHaveBeenCalledTimes(1);
    expect(onFailed).toHaveBeenCalledWith(expect.objectContaining({ key: 'k-1' }), 'No call c-1.');
    expect(queuedCases('alice')[0]?.failed).toBe('No call c-1.');
  });

  it('retries what may still work: no answer, 5xx, 408, 429, 401; not a 4xx refusal', () => {
    expect(sendFailure(new NetworkError('down')).retry).toBe(true);
    expect(sendFailure(new ApiError(503, 'PBX_UNAVAILABLE', 'x')).retry).toBe(true);
    expect(sendFailure(new ApiError(401, 'UNAUTHORIZED', 'x')).retry).toBe(true);
    expect(sendFailure(new ApiError(422, 'UNKNOWN_CALL', 'x')).retry).toBe(false);
    expect(sendFailure(new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'x')).retry).toBe(false);
  });
});
