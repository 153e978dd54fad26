/**
 * Entry point of the reports page (`/reports/`, supervisors and admins): choose
 * a report, a range of days (UTC) and per day or per hour; see it drawn.
 */
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { getJson } from '../common/api.js';
import { mountConsole } from '../common/shell.js';
import { renderReport, type ReportParams } from './report-view.js';

const REPORTS: Array<[string, string]> = [
  ['calls:queue', 'Calls by queue'],
  ['calls:outcome', 'Calls by outcome'],
  ['cases:type', 'Cases by type'],
  ['cases:origin', 'Cases by origin'],
  ['cases:customer', 'Cases by customer'],
  ['cases:status', 'Cases by status'],
  ['cases:agent', 'Cases by agent'],
];
const DAY = 86_400_000;
const MAX_HOURLY_DAYS = 31;
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

const root = document.getElementById('app');
if (!root) throw new Error('index.html must contain #app');

mountConsole(root, {
  id: 'reports',
  title: 'Reports',
  needs: 'the supervisor or admin role',
  check: () => getJson('/api/reports/cases?interval=total'),
  render(main) {
    const params = new URLSearchParams(location.search);
    const report = h('select', { id: 'report', name: 'report' }, REPORTS.map(([v, t]) => h('option', { value: v, selected: v === (params.get('report') ?? 'calls:queue') }, t)));
    const from = h('input', { id: 'from', type: 'date', value: params.get('from') ?? day(Date.now() - 6 * DAY), max: day(Date.now()) });
    const to = h('input', { id: 'to', type: 'date', value: params.get('to') ?? day(Date.now()), max: day(Date.now()) });
    const interval = h('select', { id: 'interval' }, h('option', { value: 'day' }, 'Per day'), h('option', { value: 'hour' }, 'Per hour'));
    interval.value = params.get('interval') === 'hour' ? 'hour' : 'day';
    const hint = h('p', { class: 'hint', role: 'status', id: 'report-hint' });
    const out = h('div', { id: 'report-out', 'aria-live': 'polite', 'aria-busy': 'false' });

    let seq = 0;
    const show = async (): Promise<void> => {
      const [which, by] = report.value.split(':') as [ReportParams['which'], string];
      const fromMs = Date.parse(`${from.value}T00:00:00Z`);
      const toMs = Date.parse(`${to.value}T00:00:00Z`) + DAY;
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
        hint.textContent = 'Choose a start date on or before the end date.';
        return;
      }
      const hourly = interval.value === 'hour' && toMs - fromMs <= MAX_HOURLY_DAYS * DAY;
      hint.textContent =
        interval.value === 'hour' && !hourly ? `Per hour needs a range of at most ${MAX_HOURLY_DAYS} days: shown per day.` : 'Days and hours are UTC; the end date is included.';
      history.replaceState(null, '', `?${new URLSearchParams({ report: report.value, from: from.value, to: to.value, interval: interval.value }).toString()}`);
      const mine = ++seq;
      out.setAttribute('aria-busy', 'true');
      const view = await renderReport({ which, by, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), interval: hourly ? 'hour' : 'day' });
      if (mine !== seq) return;
      replaceChildren(out, view);
      out.setAttribute('aria-busy', 'false');
    };
    const preset = (label: string, days: number) =>
      h('button', {
        type: 'button',
        class: 'btn btn-ghost btn-small',
        onclick: () => {
          from.value = day(Date.now() - (days - 1) * DAY);
          to.value = day(Date.now());
          void show();
        },
      }, label);
    for (const c of [report, from, to, interval]) c.addEventListener('change', () => void show());
    main.append(
      h('h1', { class: 'page-title' }, 'Reports'),
      h(
        'form',
        { class: 'panel report-controls', 'aria-label': 'Report', onsubmit: (e: Event) => (e.preventDefault(), void show()) },
        h('div', { class: 'field' }, h('label', { for: 'report' }, 'Report'), report),
        h('div', { class: 'field' }, h('label', { for: 'from' }, 'From'), from),
        h('div', { class: 'field' }, h('label', { for: 'to' }, 'To'), to),
        h('div', { class: 'field' }, h('label', { for: 'interval' }, 'Bars'), interval),
        h('div', { class: 'presets' }, preset('Today', 1), preset('7 days', 7), preset('30 days', 30), preset('90 days', 90)),
        hint,
      ),
      out,
    );
    replaceChildren(out, h('p', { class: 'muted' }, 'Loading…'));
    void show();
    return () => undefined;
  },
});
