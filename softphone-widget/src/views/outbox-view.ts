/** Cases waiting in the browser for the connector to come back, and those it refused. */
import type { Controller } from '../controller.js';
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import type { QueuedCase } from '../outbox.js';

export function outboxView(items: readonly QueuedCase[], ctl: Controller): HTMLElement | null {
  if (!items.length) return null;
  return h(
    'section',
    { class: 'card outbox', 'aria-labelledby': 'outbox-title', 'data-outbox-count': items.length },
    h('h2', { id: 'outbox-title', class: 'panel-title' }, t('outbox.pending', { count: items.length })),
    h(
      'ul',
      { class: 'outbox-list' },
      items.map((i) =>
        h(
          'li',
          { 'data-key': i.key, class: i.failed ? 'outbox-item is-failed' : 'outbox-item' },
          h('span', null, i.body.subject),
          i.failed ? h('span', { class: 'field-error' }, ` · ${i.failed} `) : null,
          i.failed ? h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': t('outbox.discard'), onclick: () => ctl.outbox.discard(i.key) }, '×') : null,
        ),
      ),
    ),
  );
}
