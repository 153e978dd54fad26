/**
 * The top bar: agent, presence selector, connection indicator, sign-out. Patched
 * in place (never rebuilt) so the selector keeps focus while the state changes.
 */
import type { AgentState, SettableAgentState } from '../../../connector/protocol.js';
import type { Controller } from '../controller.js';
import { h, timer } from '../dom.js';
import { LANGS, lang, t, type Lang } from '../i18n/index.js';
import { AGENT_STATES, awayReasonLabel } from '../labels.js';
import type { AppState, ConnectionStatus } from '../state.js';
import { phoneChip } from './phone-status.js';

const CONNECTION_TEXT: Record<ConnectionStatus, () => string> = {
  connected: () => t('header.connected'),
  connecting: () => t('header.connecting'),
  reconnecting: () => t('header.reconnecting'),
  offline: () => t('header.offline'),
};

const SERVER_STATES: AgentState[] = ['on-call', 'after-call-work'];
/** Set by the connector only: shown when they apply, not offered. */
const SYSTEM_REASONS = new Set(['missed-call', 'phone-unreachable']);

/** The selector's value for a state: `away:<reason>` for a reasoned away. */
const optionValue = (state: string, reason?: string): string => (reason ? `${state}:${reason}` : state);

export interface HeaderView {
  el: HTMLElement;
  update(state: AppState): void;
}

export function headerView(ctl: Controller): HeaderView {
  const name = h('span', { class: 'agent-name' });
  const select = h('select', { id: 'agent-state', class: 'state-select', 'aria-label': t('header.yourState') });
  for (const s of Object.keys(AGENT_STATES) as AgentState[]) {
    select.appendChild(h('option', { value: s, disabled: SERVER_STATES.includes(s) }, AGENT_STATES[s]));
  }
  const since = h('span', { class: 'state-since muted' });
  const conn = h('span', { class: 'connection', role: 'status', 'data-status': 'offline' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'connection-text' }));
  const logout = h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => ctl.logout() }, t('header.signOut'));
  const phone = phoneChip();
  const devices = h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'data-action': 'devices', 'aria-expanded': 'false', 'aria-controls': 'devices-panel', hidden: true, onclick: () => ctl.toggleDevices() }, t('devices.button'));
  const language = h('select', { id: 'ui-lang', class: 'lang-select', 'aria-label': t('lang.label') });
  for (const [code, label] of Object.entries(LANGS)) language.appendChild(h('option', { value: code }, label));
  language.value = lang();
  language.addEventListener('change', () => ctl.setLang(language.value as Lang));

  // Not disabled while the request is in flight: a disabled control drops keyboard focus.
  let pending = false;
  let latest: AppState | null = null;
  select.addEventListener('change', () => {
    pending = true;
    select.setAttribute('aria-busy', 'true');
    const [state, reason] = select.value.split(':') as [SettableAgentState, string | undefined];
    void ctl.setAgentState(state, reason).finally(() => {
      pending = false;
      select.removeAttribute('aria-busy');
      if (latest) view.update(latest);
    });
  });

  const el = h(
    'header',
    { class: 'topbar', 'data-agent-state': '' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Switchboard'),
    h('div', { class: 'agent' }, name, h('span', { class: 'state' }, h('span', { class: 'state-dot', 'aria-hidden': 'true' }), select), since),
    h('div', { class: 'topbar-end' }, phone.el, devices, conn, language, logout),
  );

  let shownSince = '';
  let shownReasons = '';
  /** One "Away: <reason>" option per reason, after plain Away; the connector's own reasons only while they apply. */
  const syncReasons = (reasons: readonly string[], current: string | undefined): void => {
    const wanted = reasons.filter((r) => !SYSTEM_REASONS.has(r) || r === current);
    if (current && !wanted.includes(current)) wanted.push(current);
    const key = `${wanted.join(',')}|${lang()}`;
    if (key === shownReasons) return;
    shownReasons = key;
    for (const o of [...select.querySelectorAll('option[data-reason]')]) o.remove();
    const after = select.querySelector('option[value="away"]');
    let at = after?.nextSibling ?? null;
    for (const r of wanted) {
      const o = h('option', { value: optionValue('away', r), 'data-reason': r, disabled: SYSTEM_REASONS.has(r) }, `${AGENT_STATES.away}: ${awayReasonLabel(r)}`);
      select.insertBefore(o, at);
      at = o.nextSibling;
    }
  };
  const view: HeaderView = {
    el,
    update(s: AppState): void {
      latest = s;
      const agent = s.agent;
      name.textContent = agent?.displayName ?? s.session?.displayName ?? '';
      const state = agent?.state ?? '';
      el.dataset['agentState'] = state;
      // While a change is in flight the select shows the agent's choice; afterwards, the server's truth.
      syncReasons(s.awayReasons, agent?.awayReason);
      if (state && !pending) select.value = optionValue(state, state === 'away' ? agent?.awayReason : undefined);
      if (agent && agent.stateSince !== shownSince) {
        shownSince = agent.stateSince;
        since.replaceChildren(t('header.for'), timer({ since: agent.stateSince, label: t('header.timeInState') }));
      }
      phone.update(s.phone);
      devices.hidden = s.phone.mode !== 'softphone';
      devices.setAttribute('aria-expanded', String(s.devicesOpen));
      conn.dataset['status'] = s.connection;
      conn.lastElementChild!.textContent = CONNECTION_TEXT[s.connection]();
    },
  };
  return view;
}
