/** The audit log: newest first, who did what to what, and which fields changed (secrets never reach the page). */
import type { AuditEntry } from '../../connector/admin/audit-log.js';
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { getJson } from '../common/api.js';
import { errorText, section, when } from '../common/shell.js';

const PAGE = 30;
const show = (v: unknown): string => (typeof v === 'string' ? (v.length > 40 ? `${v.slice(0, 39)}…` : v) : JSON.stringify(v));

/** `field: before → after` for the fields that differ (a flow's source is summarized). */
export function changes(e: Pick<AuditEntry, 'action' | 'before' | 'after'>): string[] {
  const b = (e.before ?? {}) as Record<string, unknown>;
  const a = (e.after ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (k === 'updatedAt' || k === 'createdAt') continue;
    if (JSON.stringify(b[k]) === JSON.stringify(a[k])) continue;
    if (k === 'source' && e.action.startsWith('flow.')) out.push(`source: ${e.before === null ? 'new' : 'edited'}`);
    else if (e.before === null) {
      if (a[k] !== null) out.push(`${k}: ${show(a[k])}`);
    }
    else out.push(`${k}: ${show(b[k])} → ${show(a[k])}`);
  }
  return out;
}

export function auditView(): { el: HTMLElement; refresh(): Promise<void> } {
  const body = h('tbody');
  const status = h('p', { class: 'hint', role: 'status' });
  let oldest: number | null = null;
  const more = h('button', { type: 'button', class: 'btn btn-secondary btn-small', hidden: true }, 'Older entries');

  const rows = (entries: AuditEntry[]) =>
    entries.map((e) =>
      h(
        'tr',
        { 'data-audit': e.id },
        h('td', { class: 'nowrap' }, when(e.at)),
        h('td', { class: 'mono' }, e.actor),
        h('td', null, h('span', { class: 'audit-action' }, e.action)),
        h('td', { class: 'mono' }, e.target),
        h('td', { class: 'small' }, changes(e).map((c) => h('div', null, c))),
      ),
    );

  const load = async (append: boolean): Promise<void> => {
    try {
      const q = append && oldest !== null ? `&before=${oldest}` : '';
      const { entries } = await getJson<{ entries: AuditEntry[] }>(`/api/admin/audit?limit=${PAGE}${q}`);
      if (append) body.append(...rows(entries));
      else replaceChildren(body, rows(entries));
      oldest = entries.at(-1)?.id ?? oldest;
      more.hidden = entries.length < PAGE;
      status.textContent = '';
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  more.addEventListener('click', () => void load(true));
  void load(false);
  const table = h(
    'table',
    { class: 'console-table', id: 'audit-table' },
    h('thead', null, h('tr', null, ['When', 'Who', 'What', 'Target', 'Changes'].map((t) => h('th', null, t)))),
    body,
  );
  return { el: section('audit', 'Audit log', table, status, more), refresh: () => load(false) };
}
