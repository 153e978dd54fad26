/** The sign-in form. */
import { ApiError } from '../api.js';
import type { Controller } from '../controller.js';
import { h } from '../dom.js';

export function loginView(ctl: Controller, notice: string | null): HTMLElement {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  if (notice) error.textContent = notice;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');

  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Switchboard'),
    h('p', { class: 'muted' }, 'Sign in to take calls.'),
    h('div', { class: 'field' }, h('label', { for: 'login-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!username.value.trim() || !password.value) {
      error.textContent = 'Enter your username and password.';
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.textContent = '';
    ctl.login(username.value.trim(), password.value).catch((err: unknown) => {
      submit.disabled = false;
      submit.textContent = 'Sign in';
      error.textContent =
        err instanceof ApiError && err.code === 'INVALID_CREDENTIALS'
          ? 'Wrong username or password.'
          : err instanceof Error
            ? err.message
            : 'Sign-in failed.';
      password.select();
      password.focus();
    });
  });

  const page = h('main', { class: 'login-page' }, form);
  queueMicrotask(() => username.focus());
  return page;
}
