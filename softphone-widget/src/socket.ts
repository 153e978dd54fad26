/**
 * The `/agent` socket.io connection, typed by the shared event maps. socket.io
 * reconnects by itself after network loss; this module turns its mixed event
 * vocabulary into one status and one "unauthorized" signal, and gives requests
 * an explicit timeout (socket.io acks have none by default).
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ErrorBody, ServerToClientEvents } from '../../connector/protocol.js';
import type { ConnectionStatus } from './state.js';

export type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Requests time out after this; the UI then says so instead of waiting forever. */
export const ACK_TIMEOUT_MS = 8_000;

export type RequestName = keyof ClientToServerEvents;
export type RequestOf<E extends RequestName> = Parameters<ClientToServerEvents[E]>[0];
type AckOf<E extends RequestName> = Parameters<ClientToServerEvents[E]>[1];
/** The ack's payload: `{ ok: true, ... }` or `{ ok: false, error }`. */
export type ResultOf<E extends RequestName> = AckOf<E> extends Ack<infer T> ? ({ ok: true } & T) | { ok: false; error: ErrorBody } : never;

export interface AgentConnectionHandlers {
  onStatus(status: ConnectionStatus): void;
  /** The server refused the token (`connect_error` UNAUTHORIZED) or closed the session. */
  onUnauthorized(): void;
  /** The server closed the connection itself (not a network loss); socket.io will not retry. */
  onServerDisconnect(): void;
}

export class AgentConnection {
  readonly socket: AgentSocket;

  constructor(token: string, private readonly handlers: AgentConnectionHandlers) {
    this.socket = io('/agent', { auth: { token }, autoConnect: false });
    this.socket.on('connect', () => handlers.onStatus('connected'));
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') handlers.onStatus('offline');
      else if (reason === 'io server disconnect') {
        handlers.onStatus('offline');
        handlers.onServerDisconnect();
      } else handlers.onStatus('reconnecting');
    });
    this.socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHORIZED') handlers.onUnauthorized();
      else handlers.onStatus(this.socket.active ? 'reconnecting' : 'offline');
    });
    this.socket.io.on('reconnect_attempt', () => handlers.onStatus('reconnecting'));
  }

  connect(): void {
    this.handlers.onStatus('connecting');
    this.socket.connect();
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
    this.socket.disconnect();
  }

  /**
   * Sends a request and waits for its ack. A timeout or a lost connection becomes
   * `{ ok: false, error: { code: 'TIMEOUT' } }`, never a hang.
   */
  async request<E extends RequestName>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>> {
    if (!this.socket.connected) {
      return { ok: false, error: { code: 'NOT_CONNECTED', message: 'Not connected to the server. Try again in a moment.' } } as ResultOf<E>;
    }
    const emit = this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck as unknown as (e: E, p: RequestOf<E>) => Promise<ResultOf<E>>;
    try {
      return await emit.call(this.socket, event, payload);
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer in time. Try again.' } } as ResultOf<E>;
    }
  }
}
