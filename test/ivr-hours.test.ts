/**
 * IVR hours nodes: a weekly schedule in an IANA time zone, holidays whose hours
 * replace the weekday's, across UTC date lines and daylight saving time. The
 * clock is set with vi.setSystemTime.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compile, startCall, yaml } from './helpers/ivr-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('hours', () => {
  /** Tokyo, weekdays 09:00-18:00; a holiday with no hours and one with short hours. */
  const hoursFlow = compile(yaml`
    name: hrs
    start: when
    nodes:
      when:
        kind: hours
        timezone: Asia/Tokyo
        weekly:
          mon: ["09:00-18:00"]
          tue: ["09:00-18:00"]
          wed: ["09:00-18:00"]
          thu: ["09:00-18:00"]
          fri: ["09:00-12:00", "13:00-18:00"]
        holidays:
          - { date: "2026-01-01", name: New Year }
          - { date: "2026-01-02", hours: ["10:00-12:00"] }
          - { date: "2026-01-03", name: Saturday opening, hours: ["00:00-24:00"] }
        open: open
        closed: closed
      open: { kind: queue, queue: open }
      closed: { kind: queue, queue: closed }
  `);
  const at = async (iso: string): Promise<string> => {
    vi.setSystemTime(new Date(iso));
    const c = await startCall(hoursFlow);
    const out = c.outcome();
    if (out?.outcome !== 'queue') throw new Error(`unexpected outcome ${JSON.stringify(out)}`);
    return out.queue;
  };

  it('follows the weekly schedule in its own time zone, across the UTC date line (regression: a flow compiled before fake timers read the real clock)', async () => {
    // Sunday 23:59 UTC is Monday 08:59 in Tokyo; Monday 00:00 UTC is 09:00.
    expect(await at('2026-03-08T23:59:00Z')).toBe('closed');
    expect(await at('2026-03-09T00:00:00Z')).toBe('open');
    // Thursday 08:59 UTC = 17:59 Tokyo (open); 09:00 UTC = 18:00 (the range's end is excluded).
    expect(await at('2026-03-12T08:59:00Z')).toBe('open');
    expect(await at('2026-03-12T09:00:00Z')).toBe('closed');
    // Friday 23:30 UTC is Saturday in Tokyo: closed, though Friday UTC is a working day.
    expect(await at('2026-03-13T23:30:00Z')).toBe('closed');
    // Friday lunch break: 03:30 UTC = 12:30 Tokyo.
    expect(await at('2026-03-13T03:30:00Z')).toBe('closed');
    expect(await at('2026-03-13T04:00:00Z')).toBe('open');
  });

  it('on a holiday, its hours replace the weekday (no hours: closed all day)', async () => {
    // 2026-01-01 is a Thursday: 12:00 Tokyo would be open on a plain Thursday.
    expect(await at('2026-01-01T03:00:00Z')).toBe('closed');
    // 2026-01-02, a Friday: only 10:00-12:00.
    expect(await at('2026-01-02T00:59:00Z')).toBe('closed'); // 09:59
    expect(await at('2026-01-02T01:00:00Z')).toBe('open'); // 10:00
    expect(await at('2026-01-02T03:00:00Z')).toBe('closed'); // 12:00
    // 2026-01-03, a Saturday with all-day hours: midnight to midnight.
    expect(await at('2026-01-02T15:00:00Z')).toBe('open'); // 00:00 on the 3rd
    expect(await at('2026-01-03T14:59:00Z')).toBe('open'); // 23:59
  });

  it('takes the holiday date in the schedule time zone, not in UTC', async () => {
    const allWeek = '["00:00-24:00"]';
    const nye = compile(yaml`
      name: nye
      start: when
      nodes:
        when:
          kind: hours
          timezone: Asia/Tokyo
          weekly: { mon: ${allWeek}, tue: ${allWeek}, wed: ${allWeek}, thu: ${allWeek}, fri: ${allWeek}, sat: ${allWeek}, sun: ${allWeek} }
          holidays: [{ date: "2026-01-01" }]
          open: open
          closed: closed
        open: { kind: queue, queue: open }
        closed: { kind: queue, queue: closed }
    `);
    const queueAt = async (iso: string) => {
      vi.setSystemTime(new Date(iso));
      return (await startCall(nye)).outcome();
    };
    // 2025-12-31 15:00 UTC is already 2026-01-01 00:00 in Tokyo: the holiday.
    expect(await queueAt('2025-12-31T14:59:00Z')).toMatchObject({ queue: 'open' }); // Wed 23:59
    expect(await queueAt('2025-12-31T15:00:00Z')).toMatchObject({ queue: 'closed' }); // Thu 00:00, New Year
    expect(await queueAt('2026-01-01T14:59:00Z')).toMatchObject({ queue: 'closed' }); // Thu 23:59: still the holiday
    expect(await queueAt('2026-01-01T15:00:00Z')).toMatchObject({ queue: 'open' }); // Fri 00:00
  });

  it('follows daylight saving time (service-desk: New York, 08:00 opening)', async () => {
    const desk = compile(readFileSync(new URL('../ivr/flows/service-desk.yaml', import.meta.url), 'utf8'));
    const node = async (iso: string) => {
      vi.setSystemTime(new Date(iso));
      return (await startCall(desk)).steps()[1];
    };
    expect(await node('2026-03-06T12:59:00Z')).toBe('hours branched closed'); // Fri 07:59 EST
    expect(await node('2026-03-06T13:00:00Z')).toBe('hours branched language'); // Fri 08:00 EST
    expect(await node('2026-03-09T11:59:00Z')).toBe('hours branched closed'); // Mon 07:59 EDT
    expect(await node('2026-03-09T12:00:00Z')).toBe('hours branched language'); // Mon 08:00 EDT
    expect(await node('2026-12-24T16:59:00Z')).toBe('hours branched language'); // Christmas Eve 11:59
    expect(await node('2026-12-24T17:00:00Z')).toBe('hours branched closed'); // Christmas Eve 12:00
    expect(await node('2026-12-25T15:00:00Z')).toBe('hours branched closed'); // Christmas Day 10:00
  });
});
