/**
 * The parts of the supervisor view, each built whole from the latest snapshot:
 * a tile per queue, the agents table, the waiting calls. Durations are live
 * timers (`data-since`), so the page counts on between pushes.
 */
import type { AgentState, QueueSnapshot, QueueTile, SupervisedAgent, WaitingCallView } from '../../connector/protocol.js';
import { h, timer } from '../../softphone-widget/src/dom.js';

export const STATE_LABEL: Record<AgentState, string> = {
  available: 'Available',
  'on-call': 'On call',
  'after-call-work': 'After-call work',
  away: 'Away',
};

function stateBadge(state: AgentState): HTMLElement {
  return h('span', { class: 'agent-state', 'data-state': state }, h('span', { class: 'dot', 'aria-hidden': 'true' }), STATE_LABEL[state]);
}

function queueTile(q: QueueTile, waiting: readonly WaitingCallView[], threshold: number): HTMLElement {
  const oldest = waiting.filter((c) => c.queue === q.id).reduce<string | null>((min, c) => (min === null || c.queuedAt < min ? c.queuedAt : min), null);
  const sl = q.serviceLevel;
  const count = (n: number, label: string, state: AgentState) => h('li', { 'data-state': state }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('strong', null, String(n)), ` ${label}`);
  return h(
    'article',
    { class: 'queue-tile', 'data-queue': q.id, 'data-waiting': q.waiting, 'aria-labelledby': `queue-${q.id}-name` },
    h('h3', { class: 'queue-name', id: `queue-${q.id}-name` }, q.name),
    h(
      'div',
      { class: 'queue-figures' },
      h('div', null, h('div', { class: 'tile-value queue-waiting' }, String(q.waiting)), h('div', { class: 'tile-label' }, 'waiting')),
      h('div', null, h('div', { class: 'tile-value' }, oldest ? timer({ since: oldest, label: 'longest wait' }) : '—'), h('div', { class: 'tile-label' }, 'longest wait')),
      h(
        'div',
        { title: `Answered calls today (UTC) an agent took within ${threshold} s of arrival` },
        h('div', { class: 'tile-value' }, sl.percent === null ? '—' : `${sl.percent} %`),
        h('div', { class: 'tile-label' }, 'service level'),
        h('div', { class: 'small muted' }, sl.answered === 0 ? 'no calls today' : `${sl.withinThreshold}/${sl.answered} in ${threshold} s`),
      ),
    ),
    h(
      'ul',
      { class: 'queue-agents', 'aria-label': 'Agents by state' },
      count(q.agents.available, 'available', 'available'),
      count(q.agents.onCall, 'on call', 'on-call'),
      count(q.agents.afterCallWork, 'wrap-up', 'after-call-work'),
      count(q.agents.away, 'away', 'away'),
    ),
  );
}

export function queueTiles(live: QueueSnapshot): HTMLElement {
  return h('div', { class: 'queue-tiles', id: 'queue-tiles' }, live.queues.map((q) => queueTile(q, live.waitingCalls, live.serviceLevelSeconds)));
}

function callCell(a: SupervisedAgent): HTMLElement {
  // Call waiting: every call the agent is connected to, and a second offer ringing over them.
  if (a.callIds && a.callIds.length > 1) {
    return h('td', { class: 'small', 'data-calls': String(a.callIds.length) }, `${a.callIds.length} calls `, ...a.callIds.map((id) => h('div', { class: 'mono' }, id)));
  }
  if (a.callId && a.offeredCallId) return h('td', { class: 'small' }, h('div', { class: 'mono' }, a.callId), 'waiting: ringing ', h('span', { class: 'mono' }, a.offeredCallId));
  if (a.callId) return h('td', { class: 'mono small' }, a.callId);
  if (a.offeredCallId) return h('td', { class: 'small' }, 'ringing ', h('span', { class: 'mono' }, a.offeredCallId));
  return h('td', { class: 'muted' }, '—');
}

export function agentsTable(live: QueueSnapshot, queueName: (id: string) => string): HTMLElement {
  return h(
    'table',
    { class: 'console-table', id: 'agents-live' },
    h('thead', null, h('tr', null, ['Agent', 'State', 'Since', 'Reason', 'Call', 'Queues'].map((t) => h('th', null, t)))),
    h(
      'tbody',
      null,
      live.agents.length === 0
        ? h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No agents.'))
        : live.agents.map((a) =>
            h(
              'tr',
              { 'data-agent': a.username, 'data-state': a.state },
              h('td', null, h('div', null, a.displayName), h('div', { class: 'mono small muted' }, a.username)),
              h('td', { class: 'nowrap' }, stateBadge(a.state), a.phoneReachable ? null : h('div', { class: 'small error-text' }, 'softphone offline')),
              h('td', { class: 'nowrap' }, timer({ since: a.since, label: 'in this state for' })),
              h('td', { class: a.awayReason ? null : 'muted' }, a.awayReason ?? '—'),
              callCell(a),
              h('td', { class: 'small' }, a.queues.map(queueName).join(', ')),
            ),
          ),
    ),
  );
}

export function waitingTable(live: QueueSnapshot, queueName: (id: string) => string): HTMLElement {
  return h(
    'table',
    { class: 'console-table', id: 'waiting-calls' },
    h('thead', null, h('tr', null, ['Caller', 'Queue', 'Priority', 'Waiting', 'Call'].map((t) => h('th', null, t)))),
    h(
      'tbody',
      null,
      live.waitingCalls.length === 0
        ? h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No calls waiting.'))
        : live.waitingCalls.map((c) =>
            h(
              'tr',
              { 'data-call': c.callId },
              h('td', null, h('span', { class: 'mono' }, c.callerNumber || '(no number)'), c.callerName ? h('span', { class: 'muted' }, ` ${c.callerName}`) : null),
              h('td', null, c.queue ? queueName(c.queue) : '—'),
              h('td', null, String(c.priority)),
              h('td', { class: 'nowrap' }, timer({ since: c.queuedAt, label: 'waiting for' })),
              h('td', { class: 'mono small' }, c.callId),
            ),
          ),
    ),
  );
}
