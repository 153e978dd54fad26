/** Real HTTP and socket.io clients for tests; waits are on events, never on sleeps. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionSnapshot } from '../../connector/protocol.js';

export type AgentClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function api(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url + path, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (metrics) */
  }
  return { status: res.status, body, headers: res.headers };
}

export async function login(url: string, username: string, password = `${username}-demo`): Promise<string> {
  const r = await api(url, 'POST', '/api/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** Resolves with the next `event` (and acks it when the server asked for an ack). */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: AgentClient,
  event: E,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      socket.off(event, handler as never);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const handler = (payload: unknown, ack?: () => void): void => {
      clearTimeout(t);
      socket.off(event, handler as never);
      if (typeof ack === 'function') ack();
      resolve(payload as Parameters<ServerToClientEvents[E]>[0]);
    };
    socket.on(event, handler as never);
  });
}

/** Connects an agent socket and waits for its session snapshot. */
export async function connectAgent(url: string, token: string): Promise<{ socket: AgentClient; snapshot: SessionSnapshot }> {
  const socket: AgentClient = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const snapshot = await nextEvent(socket, 'session.snapshot');
  return { socket, snapshot };
}

export function request<E extends keyof ClientToServerEvents>(
  socket: AgentClient,
  event: E,
  body: Parameters<ClientToServerEvents[E]>[0],
): Promise<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]> {
  return new Promise((resolve) => {
    (socket.emit as (e: string, b: unknown, ack: (r: unknown) => void) => void)(event, body, (r) => resolve(r as never));
  });
}

/** Records every event of these names, for "nothing else arrived" checks. */
export function recordEvents(socket: AgentClient, names: Array<keyof ServerToClientEvents>): Array<{ event: string; payload: any }> {
  const seen: Array<{ event: string; payload: any }> = [];
  for (const name of names) socket.on(name, ((payload: unknown) => seen.push({ event: name, payload })) as never);
  return seen;
}

/** Accepts an offered call and waits until it is connected. */
export async function acceptCall(socket: AgentClient, callId: string): Promise<void> {
  const connected = nextEvent(socket, 'call.connected');
  const r = await request(socket, 'call.accept', { callId });
  if (!r.ok) throw new Error(`accept failed: ${r.error.code}`);
  await connected;
}
