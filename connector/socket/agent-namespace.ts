/**
 * The `/agent` socket.io namespace: the token is checked in the handshake, each
 * agent's sockets join the room `agent:<username>`, and pops go to that room
 * only. Every client request is validated and answered through its ack, with a
 * coded error when it cannot be done.
 */
import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import { handshakeToken, type SessionStoreLike } from '../auth/session-store.js';
import { tokenHash } from '../auth/sessions.js';
import type { AgentCalls } from '../calls/agent-calls.js';
import type { AgentNotifier } from '../calls/notifier.js';
import { AppError } from '../errors.js';
import { parseOrThrow } from '../http/validate.js';
import type { Ack, ClientToServerEvents, ScreenPop, ErrorBody, InterServerEvents, PhoneSettings, ServerToClientEvents, SocketData } from '../protocol.js';

type AgentNs = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AgentSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** How long a widget has to acknowledge a pop before we stop waiting (it stays pending). */
const POP_ACK_TIMEOUT_MS = 10_000;
/** In a cluster: how often an unacknowledged pop goes again while its offer rings. */
const CLUSTER_POP_RETRY_MS = 2_000;

const room = (username: string): string => `agent:${username}`;
const callIdBody = z.strictObject({ callId: z.string().min(1).max(200) });
const stateBody = z.strictObject({
  state: z.enum(['available', 'away'], { error: 'expected available or away' }),
  reason: z.string({ error: 'expected a reason id' }).min(1).max(64).optional(),
});
const phoneStateBody = z.strictObject({ registered: z.boolean({ error: 'expected true or false' }) });

function errorBody(err: unknown, log: Logger): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  log.error({ err }, 'socket request failed');
  return new AppError('INTERNAL').toBody();
}

export class AgentNamespace implements AgentNotifier {
  private ns: AgentNs | null = null;
  private readonly reachabilitySeq = new Map<string, number>();

  constructor(
    private readonly deps: {
      sessions: SessionStoreLike;
      log: Logger;
      calls: () => AgentCalls;
      /** A cluster node: pops go to the agent's room on every node (acknowledged through the Redis adapter). */
      cluster?: boolean;
      /** The agent's softphone settings (sent in that agent's snapshot only); null: desk-phone mode. */
      phone?: (username: string) => PhoneSettings | null;
    },
  ) {}

  attach(io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>): void {
    const ns: AgentNs = io.of('/agent');
    this.ns = ns;
    ns.use((socket, next) => {
      const token = handshakeToken(socket);
      const session = this.deps.sessions.session(token);
      if (!session || !this.deps.calls().hasAgent(session.username)) return next(new Error('UNAUTHORIZED'));
      socket.data.username = session.username;
      socket.data.tokenHash = tokenHash(token as string);
      // The session ends when its token does: an expired token gets no more pops.
      const expiry = setTimeout(() => socket.disconnect(true), Math.min(session.expiresAtMs - Date.now(), 2 ** 31 - 1));
      socket.on('disconnect', () => clearTimeout(expiry));
      next();
    });
    ns.on('connection', (socket) => {
      try {
        this.connected(socket);
      } catch (err) {
        // A bug for one socket must not take the process (and everyone's calls) down.
        this.deps.log.error({ err, agent: socket.data.username }, 'agent socket setup failed');
        socket.disconnect(true);
      }
    });
  }

  /** Disconnects the sockets opened with a token (logout): they stop receiving pops at once. */
  revoked(token: string): void {
    const h = tokenHash(token);
    for (const socket of this.ns?.sockets.values() ?? []) if (socket.data.tokenHash === h) socket.disconnect(true);
  }

  /**
   * Checks the tokens of this node's sockets (of `username`, or everyone's) again and
   * disconnects those no longer valid: a revocation made on another node of a cluster.
   */
  recheck(username?: string): void {
    for (const socket of this.ns?.sockets.values() ?? []) {
      if (username !== undefined && socket.data.username !== username) continue;
      const token = handshakeToken(socket);
      if (this.deps.sessions.verify(token) === null) socket.disconnect(true);
    }
  }

  /** Disconnects every socket of a user (log out everywhere). */
  revokedUser(username: string): void {
    this.ns?.in(room(username)).disconnectSockets(true);
  }

  private connected(socket: AgentSocket): void {
    const username = socket.data.username;
    void socket.join(room(username));
    const sent = (r: Awaited<ReturnType<AgentCalls['snapshot']>>) =>
      socket.emit('session.snapshot', { ...r.snapshot, phone: this.deps.phone?.(username) ?? null }, () => r.onDelivered());
    const result = this.deps.calls().snapshot(username);
    if (result instanceof Promise) {
      result.then(sent, (err: unknown) => {
        this.deps.log.error({ err, agent: username }, 'snapshot failed');
        socket.disconnect(true);
      });
    } else sent(result);

    // One wrapper for every request: validate, run, ack; a request without an ack
    // function (a malformed emit) is ignored rather than crashing the handler.
    const handle = <T>(event: keyof ClientToServerEvents, run: (body: unknown) => T | Promise<T>) => {
      socket.on(event, (async (body: unknown, ack: unknown) => {
        const reply = typeof ack === 'function' ? (ack as Ack<Record<string, unknown>>) : () => {};
        try {
          const result = await run(body);
          reply({ ok: true, ...(result ?? {}) } as { ok: true });
        } catch (err) {
          reply({ ok: false, error: errorBody(err, this.deps.log) });
        }
      }) as never);
    };
    const calls = this.deps.calls();
    handle('agent.state.set', async (body) => {
      const { state, reason } = parseOrThrow(stateBody, body, 'state change');
      return { agent: await calls.setState(username, state, reason) };
    });
    handle('call.accept', async (body) => void (await calls.accept(username, parseOrThrow(callIdBody, body).callId)));
    handle('call.decline', async (body) => void (await calls.decline(username, parseOrThrow(callIdBody, body).callId)));
    handle('call.hangup', async (body) => void (await calls.hangup(username, parseOrThrow(callIdBody, body).callId)));
    handle('call.hold', async (body) => void (await calls.hold(username, parseOrThrow(callIdBody, body).callId)));
    handle('call.resume', async (body) => void (await calls.resume(username, parseOrThrow(callIdBody, body).callId)));
    handle('wrapup.finish', async (body) => {
      const { callId } = parseOrThrow(callIdBody, body);
      return { agent: await calls.finishWrapUpFor(username, callId) };
    });
    handle('screenpop.delivered', async (body) => void (await calls.popDelivered(username, parseOrThrow(callIdBody, body).callId)));
    handle('phone.state.set', (body) => {
      socket.data.phoneRegistered = parseOrThrow(phoneStateBody, body, 'phone state').registered;
      this.phoneReachability(username);
    });
    // The widget that held the registration is gone: so is the phone, unless another reports it.
    socket.on('disconnect', () => {
      if (socket.data.phoneRegistered === undefined) return;
      socket.data.phoneRegistered = undefined;
      this.phoneReachability(username);
    });
  }

  /** Reachable when any connected socket of the agent reports a registered phone. */
  private phoneReachability(username: string): void {
    if (this.deps.cluster) {
      // Their widgets may be on several nodes: ask the whole cluster. Answers can come back out
      // of order (a reload: the old socket's goodbye, the new one's hello): only the latest counts.
      const seq = (this.reachabilitySeq.get(username) ?? 0) + 1;
      this.reachabilitySeq.set(username, seq);
      void this.ns
        ?.in(room(username))
        .fetchSockets()
        .then((sockets) => {
          if (this.reachabilitySeq.get(username) !== seq) return;
          return this.deps.calls().setPhoneReachable(username, sockets.some((s) => s.data.phoneRegistered === true));
        })
        .catch((err: unknown) => this.deps.log.warn({ err, agent: username }, 'phone reachability not recorded'));
      return;
    }
    let reachable = false;
    for (const id of this.ns?.adapter.rooms.get(room(username)) ?? []) {
      if (this.ns?.sockets.get(id)?.data.phoneRegistered === true) reachable = true;
    }
    void Promise.resolve(this.deps.calls().setPhoneReachable(username, reachable)).catch((err: unknown) =>
      this.deps.log.warn({ err, agent: username }, 'phone reachability not recorded'),
    );
  }

  // ---- AgentNotifier ----------------------------------------------------

  offered: AgentNotifier['offered'] = (username, pop, onDelivered, stillOffered) => {
    const ns = this.ns;
    if (!ns) return;
    if (this.deps.cluster) {
      // Their widgets may be on any node. The pop goes on the Redis stream like every other
      // event to the agent (so it keeps its order: a withdrawal never overtakes the next pop),
      // without an acknowledgement; the widget answers with `screenpop.delivered`. Until one
      // does, it goes again (widgets keep one pop per call): a message lost with a Redis
      // restart is sent once Redis is back.
      const send = (): void => {
        // A broadcast without an acknowledgement (the typed map declares the one-process ack).
        const to = ns.to(room(username));
        (to.emit as (ev: 'call.offered', pop: ScreenPop) => boolean).call(to, 'call.offered', pop);
        const retry = setTimeout(() => {
          if (stillOffered?.()) send();
        }, CLUSTER_POP_RETRY_MS);
        retry.unref();
      };
      send();
      return;
    }
    // Each of the agent's sockets separately, so the first acknowledgement counts at
    // once even when another tab is stale; the dispatcher counts only the first.
    for (const id of ns.adapter.rooms.get(room(username)) ?? []) {
      ns.sockets
        .get(id)
        ?.timeout(POP_ACK_TIMEOUT_MS)
        .emit('call.offered', pop, (err: Error | null) => {
          if (!err) onDelivered();
        });
    }
  };

  offerWithdrawn: AgentNotifier['offerWithdrawn'] = (username, callId, reason) => {
    this.ns?.to(room(username)).emit('call.offer.withdrawn', { callId, reason });
  };

  callConnected: AgentNotifier['callConnected'] = (username, callId, connectedAt) => {
    this.ns?.to(room(username)).emit('call.connected', { callId, connectedAt });
  };

  callEnded: AgentNotifier['callEnded'] = (username, e) => {
    this.ns?.to(room(username)).emit('call.ended', e);
  };

  callHold: NonNullable<AgentNotifier['callHold']> = (username, callId, held) => {
    this.ns?.to(room(username)).emit(held ? 'call.held' : 'call.resumed', { callId });
  };

  agentState: AgentNotifier['agentState'] = (username, agent) => {
    this.ns?.to(room(username)).emit('agent.state.changed', agent);
  };

  caseAssigned: NonNullable<AgentNotifier['caseAssigned']> = (username, assignment) => {
    this.ns?.to(room(username)).emit('case.assigned', assignment);
  };
}
