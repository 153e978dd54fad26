/**
 * Shared helpers of the cluster tests that talk to the machine's Redis directly
 * (the bus, the session store): a key prefix per test file, connections, a log
 * that keeps its lines, bounded waits. (The multi-process harness is
 * cluster-nodes.ts.)
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { REDIS_HOST, REDIS_PORT } from './services.js';

/** One pino line, parsed. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A prefix of the test file's own: parallel test files never share keys or channels. */
export function testPrefix(name: string): string {
  return `sbtest:${name}:${randomBytes(4).toString('hex')}:`;
}

/** A connection to the machine's Redis (the caller closes it, or hands it to what closes it). */
export function redisConnection(port: number = REDIS_PORT): Redis {
  return new Redis({ host: REDIS_HOST, port, maxRetriesPerRequest: null });
}

/** A logger at debug level whose lines are kept in `lines`. */
export function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n')) {
        if (!text.trim()) continue;
        try {
          lines.push(JSON.parse(text) as LogLine);
        } catch {
          /* not JSON */
        }
      }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

/** Deletes every key under `prefix`. */
export async function dropKeys(prefix: string): Promise<void> {
  const r = redisConnection();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Resolves when `cond` holds, polling; rejects naming `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
