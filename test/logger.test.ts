/** Structured logs never carry a caller's number in clear. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../connector/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger('info', stream), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('masks phone fields by name and numbers in messages and nested values', () => {
    const { log, lines } = capture();
    log.info({ callId: 'c0ffee00-1234-4abc-8def-0123456789ab', ani: '+14155550123', dnis: '+18005550100', nested: { note: 'call back on (415) 555-0199' } }, 'call from +44 20 7946 0958 started');
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const clear of ['4155550123', '5550123', '8005550100', '555-0199', '7946 0958']) expect(text).not.toContain(clear);
    expect(line?.ani).toBe('+14*******23');
    expect(line?.msg).toBe('call from +44 ** **** **58 started');
    // Ids and timestamps stay readable.
    expect(line?.callId).toBe('c0ffee00-1234-4abc-8def-0123456789ab');
    expect(typeof line?.time).toBe('number');
  });

  it('masks numbers inside logged errors', () => {
    const { log, lines } = capture();
    log.error({ err: new Error('PBX refused +14155550123') }, 'failed');
    const text = JSON.stringify(lines()[0]);
    expect(text).not.toContain('4155550123');
    expect(text).toContain('+14*******23');
  });
});
