/** The sign-in form. */
import { ApiError } from '../api.js';
import type { Controller } from '../controller.js';
import { h } from '../dom.js';
import { t } from '../i18n/index.js';

export function loginView(ctl: Controller, notice: string | null): HTMLElement {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  if (notice) error.textContent = notice;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));

  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Switchboard'),
    h('p', { class: 'muted' }, t('login.intro')),
    h('div', { class: 'field' }, h('label', { for: 'login-username' }, t('login.username')), username),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), password),
    error,
    submit,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!username.value.trim() || !password.value) {
      error.textContent = t('login.missing');
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.signingIn');
    error.textContent = '';
    ctl.login(username.value.trim(), password.value).catch((err: unknown) => {
      submit.disabled = false;
      submit.textContent = t('login.submit');
      error.textContent =
        err instanceof ApiError && err.code === 'INVALID_CREDENTIALS'
          ? t('login.wrong')
          : err instanceof Error
            ? err.message
            : t('login.failed');
      password.select();
      password.focus();
    });
  });

  const page = h('main', { class: 'login-page' }, form);
  queueMicrotask(() => username.focus());
  return page;
}
