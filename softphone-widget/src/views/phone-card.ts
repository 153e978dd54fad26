/**
 * The softphone's call card: ringing (Answer, Decline), then the call (timer,
 * Hold/Resume, Mute, keypad, Hang up). Built once per call state and patched
 * in place for hold, mute and keys, so keyboard focus stays where it was.
 * When the SIP call belongs to a pop, Answer and Hang up act on both. With
 * call waiting, the card also lists the agent's other calls (held, or ringing
 * from their pop).
 */
import type { Controller } from '../controller.js';
import { h, replaceChildren, timer } from '../dom.js';
import { t } from '../i18n/index.js';
import { callerOf } from '../phone-link.js';
import { DTMF_KEYS, type DtmfKey, type PhoneCall } from '../phone/phone-state.js';
import type { AppState } from '../state.js';
import { transferForm } from './transfer-form.js';

export interface PhoneCardView {
  el: HTMLElement;
  /** The control to focus when the card appears. */
  primary: HTMLButtonElement;
  update(call: PhoneCall): void;
}

export function phoneCard(call: PhoneCall, ctl: Controller, state: () => AppState): PhoneCardView {
  if (call.state === 'dialing') return dialingCard(call, ctl);
  return call.state === 'ringing' || call.state === 'answering' ? ringingCard(call, ctl, state) : activeCard(call, ctl, state);
}

/** An outbound call waiting for the far end: who, how long, Cancel. */
function dialingCard(call: PhoneCall, ctl: Controller): PhoneCardView {
  const cancel = h('button', { type: 'button', class: 'btn btn-hangup', onclick: () => void ctl.phone.hangup() }, t('call.cancel'));
  const el = h(
    'article',
    { class: 'card phone-card outgoing', 'data-phone-state': call.state, 'data-direction': 'out', 'aria-labelledby': 'phone-card-title' },
    h(
      'div',
      { class: 'pop-bar' },
      h('div', { class: 'pop-actions' }, cancel),
      h('div', { class: 'pop-ring' }, h('span', { class: 'ring-pulse', 'aria-hidden': 'true' }), h('span', null, t('call.calling')), timer({ since: call.ringingSince, label: t('call.calling') })),
    ),
    h(
      'div',
      { class: 'pop-body' },
      h('div', { class: 'pop-main' }, h('p', { class: 'eyebrow' }, t('call.outgoing')), h('h2', { id: 'phone-card-title', class: 'caller-name mono' }, call.remoteNumber)),
    ),
  );
  return { el, primary: cancel, update: (c) => (el.dataset['phoneState'] = c.state) };
}

function ringingCard(call: PhoneCall, ctl: Controller, state: () => AppState): PhoneCardView {
  const linkedPop = (): ReturnType<AppState['offers']['find']> => state().offers.find((o) => o.callId === call.linkedCallId);
  const answer = h('button', { type: 'button', class: 'btn btn-answer', 'aria-describedby': 'phone-card-title' }, t('call.answer'));
  const decline = h('button', { type: 'button', class: 'btn btn-decline' }, t('call.decline'));
  answer.addEventListener('click', () => {
    const pop = linkedPop();
    void (pop ? ctl.accept(pop) : ctl.phone.answer());
  });
  decline.addEventListener('click', () => {
    const pop = linkedPop();
    void (pop ? ctl.decline(pop) : ctl.phone.hangup());
  });
  const el = h(
    'article',
    { class: 'card phone-card', 'data-phone-state': call.state, 'aria-labelledby': 'phone-card-title' },
    h(
      'div',
      { class: 'pop-bar' },
      h('div', { class: 'pop-actions' }, answer, decline),
      h('div', { class: 'pop-ring' }, h('span', { class: 'ring-pulse', 'aria-hidden': 'true' }), h('span', null, t('call.incoming')), timer({ since: call.ringingSince, label: t('call.ringing') })),
    ),
    h('div', { class: 'pop-body' }, h('div', { class: 'pop-main' }, h('h2', { id: 'phone-card-title', class: 'caller-name' }, callerOf(call)), h('p', { class: 'mono muted', 'data-field': 'sip-from' }, call.remoteNumber))),
  );
  const update = (c: PhoneCall): void => {
    const busy = c.state === 'answering';
    answer.setAttribute('aria-disabled', String(busy));
    answer.textContent = busy ? t('call.answering') : t('call.answer');
    el.dataset['phoneState'] = c.state;
  };
  update(call);
  return { el, primary: answer, update };
}

function activeCard(call: PhoneCall, ctl: Controller, state: () => AppState): PhoneCardView {
  const hangup = h('button', { type: 'button', class: 'btn btn-hangup' }, t('call.hangup'));
  // The connector's call this SIP leg carries, while connected (talking or held): requests go through the connector.
  const connectorCall = (): string | null => {
    const s = state();
    const id = current.linkedCallId;
    return id && (s.activeCall?.callId === id || s.heldCalls.some((c) => c.callId === id)) ? id : null;
  };
  hangup.addEventListener('click', () => {
    const linked = connectorCall();
    void (linked ? ctl.hangup(linked) : ctl.phone.hangup());
  });
  let current = call;
  const hold = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'hold', 'aria-pressed': 'false' });
  hold.addEventListener('click', () => {
    if (current.holdPending) return;
    // A connector call: the caller gets music on hold and the widget's other tabs hear of it (call.held drives this leg).
    const linked = connectorCall();
    if (linked) void (current.held ? ctl.resumeCall(linked) : ctl.holdCall(linked));
    else void ctl.phone.hold(!current.held);
  });
  const mute = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'mute', 'aria-pressed': 'false' });
  mute.addEventListener('click', () => ctl.phone.mute(!current.muted));
  const keypadToggle = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'keypad', 'aria-expanded': 'false', 'aria-controls': 'phone-keypad' }, t('call.keypad'));
  const sent = h('p', { class: 'dtmf-sent mono', 'aria-live': 'polite', 'data-field': 'dtmf-sent' });
  const keys = DTMF_KEYS.map((k) => h('button', { type: 'button', class: 'key', 'data-key': k, 'aria-label': `${t('call.keypad')} ${k}`, onclick: () => void ctl.phone.dtmf(k) }, k));
  const keypad = h('div', { id: 'phone-keypad', class: 'keypad', role: 'group', 'aria-label': t('call.keypadLabel'), hidden: true }, keys, sent);
  keypadToggle.addEventListener('click', () => {
    keypad.hidden = !keypad.hidden;
    keypadToggle.setAttribute('aria-expanded', String(!keypad.hidden));
    if (!keypad.hidden) keys[0]?.focus();
  });
  const status = h('span', { 'data-field': 'phone-call-status' });
  const transfer = transferForm(ctl);
  const microphone = h('p', { class: 'muted phone-mic', 'data-field': 'microphone' });
  const others = otherCallsList();
  const el = h(
    'article',
    { class: 'card phone-card on-call', 'data-phone-state': call.state, 'data-direction': call.direction, 'aria-labelledby': 'phone-card-title' },
    h(
      'div',
      { class: 'pop-bar call-bar' },
      h('div', { class: 'pop-actions' }, hangup, hold, mute, keypadToggle, transfer.toggle),
      h('div', { class: 'pop-ring' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), status, call.answeredAt ? timer({ since: call.answeredAt, className: 'call-timer', label: t('call.duration') }) : null),
    ),
    h(
      'div',
      { class: 'pop-body' },
      h('div', { class: 'pop-main' }, h('h2', { id: 'phone-card-title', class: 'caller-name' }, callerOf(call)), h('p', { class: 'mono muted', 'data-field': 'sip-from' }, call.remoteNumber), microphone, others.el, transfer.form),
      keypad,
    ),
  );
  // Keys typed while focus is in the card go to the caller, as on a desk phone.
  el.addEventListener('keydown', (e) => {
    if (keypad.hidden || e.ctrlKey || e.metaKey || e.altKey || !(DTMF_KEYS as readonly string[]).includes(e.key)) return;
    if (e.target instanceof HTMLInputElement) return; // typing a transfer target, not keys for the caller
    if (e.target instanceof HTMLButtonElement && e.target.classList.contains('key') && (e.key === ' ' || e.key === 'Enter')) return;
    e.preventDefault();
    void ctl.phone.dtmf(e.key as DtmfKey);
  });
  const update = (c: PhoneCall): void => {
    current = c;
    el.dataset['phoneState'] = c.state;
    el.dataset['held'] = String(c.held);
    hold.textContent = c.held ? t('call.resume') : t('call.hold');
    hold.setAttribute('aria-pressed', String(c.held));
    hold.setAttribute('aria-busy', String(c.holdPending));
    mute.textContent = c.muted ? t('call.unmute') : t('call.mute');
    mute.setAttribute('aria-pressed', String(c.muted));
    status.textContent = c.held ? t('call.onHold') : t('call.onCall');
    sent.textContent = c.dtmfSent ? t('call.sent', { keys: c.dtmfSent }) : '';
    microphone.textContent = c.microphone ? t('call.microphone', { label: c.microphone }) : '';
    transfer.update(c);
    others.update(state().phone.otherCalls);
  };
  update(call);
  return { el, primary: hangup, update };
}

/** The other calls (call waiting): each caller with a badge; rebuilt only when they changed. */
function otherCallsList(): { el: HTMLElement; update(calls: readonly PhoneCall[]): void } {
  const el = h('ul', { class: 'phone-others', 'aria-label': t('call.otherCalls'), 'data-field': 'other-calls', hidden: true });
  let shown: readonly PhoneCall[] | null = null;
  return {
    el,
    update(calls: readonly PhoneCall[]): void {
      if (calls === shown) return;
      shown = calls;
      el.hidden = calls.length === 0;
      const badge = (c: PhoneCall): string => (c.state === 'ringing' || c.state === 'answering' ? t('call.ringing') : c.held ? t('call.onHold') : t('call.onCall'));
      replaceChildren(
        el,
        calls.map((c) => h('li', { 'data-call': c.id, 'data-held': String(c.held) }, callerOf(c), ' ', h('span', { class: 'badge badge-standard' }, badge(c)))),
      );
    },
  };
}
