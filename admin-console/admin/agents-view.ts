/** Agents: the list, a create form, and per agent: edit (name, role, queues, skills), disable / enable, password reset. */
import type { AgentView } from '../../connector/admin/agent-admin.js';
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { getJson, send } from '../common/api.js';
import { errorText, section } from '../common/shell.js';

interface Queue {
  id: string;
  name: string;
}

const ROLES = ['agent', 'supervisor', 'admin'] as const;

function queuePicker(queues: Queue[], chosen: readonly string[], name: string): HTMLElement {
  return h(
    'fieldset',
    { class: 'queue-picker' },
    h('legend', null, 'Queues'),
    queues.map((q) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: q.id, checked: chosen.includes(q.id) }), ` ${q.name}`),
    ),
  );
}

const picked = (form: HTMLFormElement, name: string): string[] =>
  [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);

/** `spanish, billing-l2` -> ['spanish', 'billing-l2'] (the server checks each id). */
const skillList = (text: string): string[] => text.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

const roleSelect = (id: string, value: string) =>
  h('select', { id, name: 'role' }, ROLES.map((r) => h('option', { value: r, selected: r === value }, r)));

export function agentsView(onChange: () => void): { el: HTMLElement; refresh(): Promise<void> } {
  const body = h('tbody');
  const message = h('p', { class: 'form-error', role: 'alert', id: 'agents-error' });
  const done = h('p', { class: 'hint', role: 'status', id: 'agents-status' });
  let queues: Queue[] = [];
  let open: string | null = null;

  const act = async (what: string, run: () => Promise<unknown>): Promise<boolean> => {
    message.textContent = '';
    try {
      await run();
      done.textContent = what;
      await refresh();
      onChange();
      return true;
    } catch (err) {
      message.textContent = errorText(err);
      return false;
    }
  };

  const editor = (a: AgentView, mode: 'edit' | 'password'): HTMLElement => {
    const form = h('form', { class: 'row-editor', 'data-editor': a.username }) as HTMLFormElement;
    if (mode === 'edit') {
      const name = h('input', { name: 'displayName', value: a.displayName, 'aria-label': 'Display name' });
      const skills = h('input', { id: `skills-${a.username}`, name: 'skills', value: a.skills.join(', '), placeholder: 'spanish, billing-l2', autocapitalize: 'none', spellcheck: 'false' });
      const calls = maxCallsSelect(`calls-${a.username}`, a.maxCalls);
      form.append(
        h('div', { class: 'field' }, h('label', null, 'Display name'), name),
        h('div', { class: 'field' }, h('label', { for: `role-${a.username}` }, 'Role'), roleSelect(`role-${a.username}`, a.role)),
        queuePicker(queues, a.queues, 'queue'),
        h('div', { class: 'field' }, h('label', { for: `skills-${a.username}` }, 'Skills'), skills),
        h('div', { class: 'field' }, h('label', { for: `calls-${a.username}` }, 'Calls at once'), calls),
        h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Save'),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const role = (form.elements.namedItem('role') as HTMLSelectElement).value;
        void act(`${a.username} saved.`, () => send('PATCH', `/api/admin/agents/${a.username}`, { body: { displayName: name.value, role, queues: picked(form, 'queue'), skills: skillList(skills.value), maxCalls: maxCallsOf(calls.value) } })).then((ok) => ok && (open = null));
      });
    } else {
      const pw = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: 8, 'aria-label': `New password for ${a.username}` });
      form.append(h('div', { class: 'field' }, h('label', null, 'New password (at least 8 characters)'), pw), h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Set password'));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void act(`Password of ${a.username} reset; their sessions ended.`, () => send('POST', `/api/admin/agents/${a.username}/password`, { body: { password: pw.value } })).then((ok) => ok && (open = null));
      });
      queueMicrotask(() => pw.focus());
    }
    return form;
  };

  const render = (agents: AgentView[]): void => {
    replaceChildren(
      body,
      agents.map((a) => {
        const row = h(
          'tr',
          { 'data-agent': a.username, class: a.disabled ? 'is-disabled' : '' },
          h('td', { class: 'mono' }, a.username),
          h('td', null, a.displayName),
          h('td', null, h('span', { class: `role role-${a.role}` }, a.role)),
          h('td', null, a.queues.length ? a.queues.join(', ') : h('span', { class: 'muted' }, 'none')),
          h('td', { class: 'skills' }, a.skills.length ? a.skills.join(', ') : h('span', { class: 'muted' }, 'none')),
          h('td', null, a.disabled ? h('span', { class: 'status status-disabled' }, 'disabled') : (a.state ?? '—')),
          h('td', { class: 'muted small' }, a.source),
          h(
            'td',
            { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => ((open = open === `e:${a.username}` ? null : `e:${a.username}`), render(agents)) }, 'Edit'),
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-secondary btn-small',
                onclick: () => void act(`${a.username} ${a.disabled ? 'enabled' : 'disabled'}.`, () => send('PATCH', `/api/admin/agents/${a.username}`, { body: { disabled: !a.disabled } })),
              },
              a.disabled ? 'Enable' : 'Disable',
            ),
            h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => ((open = open === `p:${a.username}` ? null : `p:${a.username}`), render(agents)) }, 'Reset password'),
          ),
        );
        const mode = open === `e:${a.username}` ? 'edit' : open === `p:${a.username}` ? 'password' : null;
        return mode ? [row, h('tr', { class: 'editor-row' }, h('td', { colspan: 8 }, editor(a, mode)))] : row;
      }),
    );
  };

  const refresh = async (): Promise<void> => {
    const r = await getJson<{ agents: AgentView[]; queues: Queue[] }>('/api/admin/agents');
    queues = r.queues;
    render(r.agents);
    replaceChildren(queueSlot, queuePicker(queues, [], 'new-queue'));
  };

  const queueSlot = h('div', { class: 'queue-slot' });
  const create = h(
    'form',
    { class: 'create-agent', id: 'create-agent', 'aria-label': 'Create an agent' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, 'Username'), h('input', { id: 'new-username', name: 'username', autocapitalize: 'none', spellcheck: 'false', placeholder: 'carol' })),
    h('div', { class: 'field' }, h('label', { for: 'new-display' }, 'Display name'), h('input', { id: 'new-display', name: 'displayName', placeholder: 'Carol Jones' })),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'Password'), h('input', { id: 'new-password', name: 'password', type: 'password', autocomplete: 'new-password' })),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), roleSelect('new-role', 'agent')),
    h('div', { class: 'field' }, h('label', { for: 'new-skills' }, 'Skills'), h('input', { id: 'new-skills', name: 'skills', placeholder: 'spanish, billing-l2', autocapitalize: 'none', spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: 'new-calls' }, 'Calls at once'), maxCallsSelect('new-calls', null)),
    queueSlot,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create agent'),
  ) as HTMLFormElement;
  create.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = (n: string) => (create.elements.namedItem(n) as HTMLInputElement).value;
    const agent = { username: v('username').trim(), displayName: v('displayName').trim(), password: v('password'), role: v('role'), queues: picked(create, 'new-queue'), skills: skillList(v('skills')), maxCalls: maxCallsOf(v('new-calls')) };
    void act(`${agent.username} created.`, () => send('POST', '/api/admin/agents', { body: agent })).then((ok) => ok && create.reset());
  });

  const table = h(
    'table',
    { class: 'console-table', id: 'agents-table' },
    h('thead', null, h('tr', null, ['Username', 'Name', 'Role', 'Queues', 'Skills', 'State', 'Source', ''].map((t) => h('th', null, t)))),
    body,
  );
  void refresh().catch((err: unknown) => (message.textContent = errorText(err)));
  return { el: section('agents', 'Agents', table, message, done, h('h3', { class: 'sub-title' }, 'New agent'), create), refresh };
}

/** Calls at once (call waiting, docs/routing.md): the default (`routing.maxCallsPerAgent`), or 1 to 4. */
function maxCallsSelect(id: string, value: number | null): HTMLSelectElement {
  const options = [['', 'Default'], ['1', '1 (no call waiting)'], ['2', '2'], ['3', '3'], ['4', '4']].map(([v, label]) =>
    h('option', { value: v ?? '', selected: String(value ?? '') === v }, label ?? ''),
  );
  return h('select', { id, name: id }, options) as HTMLSelectElement;
}

function maxCallsOf(value: string): number | null {
  return value === '' ? null : Number(value);
}
