/**
 * Blocks about the caller shared by the pop card and the on-call view: the
 * numbers, the account, open cases and the IVR path.
 */
import type { AccountSummary, CaseSummary, ScreenPop } from '../../../connector/protocol.js';
import { h, formatDuration, timer } from '../dom.js';
import { STATUSES, clockTime, ivrStepLabel, queueLabel } from '../labels.js';
import { isWithheld } from '../caller.js';

/** Number (E.164 and as received), number dialled, queue and waiting time. */
export function callFacts(pop: ScreenPop, opts: { liveWait: boolean }): HTMLElement {
  const e164 = pop.aniE164;
  const raw = pop.aniRaw;
  const number = isWithheld(pop)
    ? h('span', null, 'Withheld')
    : h(
        'span',
        null,
        h('span', { class: 'mono', 'data-field': 'ani-e164' }, e164 ?? 'Not a valid number'),
        raw && raw !== e164 ? h('span', { class: 'muted' }, ' · received as ', h('span', { class: 'mono', 'data-field': 'ani-raw' }, raw)) : null,
      );
  const waited = opts.liveWait
    ? timer({ since: pop.arrivedAt, label: 'Time waited' })
    : h('span', null, formatDuration(pop.waitedSeconds * 1000));
  return h(
    'dl',
    { class: 'facts' },
    fact('Number', number),
    fact('Dialled', h('span', { class: 'mono', 'data-field': 'dnis' }, pop.dnis || '—')),
    fact('Queue', h('span', { 'data-field': 'queue' }, queueLabel(pop.queue))),
    fact('Waited', waited),
  );
}

function fact(term: string, value: Node): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value));
}

export function accountBlock(account: AccountSummary | null): HTMLElement {
  if (!account) return h('div', { class: 'account account-none muted' }, 'No account on file');
  return h(
    'div',
    { class: 'account' },
    h('span', { class: 'account-name', 'data-field': 'account-name' }, account.name),
    h('span', { class: 'account-number mono muted' }, account.accountNumber),
    h('span', { class: `badge badge-${account.tier}` }, account.tier === 'priority' ? 'Priority' : 'Standard'),
  );
}

export function openCasesBlock(cases: readonly CaseSummary[], headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const heading = h(headingLevel, { class: 'block-title' }, 'Open cases', cases.length ? h('span', { class: 'count' }, String(cases.length)) : null);
  if (!cases.length) return h('section', { class: 'block' }, heading, h('p', { class: 'muted empty' }, 'No open cases'));
  return h(
    'section',
    { class: 'block' },
    heading,
    h(
      'ul',
      { class: 'case-list' },
      cases.slice(0, 5).map((c) =>
        h(
          'li',
          null,
          h('span', { class: 'case-number mono' }, c.number),
          h('span', { class: 'case-subject', title: c.subject }, c.subject),
          h('span', { class: `status status-${c.status}` }, STATUSES[c.status]),
        ),
      ),
    ),
  );
}

/** The IVR path as a compact list: node, what happened (key), seconds after arrival. */
export function ivrPathBlock(pop: ScreenPop, headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const start = Date.parse(pop.arrivedAt);
  const steps = pop.ivrPath.map((step) =>
    h(
      'li',
      { class: `ivr-step ivr-${step.event}` },
      h('span', { class: 'ivr-node' }, step.node),
      h('span', { class: 'ivr-event' }, ivrStepLabel(step), step.key ? h('kbd', null, step.key) : null),
      h('time', { class: 'ivr-time muted', datetime: step.at, title: clockTime(step.at) }, `+${formatDuration(Date.parse(step.at) - start)}`),
    ),
  );
  return h(
    'section',
    { class: 'block' },
    h(headingLevel, { class: 'block-title' }, 'IVR path'),
    steps.length ? h('ol', { class: 'ivr-path' }, steps) : h('p', { class: 'muted empty' }, 'No menu steps'),
    h('p', { class: 'ivr-queue' }, 'Queue: ', h('strong', null, queueLabel(pop.queue))),
  );
}
