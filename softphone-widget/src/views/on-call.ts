/** The connected call: caller, running call timer, Hang up. */
import type { ActiveCall } from '../../../connector/protocol.js';
import { accountOf, callerName, openCasesOf } from '../caller.js';
import type { Controller } from '../controller.js';
import { h, timer } from '../dom.js';
import { pickedContactId } from '../drafts.js';
import { queueLabel } from '../labels.js';
import { accountBlock, attestationBadge, callFacts, ivrPathBlock, openCasesBlock } from './caller-details.js';
import { t } from '../i18n/index.js';

export interface OnCallView {
  el: HTMLElement;
  hangup: HTMLButtonElement;
  setHangingUp(busy: boolean): void;
}

export function onCallView(call: ActiveCall, ctl: Controller, username: string): OnCallView {
  const pop = call.pop;
  const chosen = pickedContactId(pop, username);
  const hangup = h('button', { type: 'button', class: 'btn btn-hangup', onclick: () => void ctl.hangup(call.callId) }, t('call.hangup'));
  // Music for the caller through the PBX (desk phone or softphone alike); the softphone's leg follows.
  const hold = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'hold-call', onclick: () => void ctl.holdCall(call.callId) }, t('call.hold'));
  const el = h(
    'section',
    { class: 'card on-call', 'aria-labelledby': 'on-call-title', 'data-call-id': call.callId },
    h(
      'div',
      { class: 'pop-bar call-bar' },
      h('div', { class: 'pop-actions' }, hangup, hold),
      h(
        'div',
        { class: 'pop-ring' },
        h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
        h('span', null, t('onCall.title'), queueLabel(pop.queue)),
        timer({ since: call.connectedAt, className: 'call-timer', label: t('call.duration') }),
      ),
    ),
    h(
      'div',
      { class: 'pop-body' },
      h(
        'div',
        { class: 'pop-main' },
        h('h2', { id: 'on-call-title', class: 'caller-name' }, callerName(pop, chosen)),
        attestationBadge(pop.attestation),
        accountBlock(accountOf(pop, chosen)),
        callFacts(pop, { liveWait: false, ctl }),
      ),
      h('div', { class: 'pop-side' }, openCasesBlock(openCasesOf(pop)), ivrPathBlock(pop)),
    ),
  );
  return {
    el,
    hangup,
    setHangingUp(busy: boolean): void {
      hangup.disabled = busy;
      hangup.textContent = busy ? t('onCall.hangingUp') : t('call.hangup');
    },
  };
}
