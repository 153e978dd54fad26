/** Adapters with their live state and last error, refreshed every few seconds. */
import type { AdapterHealth } from '../../adapters/adapter.js';
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { getJson, send } from '../common/api.js';
import { errorText, section, when } from '../common/shell.js';

export interface AdapterRow {
  id: string;
  kind: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  health: AdapterHealth | null;
}

const POLL_MS = 4_000;

/** The settings worth a glance (secrets are removed by the server). */
function summary(a: AdapterRow): string {
  const s = a.settings;
  const parts = [typeof s['url'] === 'string' ? s['url'] : null, typeof s['username'] === 'string' ? `user ${s['username']}` : null, typeof s['application'] === 'string' ? `app ${s['application']}` : null];
  if (typeof s['passwordEnv'] === 'string') parts.push(`password from $${s['passwordEnv']}`);
  else if (typeof s['passwordFile'] === 'string') parts.push(`password from ${s['passwordFile']}`);
  else if (a.kind === 'asterisk') parts.push('password in the config file');
  if (typeof s['charsPerSecond'] === 'number') parts.push(`${s['charsPerSecond']} chars/s`);
  return parts.filter(Boolean).join(' · ');
}

export function adaptersView(): { el: HTMLElement; stop(): void } {
  const body = h('tbody');
  const status = h('p', { class: 'hint', role: 'status' });
  const table = h(
    'table',
    { class: 'console-table', id: 'adapters-table' },
    h('thead', null, h('tr', null, h('th', null, 'Adapter'), h('th', null, 'Kind'), h('th', null, 'State'), h('th', null, 'Since'), h('th', null, 'Last error'), h('th', null, 'Settings'), h('th', null, 'Actions'))),
    body,
  );
  // Test connection, enable, disable: applied at once to this adapter alone, and audited.
  const act = async (a: AdapterRow, action: 'test' | 'enable' | 'disable'): Promise<void> => {
    status.textContent = `${action === 'test' ? 'Testing' : action === 'enable' ? 'Enabling' : 'Disabling'} ${a.id}…`;
    try {
      const r = (await (await send('POST', `/api/admin/adapters/${encodeURIComponent(a.id)}/${action}`)).json()) as { ok?: boolean; lines?: string[] };
      status.textContent = action === 'test' ? `${r.ok ? 'Reachable' : 'Not reachable'}: ${(r.lines ?? []).join(' ')}` : `${a.id} ${action}d.`;
      await refresh();
    } catch (err) {
      status.textContent = `${a.id}: ${errorText(err)}`;
    }
  };
  const refresh = async (): Promise<void> => {
    try {
      const { adapters } = await getJson<{ adapters: AdapterRow[] }>('/api/admin/adapters');
      replaceChildren(
        body,
        adapters.map((a) => {
          const state = a.enabled ? (a.health?.state ?? 'not running') : 'disabled';
          return h(
            'tr',
            { 'data-adapter': a.id },
            h('td', { class: 'mono' }, a.id),
            h('td', null, a.kind),
            h('td', null, h('span', { class: 'adapter-state', 'data-state': state }, h('span', { class: 'dot', 'aria-hidden': 'true' }), state)),
            h('td', null, when(a.health?.since ?? null)),
            h('td', { class: a.health?.lastError ? 'error-text' : 'muted' }, a.health?.lastError ?? 'none'),
            h('td', { class: 'muted small' }, summary(a)),
            h(
              'td',
              { class: 'actions' },
              h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'test', onclick: () => void act(a, 'test') }, 'Test connection'),
              h(
                'button',
                { type: 'button', class: 'btn btn-small', 'data-action': a.enabled ? 'disable' : 'enable', onclick: () => void act(a, a.enabled ? 'disable' : 'enable') },
                a.enabled ? 'Disable' : 'Enable',
              ),
            ),
          );
        }),
      );
      status.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every ${POLL_MS / 1000} s.`;
    } catch (err) {
      status.textContent = `Could not refresh: ${errorText(err)}`;
    }
  };
  void refresh();
  const timer = window.setInterval(() => void refresh(), POLL_MS);
  return { el: section('adapters', 'Adapters', table, status), stop: () => window.clearInterval(timer) };
}
