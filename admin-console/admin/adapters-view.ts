/**
 * Adapters with their live state, last event and last error, refreshed every few
 * seconds; an adapter's settings edited (or a new adapter added) as JSON, validated
 * on the server like the config file, with its per-field problems listed.
 */
import type { AdapterHealth } from '../../adapters/adapter.js';
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { ApiError, getJson, send } from '../common/api.js';
import { errorText, section, when } from '../common/shell.js';

export interface AdapterRow {
  id: string;
  kind: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  health: AdapterHealth | null;
  /** The last normalized event the running adapter emitted. */
  lastEvent: { type: string; at: string } | null;
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

/** The settings as the editor shows them: secrets are already gone (only their Env/File names remain); id is in the URL. */
function editable(a: AdapterRow): string {
  const { id: _id, ...rest } = a.settings;
  return JSON.stringify(rest, null, 2);
}

const NEW_ADAPTER = JSON.stringify({ id: 'sim2', kind: 'simulator', charsPerSecond: 15 }, null, 2);

export function adaptersView(onChange: () => void = () => {}): { el: HTMLElement; stop(): void } {
  const body = h('tbody');
  const status = h('p', { class: 'hint', role: 'status' });

  // The settings editor: below the table, so the table's refreshes leave it alone.
  let editing: { mode: 'edit'; id: string } | { mode: 'add' } | null = null;
  const editorTitle = h('h3', { class: 'sub-title', id: 'adapter-editor-title' });
  const area = h('textarea', { id: 'adapter-settings', class: 'flow-source mono', spellcheck: 'false', rows: 10, 'aria-labelledby': 'adapter-editor-title' });
  const problems = h('ol', { class: 'problems', id: 'adapter-problems', 'aria-live': 'polite' });
  const editorStatus = h('p', { class: 'hint', role: 'status', id: 'adapter-editor-status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small', id: 'adapter-save' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => close() }, 'Cancel');
  const editor = h(
    'form',
    { class: 'adapter-editor', id: 'adapter-editor', hidden: true, novalidate: true },
    editorTitle,
    h('p', { class: 'hint' }, 'JSON, checked like the config file. Secrets are never shown or stored here: name them with passwordEnv / passwordFile (or the adapter\'s other …Env / …File settings).'),
    area,
    problems,
    h('div', { class: 'row-actions' }, cancel, save),
    editorStatus,
  ) as HTMLFormElement;
  const close = (): void => {
    editing = null;
    editor.hidden = true;
  };
  const openEditor = (next: NonNullable<typeof editing>, text: string): void => {
    editing = next;
    editorTitle.textContent = next.mode === 'edit' ? `Settings of ${next.id}` : 'New adapter';
    area.value = text;
    replaceChildren(problems, []);
    editorStatus.textContent = '';
    editor.hidden = false;
    area.focus();
  };
  const showProblems = (list: string[]): void => replaceChildren(problems, list.map((p) => h('li', { class: 'problem' }, p)));
  editor.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!editing) return;
    let settings: unknown;
    try {
      settings = JSON.parse(area.value);
    } catch (err) {
      return showProblems([`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
    }
    const target = editing;
    save.disabled = true;
    showProblems([]);
    editorStatus.textContent = 'Saving…';
    const request = target.mode === 'edit' ? send('PUT', `/api/admin/adapters/${encodeURIComponent(target.id)}`, { body: settings }) : send('POST', '/api/admin/adapters', { body: settings });
    request
      .then(async (r) => {
        const { adapter } = (await r.json()) as { adapter: { id: string } };
        close();
        status.textContent = `${adapter.id} ${target.mode === 'edit' ? 'saved and restarted' : 'added'}.`;
        onChange();
        await refresh();
      })
      .catch((err: unknown) => {
        editorStatus.textContent = err instanceof ApiError ? err.message : errorText(err);
        showProblems(err instanceof ApiError ? Object.entries(err.fields).map(([k, v]) => `${k}: ${v.join(', ')}`) : []);
      })
      .finally(() => (save.disabled = false));
  });
  const add = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'adapter-add', onclick: () => openEditor({ mode: 'add' }, NEW_ADAPTER) }, 'Add adapter');
  const table = h(
    'table',
    { class: 'console-table', id: 'adapters-table' },
    h('thead', null, h('tr', null, h('th', null, 'Adapter'), h('th', null, 'Kind'), h('th', null, 'State'), h('th', null, 'Since'), h('th', null, 'Last event'), h('th', null, 'Last error'), h('th', null, 'Settings'), h('th', null, 'Actions'))),
    body,
  );
  // Test connection, enable, disable: applied at once to this adapter alone, and audited.
  const act = async (a: AdapterRow, action: 'test' | 'enable' | 'disable'): Promise<void> => {
    status.textContent = `${action === 'test' ? 'Testing' : action === 'enable' ? 'Enabling' : 'Disabling'} ${a.id}…`;
    try {
      const r = (await (await send('POST', `/api/admin/adapters/${encodeURIComponent(a.id)}/${action}`)).json()) as { ok?: boolean; lines?: string[] };
      status.textContent = action === 'test' ? `${r.ok ? 'Reachable' : 'Not reachable'}: ${(r.lines ?? []).join(' ')}` : `${a.id} ${action}d.`;
      if (action !== 'test') onChange();
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
            h('td', { class: a.lastEvent ? 'last-event' : 'muted', title: a.lastEvent?.at ?? null }, a.lastEvent ? `${a.lastEvent.type} · ${new Date(a.lastEvent.at).toLocaleTimeString()}` : 'none'),
            h('td', { class: a.health?.lastError ? 'error-text' : 'muted' }, a.health?.lastError ?? 'none'),
            h('td', { class: 'muted small' }, summary(a)),
            h(
              'td',
              { class: 'actions' },
              h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'test', onclick: () => void act(a, 'test') }, 'Test connection'),
              h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'edit', onclick: () => openEditor({ mode: 'edit', id: a.id }, editable(a)) }, 'Edit'),
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
  return { el: section('adapters', 'Adapters', table, status, h('div', { class: 'row-actions' }, add), editor), stop: () => window.clearInterval(timer) };
}
