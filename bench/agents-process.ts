/**
 * The agents' side of the benches, in its own process (started with `fork` by
 * bench/pop.bench.ts and bench/process.bench.ts): N socket.io agent clients on
 * one connector, plus one raw WebSocket client for the same-run baseline.
 *
 * Each agent behaves like a widget whose user takes every call at once: it
 * acknowledges the pop, accepts the call and, when the call ends, finishes its
 * after-call work, so agents keep cycling.
 *
 * Clock: `process.hrtime.bigint()` is CLOCK_MONOTONIC on Linux, one clock for
 * every process of the machine, so a receive time taken here can be subtracted
 * from a send time taken in the parent. The parent checks that with a ping
 * handshake over the raw WebSocket (see pop.bench.ts).
 *
 * Protocol (IPC, parent -> child):
 *   { type: 'connect', url, agents: [{ username, token }], available }  -> { type: 'connected', ms, failed }
 *   { type: 'available' | 'away' }  (every agent sets that state)        -> { type: same, ms }
 *   { type: 'ws', url }  (echoes every message, prefixed with its receive time) -> { type: 'ws-open' }
 *   { type: 'report' }   -> { type: 'report', pops: [callId, receivedNs][], errors }
 *   { type: 'close' }    -> disconnects everything and exits
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientToServerEvents, ScreenPop, ServerToClientEvents } from '../connector/protocol.js';

type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type Command =
  | { type: 'connect'; url: string; agents: Array<{ username: string; token: string }>; available: boolean }
  | { type: 'available' | 'away' }
  | { type: 'ws'; url: string }
  | { type: 'report' }
  | { type: 'close' };

const now = (): number => Number(process.hrtime.bigint());
const send = (m: unknown): void => {
  process.send?.(m);
};

const sockets: AgentSocket[] = [];
let pops: Array<[string, number]> = [];
let errors: string[] = [];
let ws: WebSocket | null = null;

function emitAck(s: AgentSocket, event: keyof ClientToServerEvents, body: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  return new Promise((resolve) => {
    (s.emit as (e: string, b: unknown, ack: (r: unknown) => void) => void)(event, body, (r) => resolve(r as { ok: boolean }));
  });
}

function agent(url: string, token: string): Promise<AgentSocket> {
  return new Promise((resolve, reject) => {
    const s: AgentSocket = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.on('session.snapshot', ((_snap: unknown, ack?: () => void) => {
      ack?.();
      resolve(s);
    }) as never);
    s.on('connect_error', (err) => reject(err));
    // The pop: take the receive time first, acknowledge, accept at once.
    s.on('call.offered', ((pop: ScreenPop, ack?: () => void) => {
      pops.push([pop.callId, now()]);
      ack?.();
      void emitAck(s, 'call.accept', { callId: pop.callId }).then((r) => {
        // A caller who hung up meanwhile is not an error of the bench.
        if (!r.ok && r.error?.code !== 'CALL_NOT_OFFERED') errors.push(`accept: ${r.error?.code}`);
      });
    }) as never);
    s.on('call.ended', (e) => {
      void emitAck(s, 'wrapup.finish', { callId: e.callId });
    });
  });
}

async function connectAll(url: string, list: Array<{ username: string; token: string }>, available: boolean): Promise<number> {
  let failed = 0;
  // A few dozen handshakes at a time: the connector authenticates each against its store.
  const BATCH = 50;
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = await Promise.allSettled(list.slice(i, i + BATCH).map((a) => agent(url, a.token)));
    for (const r of batch) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else failed++;
    }
  }
  if (available) await setState('available');
  return failed;
}

async function setState(state: 'available' | 'away'): Promise<void> {
  const BATCH = 100;
  for (let i = 0; i < sockets.length; i += BATCH) {
    await Promise.all(sockets.slice(i, i + BATCH).map((s) => emitAck(s, 'agent.state.set', { state })));
  }
}

process.on('message', (m: Command) => {
  void (async () => {
    switch (m.type) {
      case 'connect': {
        const t0 = Date.now();
        const failed = await connectAll(m.url, m.agents, m.available);
        send({ type: 'connected', ms: Date.now() - t0, failed });
        return;
      }
      case 'available':
      case 'away': {
        const t0 = Date.now();
        await setState(m.type);
        send({ type: m.type, ms: Date.now() - t0 });
        return;
      }
      case 'ws': {
        ws = new WebSocket(m.url, { perMessageDeflate: false });
        // Echo at once, prefixed with the receive time on the shared clock.
        ws.on('message', (data: Buffer) => ws?.send(`${now()}|${data.toString()}`));
        ws.on('open', () => send({ type: 'ws-open' }));
        ws.on('error', (err) => errors.push(`ws: ${err.message}`));
        return;
      }
      case 'report': {
        send({ type: 'report', pops, errors });
        pops = [];
        errors = [];
        return;
      }
      case 'close': {
        ws?.close();
        for (const s of sockets) s.disconnect();
        setTimeout(() => process.exit(0), 50).unref();
        process.disconnect?.();
        return;
      }
    }
  })();
});

// The parent gone (a crashed bench): do not linger.
process.on('disconnect', () => process.exit(0));
