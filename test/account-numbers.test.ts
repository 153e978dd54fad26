/**
 * The IVR's account check in scale-out mode: a set of account numbers loaded before
 * the node takes calls and reloaded every 60 s; a failed reload keeps the last set.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountSummary } from '../connector/protocol.js';
import { AccountNumbers } from '../connector/store/account-numbers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const account = (n: string, id = 1): AccountSummary => ({ id, name: `Account ${n}`, accountNumber: n, tier: 'standard' });

describe('AccountNumbers', () => {
  it('answers from the loaded set (typed in full or digits only), picks up new accounts within a refresh, survives a failed reload', async () => {
    let accounts = [account('ACC-1001')];
    let failing = false;
    const listAccounts = vi.fn(async () => {
      if (failing) throw new Error('connection refused');
      return accounts;
    });
    const numbers = new AccountNumbers({ listAccounts }, { log: pino({ level: 'silent' }) });
    expect(numbers.has('ACC-1001')).toBe(false); // nothing before start
    await numbers.start();
    expect([numbers.has('ACC-1001'), numbers.has('1001'), numbers.has('1002')]).toEqual([true, true, false]);

    accounts = [account('ACC-1001'), account('ACC-1002', 2)];
    await vi.advanceTimersByTimeAsync(59_000);
    expect(numbers.has('1002')).toBe(false); // stale until the next refresh
    await vi.advanceTimersByTimeAsync(1_000);
    expect(numbers.has('1002')).toBe(true);

    failing = true;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(numbers.size).toBe(2);
    numbers.stop();
    const calls = listAccounts.mock.calls.length;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(listAccounts.mock.calls.length).toBe(calls);
  });
});
