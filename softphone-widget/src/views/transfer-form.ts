/**
 * Blind transfer on the softphone's call card: a disclosure with the target
 * (number, extension or SIP URI) and "Transfer now". While the REFER is out
 * the form says so; a refusal is shown in the card (the caller stays on the
 * line); an accepted transfer ends the call and the widget says where it went.
 */
import type { Controller } from '../controller.js';
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { targetLabel } from '../phone/dial-target.js';
import type { PhoneCall } from '../phone/phone-state.js';

export interface TransferView {
  toggle: HTMLButtonElement;
  form: HTMLFormElement;
  update(call: PhoneCall): void;
}

export function transferForm(ctl: Controller): TransferView {
  const toggle = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'transfer', 'aria-expanded': 'false', 'aria-controls': 'phone-transfer' }, t('call.transfer'));
  const input = h('input', { id: 'transfer-target', name: 'target', type: 'text', inputmode: 'tel', autocomplete: 'off', required: true, 'aria-describedby': 'transfer-status' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary' }, t('call.transferNow'));
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost' }, t('call.transferCancel'));
  const status = h('p', { id: 'transfer-status', class: 'transfer-status', 'data-field': 'transfer-status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { id: 'phone-transfer', class: 'transfer-form', hidden: true, novalidate: true },
    h('label', { for: 'transfer-target' }, t('call.transferLabel')),
    h('div', { class: 'transfer-row' }, input, send, cancel),
    status,
  );
  let pending = false;
  const show = (open: boolean): void => {
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) input.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => show(form.hidden));
  cancel.addEventListener('click', () => {
    ctl.phone.clearTransfer();
    show(false);
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      show(false);
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (pending) return;
    ctl.phone.clearTransfer();
    void ctl.transfer(input.value).then((problem) => {
      if (problem) {
        status.textContent = problem;
        status.dataset['status'] = 'error';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
  });
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

  return {
    toggle,
    form,
    update(call: PhoneCall): void {
      const tr = call.transfer;
      pending = tr?.status === 'pending';
      send.setAttribute('aria-disabled', String(pending));
      input.readOnly = pending;
      if (!tr) return;
      const target = targetLabel(tr.target);
      status.dataset['status'] = tr.status;
      status.setAttribute('role', tr.status === 'failed' ? 'alert' : 'status');
      status.textContent =
        tr.status === 'pending'
          ? t('call.transferring', { target })
          : tr.statusCode
            ? t('call.transferFailed', { target, status: tr.statusCode })
            : t('call.transferError', { target });
    },
  };
}
