/**
 * The screen-pop: a non-modal card in the page flow. Answer and Decline come
 * first in the DOM (so first in tab order) and nothing ever overlaps them.
 */
import type { ScreenPop } from '../../../connector/protocol.js';
import { accountOf, callerName, fullName, matchesOf, openCasesOf, type CallerMatch } from '../caller.js';
import type { Controller } from '../controller.js';
import { h, replaceChildren, timer } from '../dom.js';
import { chooseContact, pickedContactId } from '../drafts.js';
import { queueLabel } from '../labels.js';
import { accountBlock, attestationBadge, callFacts, ivrPathBlock, openCasesBlock } from './caller-details.js';
import { t } from '../i18n/index.js';

export interface PopCard {
  el: HTMLElement;
  /** Null for a call the agent placed (click-to-dial): it is answered on the desk phone. */
  answer: HTMLButtonElement | null;
  /** The agent placed this call (click-to-dial): no Answer or Decline. */
  outbound: boolean;
  setBusy(busy: boolean): void;
}

export function popCard(pop: ScreenPop, ctl: Controller, username: string, outbound = false, waiting = false): PopCard {
  const id = `pop-${pop.callId.replace(/[^\w-]/g, '')}`;
  const answer = h('button', { type: 'button', class: 'btn btn-answer', 'aria-describedby': `${id}-title`, onclick: () => void ctl.accept(pop) }, t('call.answer'));
  const decline = h('button', { type: 'button', class: 'btn btn-decline', onclick: () => void ctl.decline(pop) }, t('call.decline'));

  const title = h('h2', { id: `${id}-title`, class: 'caller-name' });
  const account = h('div', { class: 'account-slot' });
  const matches = matchesOf(pop);
  const showIdentity = (): void => {
    const chosen = pickedContactId(pop, username);
    title.textContent = callerName(pop, chosen);
    replaceChildren(account, accountBlock(accountOf(pop, chosen)));
  };
  showIdentity();

  const el = h(
    'article',
    { class: 'card pop-card', id, 'data-call-id': pop.callId, 'data-direction': outbound ? 'out' : 'in', 'aria-labelledby': `${id}-title` },
    outbound
      ? h(
          'div',
          { class: 'pop-bar' },
          h('div', { class: 'pop-ring' }, h('span', { class: 'ring-pulse', 'aria-hidden': 'true' }), h('span', null, t('pop.outgoing')), timer({ since: pop.offeredAt, label: t('call.calling') })),
        )
      : h(
          'div',
          { class: 'pop-bar' },
          h('div', { class: 'pop-actions' }, answer, decline),
          h(
            'div',
            { class: 'pop-ring' },
            h('span', { class: 'ring-pulse', 'aria-hidden': 'true' }),
            h('span', null, t('pop.incoming'), queueLabel(pop.queue)),
            h('span', { class: 'ring-countdown' }, t('pop.ringsFor'), timer({ until: pop.offerExpiresAt, label: t('pop.expiresIn') })),
            // Call waiting: say what Answer does to the caller the agent is talking to.
            waiting ? h('span', { class: 'pop-waiting', 'data-field': 'call-waiting' }, t('pop.holdsCurrent')) : null,
          ),
        ),
    h(
      'div',
      { class: 'pop-body' },
      h(
        'div',
        { class: 'pop-main' },
        title,
        attestationBadge(pop.attestation),
        account,
        matches.length > 1 ? pickList(pop, matches, username, id, showIdentity) : null,
        callFacts(pop, { liveWait: true, ctl }),
      ),
      h('div', { class: 'pop-side' }, openCasesBlock(openCasesOf(pop)), ivrPathBlock(pop)),
    ),
  );

  return {
    el,
    answer: outbound ? null : answer,
    outbound,
    setBusy(busy: boolean): void {
      answer.disabled = busy;
      decline.disabled = busy;
      el.classList.toggle('is-busy', busy);
    },
  };
}

/** Several contacts share the number: the agent's pick becomes the case's contact. */
function pickList(pop: ScreenPop, matches: CallerMatch[], username: string, id: string, onPick: () => void): HTMLElement {
  const picked = pickedContactId(pop, username);
  return h(
    'fieldset',
    { class: 'pick-list' },
    h('legend', null, t('pop.several', { count: matches.length })),
    matches.map((m) =>
      h(
        'label',
        { class: 'pick' },
        h('input', {
          type: 'radio',
          name: `${id}-contact`,
          value: String(m.contact.id),
          checked: picked === m.contact.id,
          onchange: () => {
            chooseContact(pop, username, `${m.contact.id}`);
            onPick();
          },
        }),
        h('span', { class: 'pick-name' }, fullName(m.contact)),
        h('span', { class: 'muted' }, m.account ? ` · ${m.account.name}` : t('pop.noAccount')),
        m.contact.email ? h('span', { class: 'muted pick-email' }, m.contact.email) : null,
      ),
    ),
  );
}
