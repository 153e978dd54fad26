/**
 * The `/supervisor` socket.io namespace: queues, agents and the waiting line
 * live, and the last hour per minute, for supervisors and admins.
 *
 * Authenticated with the same bearer token as `/agent`; an agent's token is
 * refused with a coded connect error (`FORBIDDEN`). On connect the socket gets
 * `supervisor.snapshot`; then, while any supervisor is connected, the live
 * picture is recomputed every `tickMs` and pushed (`queues.changed`) only when
 * it changed, and the history and today's service level are re-read from the
 * store every `historyMs` (`history.changed` when it changed). Recomputing is
 * simpler and more robust than following every call and agent event: nothing
 * can be missed, and the cost is bounded by the tick, not by the call rate.
 */
import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AgentDirectory } from '../agents/agent-store.js';
import { handshakeToken, type SessionStoreLike } from '../auth/session-store.js';
import { tokenHash } from '../auth/sessions.js';
import { AppError, type ErrorCode } from '../errors.js';
import { parseOrThrow } from '../http/validate.js';
import type {
  Ack,
  CallHistory,
  ErrorBody,
  InterServerEvents,
  QueueSnapshot,
  SupervisorClientToServerEvents,
  SupervisorServerToClientEvents,
  SupervisorSnapshot,
  SupervisorSocketData,
} from '../protocol.js';
import { lastHour, type CallStats } from './call-stats.js';
import type { QueueSnapshots, ServiceLevels } from './queue-snapshot.js';

type SupervisorNs = Namespace<SupervisorClientToServerEvents, SupervisorServerToClientEvents, InterServerEvents, SupervisorSocketData>;
type SupervisorSocket = Socket<SupervisorClientToServerEvents, SupervisorServerToClientEvents, InterServerEvents, SupervisorSocketData>;

export const SUPERVISOR_NAMESPACE = '/supervisor';
const EVENTS: ReadonlySet<string> = new Set<keyof SupervisorClientToServerEvents>(['supervisor.refresh']);
const refreshBody = z.strictObject({});

export interface SupervisorNamespaceOptions {
  sessions: SessionStoreLike;
  /** The live agents (the store): roles are read on connect and on every tick. */
  agents: AgentDirectory;
  snapshots: QueueSnapshots;
  stats: CallStats;
  log: Logger;
  /** How often the live picture is recomputed (and pushed when changed). Default 1 s. */
  tickMs?: number;
  /** How often the history and the service level are re-read from the store. Default 5 s. */
  historyMs?: number;
}

/** A connect error socket.io clients see as `err.message` (the code) and `err.data` (the body). */
function refusal(code: ErrorCode, message?: string): Error {
  return Object.assign(new Error(code), { data: new AppError(code, message).toBody() });
}

/** The live picture without its time stamp: what decides whether anything changed. */
const liveKey = (s: QueueSnapshot): string => JSON.stringify({ ...s, at: null });

export class SupervisorNamespace {
  private ns: SupervisorNs | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  private readonly historyMs: number;
  /** The last picture pushed, and when the store was last read; reset when nobody watches. */
  private live: QueueSnapshot | null = null;
  private liveJson = '';
  private history: CallHistory | null = null;
  private historyJson = '';
  private levels: ServiceLevels | null = null;
  private storeReadAt = 0;
  private inFlight: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: SupervisorNamespaceOptions) {
    this.tickMs = o.tickMs ?? 1_000;
    this.historyMs = o.historyMs ?? 5_000;
  }

  /** Opens the namespace on the app's server (typed with the `/agent` maps, hence the cast) and starts the timer. */
  attach(io: Pick<Server, 'of'> | { of(name: string): unknown }): void {
    const ns = (io as Pick<Server, 'of'>).of(SUPERVISOR_NAMESPACE) as unknown as SupervisorNs;
    this.ns = ns;
    ns.use((socket, next) => {
      const token = handshakeToken(socket);
      const session = this.o.sessions.session(token);
      if (!session) return next(refusal('UNAUTHORIZED'));
      const refused = this.roleProblem(session.username);
      if (refused) return next(refused);
      socket.data.username = session.username;
      socket.data.tokenHash = tokenHash(token as string);
      const expiry = setTimeout(() => socket.disconnect(true), Math.min(session.expiresAtMs - Date.now(), 2 ** 31 - 1));
      socket.on('disconnect', () => clearTimeout(expiry));
      next();
    });
    ns.on('connection', (socket) => {
      try {
        this.connected(socket);
      } catch (err) {
        this.o.log.error({ err, user: socket.data.username }, 'supervisor socket setup failed');
        socket.disconnect(true);
      }
    });
    this.timer = setInterval(() => void this.update(), this.tickMs);
    this.timer.unref();
  }

  /** Stops the timer (app close); the sockets close with the server. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Disconnects the sockets opened with a token (logout). */
  revoked(token: string): void {
    const h = tokenHash(token);
    for (const socket of this.ns?.sockets.values() ?? []) if (socket.data.tokenHash === h) socket.disconnect(true);
  }

  /** Disconnects every socket of a user (log out everywhere, disabled, new password). */
  revokedUser(username: string): void {
    for (const socket of this.ns?.sockets.values() ?? []) if (socket.data.username === username) socket.disconnect(true);
  }

  /** Checks the tokens of a user's sockets here again (a revocation made on another node). */
  recheckUser(username: string): void {
    for (const socket of this.ns?.sockets.values() ?? []) {
      if (socket.data.username !== username) continue;
      const token = handshakeToken(socket);
      if (this.o.sessions.verify(token) === null) socket.disconnect(true);
    }
  }

  /** Null when `username` may watch; else the connect error. */
  private roleProblem(username: string): Error | null {
    const agent = this.o.agents.find(username);
    if (!agent || agent.disabled) return refusal('UNAUTHORIZED');
    if (agent.role !== 'supervisor' && agent.role !== 'admin') return refusal('FORBIDDEN', 'The supervisor view needs the supervisor or admin role.');
    return null;
  }

  private connected(socket: SupervisorSocket): void {
    socket.on('supervisor.refresh', async (body: unknown, ack?: unknown) => {
      // `emit('supervisor.refresh', ack)` without a body is accepted too.
      const [req, reply] = typeof body === 'function' ? [{}, body] : [body, ack];
      if (typeof reply !== 'function') return;
      const answer = reply as Ack<{ snapshot: SupervisorSnapshot }>;
      try {
        parseOrThrow(refreshBody, req, 'refresh request');
        answer({ ok: true, snapshot: await this.current() });
      } catch (err) {
        answer({ ok: false, error: this.errorBody(err) });
      }
    });
    // An event this namespace does not know: answered with a code when the client waits for an answer.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && EVENTS.has(event)) return;
      const reply = args.at(-1);
      if (typeof reply !== 'function') return;
      const name = typeof event === 'string' ? event.slice(0, 60) : typeof event;
      (reply as Ack)({ ok: false, error: new AppError('NOT_FOUND', `The supervisor namespace has no event ${JSON.stringify(name)}.`).toBody() });
    });
    // The last picture pushed to the others (or the update in progress): the new socket starts where they are.
    this.current()
      .then((snapshot) => socket.emit('supervisor.snapshot', snapshot))
      .catch((err: unknown) => {
        this.o.log.error({ err, user: socket.data.username }, 'supervisor snapshot failed');
        socket.disconnect(true);
      });
  }

  private errorBody(err: unknown): ErrorBody {
    if (err instanceof AppError) return err.toBody();
    this.o.log.error({ err }, 'supervisor request failed');
    return new AppError('INTERNAL').toBody();
  }

  /** The picture after the update in progress (or a new one when none has run since the first watcher came). */
  private async current(): Promise<SupervisorSnapshot> {
    await (this.inFlight ?? (this.live && this.history ? null : this.update()));
    if (!this.live || !this.history) throw new AppError('INTERNAL', 'The supervisor view could not be computed.');
    return { live: this.live, history: this.history };
  }

  /** One update at a time: a tick that finds one running joins it instead of starting another. */
  private update(): Promise<void> {
    this.inFlight ??= this.tick().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Recomputes (the store every `historyMs` or when asked); returns which parts changed. */
  private async refresh(readStore: boolean): Promise<{ live: boolean; history: boolean }> {
    let historyChanged = false;
    const started = Date.now();
    if (readStore || !this.levels || started - this.storeReadAt >= this.historyMs) {
      const [levels, history] = await Promise.all([this.o.snapshots.serviceLevels(started), lastHour(this.o.stats, started)]);
      const json = JSON.stringify(history);
      historyChanged = json !== this.historyJson;
      this.storeReadAt = started;
      this.levels = levels;
      this.history = history;
      this.historyJson = json;
    }
    const live = this.o.snapshots.snapshot(Date.now(), this.levels as ServiceLevels);
    const json = liveKey(live);
    const liveChanged = json !== this.liveJson;
    this.live = live;
    this.liveJson = json;
    return { live: liveChanged, history: historyChanged };
  }

  private async tick(): Promise<void> {
    const ns = this.ns;
    if (!ns || this.closed) return;
    try {
      if (ns.sockets.size === 0) {
        // Nobody watches: no work, and the next watcher starts from a fresh read of the store.
        this.live = this.history = this.levels = null;
        this.liveJson = this.historyJson = '';
        return;
      }
      // A role taken away or an account disabled since the socket connected: it stops watching.
      for (const socket of ns.sockets.values()) {
        if (this.roleProblem(socket.data.username)) socket.disconnect(true);
      }
      const firstRead = this.live === null;
      const changed = await this.refresh(firstRead);
      // The first watchers, connecting now, get the whole snapshot instead.
      if (firstRead || this.closed) return;
      // This node's own watchers only: in a cluster every node pushes its view to its sockets.
      if (changed.live) ns.local.emit('queues.changed', this.live as QueueSnapshot);
      if (changed.history) ns.local.emit('history.changed', this.history as CallHistory);
    } catch (err) {
      // A store error must not stop the timer (nor reach the event loop).
      this.o.log.error({ err }, 'supervisor view update failed');
    }
  }
}
