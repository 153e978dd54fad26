/**
 * The frame of a console page: sign-in (with the role the page needs), the top
 * bar with navigation and sign-out, and the page itself. Uses the agent
 * widget's stylesheet and `h()` helper, so the console looks like the widget.
 */
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { ApiError, session, signIn, signOut, whenSignedOut } from './api.js';

export interface ConsolePage {
  /** Which nav entry is current. */
  id: 'admin' | 'reports' | 'supervisor';
  title: string;
  /** Who may use the page, for the sign-in text. */
  needs: string;
  /** What the sign-in form says to a user whose role may not use the page; by default, what it needs. */
  refused?(displayName: string): string;
  /** A request the page's role allows; a 403 means the signed-in user may not use the page. */
  check(): Promise<unknown>;
  /** Renders the page into `main`; returns a function that stops its timers. */
  render(main: HTMLElement): () => void;
}

export function mountConsole(root: HTMLElement, page: ConsolePage): void {
  let stop: (() => void) | null = null;
  const showLogin = (notice: string | null): void => {
    stop?.();
    stop = null;
    replaceChildren(root, loginView(page, notice, () => void open()));
  };
  const open = async (): Promise<void> => {
    const s = session();
    if (!s) return showLogin(null);
    try {
      await page.check();
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        await signOut();
        return showLogin(page.refused?.(s.displayName) ?? `${s.displayName} may not use this page: it needs ${page.needs}.`);
      }
      if (err instanceof ApiError && err.status === 401) return showLogin('Your session ended. Sign in again.');
      return showLogin(err instanceof Error ? err.message : 'The page could not be loaded.');
    }
    const main = h('main', { class: 'console-main', id: 'main' });
    replaceChildren(root, topbar(page, s.displayName, () => void signOut().then(() => showLogin(null))), main);
    stop = page.render(main);
  };
  whenSignedOut(() => showLogin('Your session ended. Sign in again.'));
  void open();
}

function topbar(page: ConsolePage, name: string, onSignOut: () => void): HTMLElement {
  const link = (id: ConsolePage['id'], href: string, text: string) =>
    h('a', { href, class: 'console-nav-link', 'aria-current': page.id === id ? 'page' : null }, text);
  return h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Switchboard'),
    h('nav', { class: 'console-nav', 'aria-label': 'Console' }, link('admin', '/admin/', 'Admin console'), link('reports', '/reports/', 'Reports'), link('supervisor', '/supervisor/', 'Supervisor'), h('a', { href: '/agent/', class: 'console-nav-link' }, 'Agent widget')),
    h('div', { class: 'topbar-end' }, h('span', { class: 'agent-name', id: 'console-user' }, name), h('button', { type: 'button', class: 'btn btn-ghost', onclick: onSignOut }, 'Sign out')),
  );
}

function loginView(page: ConsolePage, notice: string | null, onDone: () => void): HTMLElement {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, page.title),
    h('p', { class: 'muted' }, `For ${page.needs}.`),
    h('div', { class: 'field' }, h('label', { for: 'login-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!username.value.trim() || !password.value) {
      error.textContent = 'Enter your username and password.';
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    signIn(username.value.trim(), password.value)
      .then(onDone)
      .catch((err: unknown) => {
        submit.disabled = false;
        error.textContent =
          err instanceof ApiError && err.code === 'INVALID_CREDENTIALS'
            ? 'Wrong username or password.'
            : err instanceof ApiError && err.code === 'TOO_MANY_ATTEMPTS'
              ? 'Too many failed sign-ins; try again later.'
              : err instanceof Error
                ? err.message
                : 'Sign-in failed.';
        password.select();
      });
  });
  queueMicrotask(() => username.focus());
  return h('div', { class: 'login-page' }, form);
}

/** A titled panel section. */
export function section(id: string, title: string, ...children: Array<Node | string | null>): HTMLElement {
  return h('section', { class: 'panel console-section', id, 'aria-labelledby': `${id}-title` }, h('h2', { class: 'panel-title', id: `${id}-title` }, title), ...children);
}

/** `2026-11-22 14:03` (local time) from an ISO time. */
export function when(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** An error as a sentence, with the server's per-field problems. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fields).map(([k, v]) => `${k}: ${v.join(', ')}`);
    return fields.length ? `${err.message} ${fields.join('; ')}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
