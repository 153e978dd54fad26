/** Opening hours: a weekly schedule in a time zone, with holiday overrides. */
import type { NodeOf } from './schema.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(date: Date, timeZone: string): { day: (typeof DAYS)[number]; ymd: string; minutes: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  const day = (p.weekday ?? 'Sun').slice(0, 3).toLowerCase() as (typeof DAYS)[number];
  return { day, ymd: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function inRanges(ranges: readonly string[], minutes: number): boolean {
  return ranges.some((r) => {
    const [from, to] = r.split('-') as [string, string];
    return minutes >= toMinutes(from) && minutes < toMinutes(to);
  });
}

/** Whether the schedule is open at `date`: a holiday's hours replace the weekday's. */
export function isOpenAt(node: Pick<NodeOf<'hours'>, 'timezone' | 'weekly' | 'holidays'>, date: Date): boolean {
  const { day, ymd, minutes } = parts(date, node.timezone);
  const holiday = node.holidays.find((h) => h.date === ymd);
  return inRanges(holiday ? holiday.hours : node.weekly[day], minutes);
}
