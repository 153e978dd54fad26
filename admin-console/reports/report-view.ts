/**
 * One report on screen: headline figures (calls, answered, speed of answer,
 * talk time, IVR containment, cases, response time: case created to the first
 * agent action, cases awaiting one), a stacked bar chart per
 * day or hour, the totals table, and CSV downloads.
 */
import type { CallRow, CaseRow } from '../../connector/reports/report-store.js';
import { h } from '../../softphone-widget/src/dom.js';
import { download, getJson } from '../common/api.js';
import { errorText } from '../common/shell.js';
import { bucketsOf, PALETTE, stackedBars } from './chart.js';

export interface ReportParams {
  which: 'cases' | 'calls';
  by: string;
  /** ISO, inclusive / exclusive (UTC). */
  from: string;
  to: string;
  interval: 'day' | 'hour';
}

type Row = CaseRow | CallRow;
const isCall = (r: Row): r is CallRow => 'calls' in r;
const secs = (v: number | null): string => (v === null ? '—' : v < 60 ? `${Math.round(v)} s` : `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`);
const pct = (n: number, of: number): string => (of === 0 ? '—' : `${Math.round((n / of) * 100)} %`);

/** An average over rows, weighted by each row's count. */
function weighted(rows: Array<{ w: number; v: number | null }>): number | null {
  const ok = rows.filter((r) => r.v !== null && r.w > 0);
  const w = ok.reduce((n, r) => n + r.w, 0);
  return w === 0 ? null : ok.reduce((n, r) => n + (r.v as number) * r.w, 0) / w;
}

function tile(label: string, value: string, id: string, title: string | null = null): HTMLElement {
  return h('div', { class: 'tile', 'data-tile': id, title }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
}

async function tiles(p: ReportParams): Promise<HTMLElement> {
  const q = `from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&interval=total`;
  const [calls, cases] = await Promise.all([
    getJson<{ rows: CallRow[] }>(`/api/reports/calls?by=queue&${q}`),
    getJson<{ rows: CaseRow[] }>(`/api/reports/cases?by=type&${q}`),
  ]);
  const sum = (k: 'calls' | 'answered' | 'containedInIvr' | 'abandoned') => calls.rows.reduce((n, r) => n + r[k], 0);
  const total = sum('calls');
  return h(
    'div',
    { class: 'tiles', id: 'report-tiles' },
    tile('Calls', String(total), 'calls'),
    tile('Answered', `${sum('answered')} (${pct(sum('answered'), total)})`, 'answered'),
    tile('Avg speed of answer', secs(weighted(calls.rows.map((r) => ({ w: r.answered, v: r.avgSpeedOfAnswerSeconds })))), 'asa'),
    tile('Avg talk time', secs(weighted(calls.rows.map((r) => ({ w: r.answered, v: r.avgTalkSeconds })))), 'talk'),
    tile('Avg handle time', secs(weighted(calls.rows.map((r) => ({ w: r.answered, v: r.avgHandleSeconds })))), 'handle', 'Talk plus after-call work'),
    tile('IVR containment', pct(sum('containedInIvr'), total), 'containment'),
    tile('Abandoned', String(sum('abandoned')), 'abandoned'),
    tile('Cases', String(cases.rows.reduce((n, r) => n + r.cases, 0)), 'cases'),
    tile('Avg response time', secs(weighted(cases.rows.map((r) => ({ w: r.cases - r.awaitingResponse, v: r.avgResponseSeconds })))), 'response', 'Case created to the first agent action on it'),
    tile('Awaiting response', String(cases.rows.reduce((n, r) => n + r.awaitingResponse, 0)), 'awaiting'),
  );
}

function table(rows: Row[], which: ReportParams['which'], by: string): HTMLElement {
  const head = which === 'calls' ? [by, 'Calls', 'Answered', 'Contained in IVR', 'Containment', 'Abandoned', 'Avg speed of answer', 'Avg talk time', 'Avg handle time'] : [by, 'Cases', 'Avg response time', 'Awaiting response'];
  return h(
    'table',
    { class: 'console-table numeric', id: 'report-table' },
    h('thead', null, h('tr', null, head.map((t) => h('th', null, t[0]?.toUpperCase() + t.slice(1))))),
    h(
      'tbody',
      null,
      rows.length === 0
        ? h('tr', null, h('td', { colspan: head.length, class: 'muted' }, 'Nothing in this range.'))
        : rows.map((r, i) =>
            h(
              'tr',
              null,
              h('td', null, h('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}` }), r.key),
              isCall(r)
                ? [r.calls, r.answered, r.containedInIvr, pct(r.containedInIvr, r.calls), r.abandoned, secs(r.avgSpeedOfAnswerSeconds), secs(r.avgTalkSeconds), secs(r.avgHandleSeconds)].map((v) => h('td', null, String(v)))
                : [h('td', null, String(r.cases)), h('td', { title: 'Case created to first agent action' }, secs(r.avgResponseSeconds)), h('td', null, String(r.awaitingResponse))],
            ),
          ),
    ),
  );
}

export async function renderReport(p: ReportParams): Promise<HTMLElement> {
  const base = `/api/reports/${p.which}?by=${p.by}&from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;
  try {
    const [head, totals, series] = await Promise.all([
      tiles(p),
      getJson<{ rows: Row[] }>(`${base}&interval=total`),
      getJson<{ rows: Row[] }>(`${base}&interval=${p.interval}`),
    ]);
    const keys = totals.rows.map((r) => r.key);
    const cell = new Map(series.rows.map((r) => [`${r.bucket}\u0000${r.key}`, isCall(r) ? r.calls : r.cases]));
    const unit = p.which === 'calls' ? 'calls' : 'cases';
    const title = `${unit[0]?.toUpperCase()}${unit.slice(1)} by ${p.by}, per ${p.interval} (UTC)`;
    const chart = stackedBars({ title, buckets: bucketsOf(p.from, p.to, p.interval), keys, unit, value: (b, k) => cell.get(`${b}\u0000${k}`) ?? 0 });
    const legend = h('ul', { class: 'legend' }, keys.map((k, i) => h('li', null, h('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}` }), k)));
    const csv = (interval: string, label: string) =>
      h('a', { href: `${base}&interval=${interval}&format=csv`, class: 'btn btn-secondary btn-small csv-link', 'data-csv': interval, onclick: (e: Event) => (e.preventDefault(), void download(`${base}&interval=${interval}&format=csv`, `${p.which}.csv`)) }, label);
    return h(
      'div',
      { class: 'report', 'data-report': `${p.which}-${p.by}` },
      head,
      h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, title), h('div', { class: 'chart-scroll' }, chart), legend),
      h(
        'section',
        { class: 'panel' },
        h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title' }, 'Totals'), h('div', { class: 'form-actions' }, csv('total', 'CSV: totals'), csv(p.interval, `CSV: per ${p.interval}`))),
        table(totals.rows, p.which, p.by),
      ),
    );
  } catch (err) {
    return h('p', { class: 'form-error', role: 'alert' }, errorText(err));
  }
}
