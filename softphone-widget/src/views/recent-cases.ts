/** The agent's recent cases, and the confirmation shown after a save. */
import type { CaseRecord } from '../../../connector/store/types.js';
import type { Controller } from '../controller.js';
import { h } from '../dom.js';
import { CASE_TYPES, STATUSES, shortDateTime } from '../labels.js';
import { t } from '../i18n/index.js';

export function recentCasesView(cases: readonly CaseRecord[] | null, highlight: string | null): HTMLElement {
  const title = h('h2', { id: 'recent-title', class: 'panel-title' }, t('app.recent'));
  if (cases === null) return h('section', { class: 'panel recent', 'aria-labelledby': 'recent-title' }, title, h('p', { class: 'muted empty' }, t('recent.loading')));
  if (!cases.length) return h('section', { class: 'panel recent', 'aria-labelledby': 'recent-title' }, title, h('p', { class: 'muted empty' }, t('recent.empty')));
  return h(
    'section',
    { class: 'panel recent', 'aria-labelledby': 'recent-title' },
    title,
    h(
      'ol',
      { class: 'recent-list' },
      cases.map((c) =>
        h(
          'li',
          { class: c.number === highlight ? 'recent-item is-new' : 'recent-item', 'data-case-number': c.number },
          h('div', { class: 'recent-line' }, h('span', { class: 'case-number mono' }, c.number), h('span', { class: `status status-${c.status}` }, STATUSES[c.status])),
          h('p', { class: 'recent-subject' }, c.subject),
          h('p', { class: 'muted recent-meta' }, `${CASE_TYPES[c.type]} · ${shortDateTime(c.createdAt)}`),
        ),
      ),
    ),
  );
}

export function savedView(saved: { record: CaseRecord; callerName: string }, ctl: Controller): HTMLElement {
  const r = saved.record;
  return h(
    'section',
    { class: 'card saved', 'aria-labelledby': 'saved-title', role: 'status' },
    h('h2', { id: 'saved-title', tabindex: -1 }, t('saved.case'), h('span', { class: 'mono', 'data-field': 'saved-case-number' }, r.number), t('saved.saved')),
    h('p', null, r.subject),
    h('p', { class: 'muted' }, `${CASE_TYPES[r.type]} · ${saved.callerName}`),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctl.dismissSaved() }, t('saved.done')),
  );
}
