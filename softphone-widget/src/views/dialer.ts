/**
 * Outbound calls: a number field with a dial pad. In softphone mode the
 * softphone sends the INVITE; in desk-phone mode the connector's click-to-dial
 * rings the desk phone first. Also `telLink`, which makes a number shown
 * anywhere (the pop, a case) a link that calls it back.
 */
import type { Controller } from '../controller.js';
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { DTMF_KEYS } from '../phone/phone-state.js';

export interface DialerView {
  el: HTMLElement;
}

export function dialerView(ctl: Controller, desk: boolean): DialerView {
  const input = h('input', { id: 'dial-number', name: 'number', type: 'tel', inputmode: 'tel', autocomplete: 'off', placeholder: t('dial.placeholder'), 'aria-describedby': desk ? 'dial-hint' : null });
  const call = h('button', { type: 'submit', class: 'btn btn-primary btn-call' }, t('dial.call'));
  const padToggle = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-expanded': 'false', 'aria-controls': 'dial-pad' }, t('dial.pad'));
  const keys = [...DTMF_KEYS, '+'].map((k) =>
    h('button', { type: 'button', class: 'key', 'data-dial-key': k, 'aria-label': `${t('dial.pad')} ${k}`, onclick: () => add(k) }, k),
  );
  const back = h('button', { type: 'button', class: 'key key-back', 'aria-label': t('dial.clear'), onclick: () => (input.value = input.value.slice(0, -1)) }, '⌫');
  const pad = h('div', { id: 'dial-pad', class: 'keypad dial-pad', role: 'group', 'aria-label': t('dial.padLabel'), hidden: true }, keys, back);
  const add = (k: string): void => {
    input.value += k;
  };
  padToggle.addEventListener('click', () => {
    pad.hidden = !pad.hidden;
    padToggle.setAttribute('aria-expanded', String(!pad.hidden));
  });
  let busy = false;
  const form = h(
    'form',
    { class: 'card dialer', 'aria-labelledby': 'dial-title', novalidate: true, 'data-mode': desk ? 'desk' : 'softphone' },
    h('h2', { id: 'dial-title', class: 'panel-title' }, t('dial.title')),
    h('label', { for: 'dial-number', class: 'visually-hidden' }, t('dial.number')),
    h('div', { class: 'dial-row' }, input, call, padToggle),
    desk ? h('p', { id: 'dial-hint', class: 'hint' }, t('dial.deskHint')) : null,
    pad,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (busy) return;
    busy = true;
    call.setAttribute('aria-disabled', 'true');
    void ctl.dial(input.value).then((r) => {
      busy = false;
      call.removeAttribute('aria-disabled');
      if (r.ok) input.value = '';
      else input.focus();
    });
  });
  return { el: form };
}

/**
 * A number the agent can call back with one click (a `tel:` link, so it is
 * keyboard operable and reads as a link). `content` is what is shown.
 */
export function telLink(ctl: Controller, number: string, content: Node | string): HTMLAnchorElement {
  return h(
    'a',
    {
      href: `tel:${number}`,
      class: 'tel',
      title: t('dial.callBack', { number }),
      'data-dial': number,
      onclick: (e: Event) => {
        e.preventDefault();
        void ctl.dial(number);
      },
    },
    content,
  );
}
