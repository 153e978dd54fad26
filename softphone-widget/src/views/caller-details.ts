/**
 * Blocks about the caller shared by the pop card and the on-call view: the
 * numbers, the account, open cases and the IVR path.
 */
import type { AccountSummary, Attestation, CaseSummary, ScreenPop } from '../../../connector/protocol.js';
import type { Controller } from '../controller.js';
import { telLink } from './dialer.js';
import { h, formatDuration, timer } from '../dom.js';
import { STATUSES, clockTime, ivrStepLabel, queueLabel } from '../labels.js';
import { isWithheld } from '../caller.js';
import { t } from '../i18n/index.js';

/** Number (E.164 and as received; a valid number is a link that calls it back), number dialled, queue and waiting time. */
export function callFacts(pop: ScreenPop, opts: { liveWait: boolean; ctl: Controller }): HTMLElement {
  const e164 = pop.aniE164;
  const raw = pop.aniRaw;
  const shown = h('span', { class: 'mono', 'data-field': 'ani-e164' }, e164 ?? t('facts.invalid'));
  const number = isWithheld(pop)
    ? h('span', null, t('facts.withheld'))
    : h(
        'span',
        null,
        e164 ? telLink(opts.ctl, e164, shown) : shown,
        raw && raw !== e164 ? h('span', { class: 'muted' }, t('facts.receivedAs'), h('span', { class: 'mono', 'data-field': 'ani-raw' }, raw)) : null,
      );
  const waited = opts.liveWait
    ? timer({ since: pop.arrivedAt, label: t('facts.timeWaited') })
    : h('span', null, formatDuration(pop.waitedSeconds * 1000));
  return h(
    'dl',
    { class: 'facts' },
    fact(t('facts.number'), number),
    fact(t('facts.dialled'), h('span', { class: 'mono', 'data-field': 'dnis' }, pop.dnis || '—')),
    fact(t('facts.queue'), h('span', { 'data-field': 'queue' }, queueLabel(pop.queue))),
    fact(t('facts.waited'), waited),
  );
}

function fact(term: string, value: Node): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value));
}

export function accountBlock(account: AccountSummary | null): HTMLElement {
  if (!account) return h('div', { class: 'account account-none muted' }, t('account.none'));
  return h(
    'div',
    { class: 'account' },
    h('span', { class: 'account-name', 'data-field': 'account-name' }, account.name),
    h('span', { class: 'account-number mono muted' }, account.accountNumber),
    h('span', { class: `badge badge-${account.tier}` }, account.tier === 'priority' ? t('account.priority') : t('account.standard')),
  );
}

export function openCasesBlock(cases: readonly CaseSummary[], headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const heading = h(headingLevel, { class: 'block-title' }, t('cases.open'), cases.length ? h('span', { class: 'count' }, String(cases.length)) : null);
  if (!cases.length) return h('section', { class: 'block' }, heading, h('p', { class: 'muted empty' }, t('cases.noneOpen')));
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
    h(headingLevel, { class: 'block-title' }, t('ivr.path')),
    steps.length ? h('ol', { class: 'ivr-path' }, steps) : h('p', { class: 'muted empty' }, t('ivr.none')),
    h('p', { class: 'ivr-queue' }, t('ivr.queue'), h('strong', null, queueLabel(pop.queue))),
  );
}

/** The STIR/SHAKEN attestation the PBX reported for the caller's number (RFC 8588 `attest`), if any. */
export function attestationBadge(attestation: Attestation | undefined): HTMLElement | null {
  if (!attestation) return null;
  return h(
    'span',
    { class: `badge badge-attest badge-attest-${attestation}`, 'data-attestation': attestation, title: `${t('attest.label')}: ${t(`attest.hint${attestation}`)}` },
    h('span', { class: 'attest-mark', 'aria-hidden': 'true' }, attestation === 'A' ? '✓' : attestation === 'B' ? '~' : '!'),
    ' ',
    t(`attest.${attestation}`),
    h('span', { class: 'visually-hidden' }, ` (${attestation}). ${t(`attest.hint${attestation}`)}`),
  );
}
