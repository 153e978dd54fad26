/**
 * The last hour per minute as inline SVG, without a chart library: above, calls
 * per minute (arrived, answered, abandoned side by side); below, on the same
 * time axis, the average and the longest wait of the calls whose wait ended in
 * that minute. A <title> on every bar and point; times in the browser's zone.
 */
import type { CallHistory, HistoryMinute } from '../../connector/protocol.js';
import { formatDuration } from '../../softphone-widget/src/dom.js';
import { niceMax } from '../reports/chart.js';

const NS = 'http://www.w3.org/2000/svg';

export const SERIES = {
  arrived: { label: 'Arrived', color: '#1f5fbf' },
  answered: { label: 'Answered', color: '#17803d' },
  abandoned: { label: 'Abandoned', color: '#b42318' },
  avgWait: { label: 'Average wait', color: '#d08700' },
  longestWait: { label: 'Longest wait', color: '#6b4fbb' },
} as const;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const hhmm = (iso: string): string => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const secs = (v: number): string => (v < 60 ? `${Math.round(v)} s` : `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`);

export function historyChart(history: CallHistory): SVGSVGElement {
  const minutes = history.minutes;
  const W = 1200;
  const left = 48;
  const right = 12;
  const slot = (W - left - right) / Math.max(1, minutes.length);
  const x = (i: number): number => left + i * slot;
  // Two panels on one time axis.
  const calls = { top: 24, bottom: 184 };
  const waits = { top: 222, bottom: 330 };
  const H = 356;

  const callMax = niceMax(Math.max(0, ...minutes.map((m) => Math.max(m.arrived, m.answered, m.abandoned))));
  // Waits on a scale of whole minutes once they pass one (1, 2, 5, 10... min), so the gridlines read as times.
  const longest = Math.max(0, ...minutes.map((m) => m.longestWaitSeconds ?? 0));
  const waitMax = longest <= 60 ? niceMax(longest) : 60 * niceMax(longest / 60);
  const yCalls = (v: number): number => calls.bottom - ((calls.bottom - calls.top) * v) / callMax;
  const yWaits = (v: number): number => waits.bottom - ((waits.bottom - waits.top) * v) / waitMax;

  const total = (k: 'arrived' | 'answered' | 'abandoned'): number => minutes.reduce((n, m) => n + m[k], 0);
  const title = `Last hour per minute: ${total('arrived')} calls arrived, ${total('answered')} answered, ${total('abandoned')} abandoned`;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart history-chart', 'aria-label': title, 'data-arrived': total('arrived'), 'data-answered': total('answered'), 'data-abandoned': total('abandoned') });
  svg.append(el('title', {}, title));

  const grid = (panel: { top: number; bottom: number }, max: number, y: (v: number) => number, unit: (v: number) => string, heading: string): void => {
    svg.append(el('text', { x: left, y: panel.top - 10, 'font-size': 12, 'font-weight': 600, fill: '#17212b' }, heading));
    for (let i = 0; i <= 2; i++) {
      const v = (max / 2) * i;
      svg.append(el('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: i === 0 ? '#98a2b3' : '#e3e8ee' }));
      svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5a6675' }, unit(v)));
    }
  };
  grid(calls, callMax, yCalls, (v) => String(Math.round(v * 10) / 10), 'Calls per minute');
  grid(waits, waitMax, yWaits, (v) => formatDuration(v * 1000), 'Wait (queued to answered or hung up), m:ss');

  // Bars: three per minute, side by side.
  const barW = Math.max(1, (slot - 2) / 3);
  minutes.forEach((m, i) => {
    (['arrived', 'answered', 'abandoned'] as const).forEach((k, j) => {
      if (m[k] <= 0) return;
      const r = el('rect', { x: x(i) + 1 + j * barW, y: yCalls(m[k]), width: barW, height: Math.max(1, calls.bottom - yCalls(m[k])), fill: SERIES[k].color, 'data-minute': m.minute, 'data-key': k });
      r.append(el('title', {}, `${hhmm(m.minute)} · ${SERIES[k].label}: ${m[k]}`));
      svg.append(r);
    });
  });

  // Wait lines: a point per minute that had waits; a gap where none did.
  const line = (key: 'avgWaitSeconds' | 'longestWaitSeconds', s: (typeof SERIES)['avgWait' | 'longestWait'], dashed: boolean): void => {
    let d = '';
    let pen = false;
    minutes.forEach((m: HistoryMinute, i) => {
      const v = m[key];
      if (v === null) {
        pen = false;
        return;
      }
      const cx = x(i) + slot / 2;
      const cy = yWaits(v);
      d += `${pen ? 'L' : 'M'}${cx.toFixed(1)},${cy.toFixed(1)}`;
      pen = true;
      const dot = el('circle', { cx, cy, r: 3, fill: s.color, 'data-minute': m.minute, 'data-key': key });
      dot.append(el('title', {}, `${hhmm(m.minute)} · ${s.label}: ${secs(v)}`));
      svg.append(dot);
    });
    if (d) svg.append(el('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, ...(dashed ? { 'stroke-dasharray': '5 4' } : {}) }));
  };
  line('longestWaitSeconds', SERIES.longestWait, true);
  line('avgWaitSeconds', SERIES.avgWait, false);

  // Time labels every ten minutes, and at the end ("now").
  const last = minutes.length - 1;
  minutes.forEach((m, i) => {
    if (i !== last && (new Date(m.minute).getMinutes() % 10 !== 0 || i > last - 4)) return;
    const label = i === last ? 'now' : hhmm(m.minute);
    for (const y of [calls.bottom + 16, waits.bottom + 16]) svg.append(el('text', { x: x(i) + slot / 2, y, 'text-anchor': 'middle', 'font-size': 11, fill: '#5a6675' }, label));
  });
  return svg;
}
