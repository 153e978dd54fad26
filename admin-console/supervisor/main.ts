/**
 * Entry point of the supervisor view (`/supervisor/`, supervisors and admins):
 * a tile per queue, the agents and the waiting calls live, and the last hour
 * per minute, all from the `/supervisor` socket.io namespace (docs/supervisor.md).
 * An agent who signs in is told the page is for supervisors and sees no data.
 */
import { io, type Socket } from 'socket.io-client';
import type { CallHistory, QueueSnapshot, SupervisorClientToServerEvents, SupervisorServerToClientEvents } from '../../connector/protocol.js';
import { h, noteServerNow, replaceChildren, startTicker } from '../../softphone-widget/src/dom.js';
import { ApiError, getJson, session } from '../common/api.js';
import { errorText, mountConsole, section } from '../common/shell.js';
import { historyChart, SERIES } from './history-chart.js';
import { agentsTable, queueTiles, waitingTable } from './views.js';

type SupervisorSocket = Socket<SupervisorServerToClientEvents, SupervisorClientToServerEvents>;
type Status = 'connecting' | 'connected' | 'reconnecting' | 'offline';
const STATUS_TEXT: Record<Status, string> = { connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

const root = document.getElementById('app');
if (!root) throw new Error('index.html must contain #app');

const refusedText = (name: string): string => `Supervisors only: ${name} may not see the queues and agents. This page needs the supervisor or admin role.`;

mountConsole(root, {
  id: 'supervisor',
  title: 'Supervisor',
  needs: 'the supervisor or admin role',
  refused: refusedText,
  check: () => getJson('/api/queues'),
  render(main) {
    const s = session();
    let live: QueueSnapshot | null = null;
    let history: CallHistory | null = null;
    const queueNames = new Map<string, string>();
    const queueName = (id: string): string => queueNames.get(id) ?? id;

    const status = h('span', { class: 'connection', id: 'supervisor-status', 'data-status': 'connecting', role: 'status' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), STATUS_TEXT.connecting);
    const setStatus = (st: Status): void => {
      status.dataset['status'] = st;
      replaceChildren(status, h('span', { class: 'dot', 'aria-hidden': 'true' }), STATUS_TEXT[st]);
    };
    const tiles = h('div', { id: 'queues-slot' }, h('p', { class: 'muted' }, 'Loading…'));
    const agents = h('div', { class: 'table-slot' });
    const waiting = h('div', { class: 'table-slot' });
    const chart = h('div', { class: 'chart-scroll', id: 'history-chart' });
    const legend = h('ul', { class: 'legend' }, Object.values(SERIES).map((v) => h('li', null, h('span', { class: 'swatch', style: `background:${v.color}` }), v.label)));
    const note = h('p', { class: 'hint' }, 'Counted from stored call records: a call shows here a few seconds after it happens. Times in your time zone.');

    const renderLive = (): void => {
      if (!live) return;
      noteServerNow(live.at);
      for (const q of live.queues) queueNames.set(q.id, q.name);
      replaceChildren(tiles, queueTiles(live));
      replaceChildren(agents, agentsTable(live, queueName));
      replaceChildren(waiting, waitingTable(live, queueName));
    };
    const renderHistory = (): void => {
      if (history) replaceChildren(chart, historyChart(history));
    };

    main.append(
      h('div', { class: 'panel-head' }, h('h1', { class: 'page-title' }, 'Supervisor'), status),
      tiles,
      h('div', { class: 'supervisor-grid' }, section('agents-panel', 'Agents', agents), section('waiting-panel', 'Waiting calls', waiting)),
      section('history-panel', 'Last hour', chart, legend, note),
    );
    const stopTicker = startTicker(main);

    // No data for someone the server does not let watch (an agent, or a role taken away meanwhile).
    const refused = (): void => {
      close();
      replaceChildren(main, h('div', { class: 'panel supervisors-only', id: 'supervisors-only', role: 'alert' }, h('h1', { class: 'page-title' }, 'Supervisors only'), h('p', null, refusedText(s?.displayName ?? 'You'))));
    };
    // The server closed the socket or refused the token: ask the API why (a 401 shows the sign-in form).
    const recheck = (): void => {
      getJson('/api/queues')
        .then(() => socket.connect())
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 403) refused();
          else if (!(err instanceof ApiError && err.status === 401)) {
            setStatus('offline');
            replaceChildren(tiles, h('p', { class: 'form-error', role: 'alert' }, errorText(err)));
          }
        });
    };

    const socket: SupervisorSocket = io('/supervisor', { auth: { token: s?.token } });
    socket.on('supervisor.snapshot', (snap) => {
      live = snap.live;
      history = snap.history;
      renderLive();
      renderHistory();
    });
    socket.on('queues.changed', (next) => {
      live = next;
      renderLive();
    });
    socket.on('history.changed', (next) => {
      history = next;
      renderHistory();
    });
    socket.on('connect', () => setStatus('connected'));
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') {
        setStatus('offline');
        recheck();
      } else if (reason !== 'io client disconnect') setStatus('reconnecting');
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'FORBIDDEN') refused();
      else if (err.message === 'UNAUTHORIZED') recheck();
      else setStatus(socket.active ? 'reconnecting' : 'offline');
    });

    function close(): void {
      stopTicker();
      socket.removeAllListeners();
      socket.disconnect();
    }
    return close;
  },
});
