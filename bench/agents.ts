/**
 * The parent's side of bench/agents-process.ts, and the agent configuration the
 * benches share: N agents with one password hash reused for all (nobody logs in
 * with it: hashing N scrypt hashes would cost minutes), their tokens issued
 * straight through the SessionStore.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SessionStore } from '../connector/auth/sessions.js';
import { DEMO_AGENTS } from '../connector/config/defaults.js';
import type { Database } from '../connector/store/db.js';

export const agentName = (i: number): string => `agent${String(i).padStart(4, '0')}`;

/** Config entries for `n` agents of the `support` queue. */
export function benchAgents(n: number): Array<{ username: string; displayName: string; passwordHash: string; queues: string[] }> {
  const passwordHash = DEMO_AGENTS[0].passwordHash;
  return Array.from({ length: n }, (_, i) => ({ username: agentName(i), displayName: `Agent ${i}`, passwordHash, queues: ['support'] }));
}

/** A session token per agent, issued directly (no login, no password check). */
export function issueTokens(db: Database, n: number): Array<{ username: string; token: string }> {
  const sessions = new SessionStore(db, 12 * 3600_000);
  return db.transaction(() => Array.from({ length: n }, (_, i) => ({ username: agentName(i), token: sessions.issue(agentName(i)).token })))();
}

export interface AgentsProcess {
  readonly child: ChildProcess;
  /** Sends a command and resolves with the child's next message of `reply` type. */
  ask<T = Record<string, unknown>>(msg: Record<string, unknown>, reply: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export function startAgentsProcess(): AgentsProcess {
  return startChild(new URL('./agents-process.ts', import.meta.url), ['--import', 'tsx']);
}

/** Forks a bench child process that speaks the `{ type }` message protocol (a reply per request). */
export function startChild(script: URL, execArgv: string[], args: string[] = []): AgentsProcess {
  const child = fork(fileURLToPath(script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, Array<{ resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>>();
  child.on('message', (m: Record<string, unknown>) => {
    waiting.get(m.type as string)?.shift()?.resolve(m);
  });
  child.on('exit', (code) => {
    for (const list of waiting.values()) for (const w of list.splice(0)) w.reject(new Error(`${fileURLToPath(script)} exited (${code})`));
  });
  return {
    child,
    ask<T>(msg: Record<string, unknown>, reply: string, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${fileURLToPath(script)}: no ${reply} within ${timeoutMs} ms`)), timeoutMs);
        const list = waiting.get(reply) ?? [];
        list.push({
          resolve: (m) => {
            clearTimeout(t);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
        waiting.set(reply, list);
        child.send(msg);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        // A child that already let go of the channel is on its way out by itself.
        if (child.connected) child.send({ type: 'close' }, (err) => err && child.kill());
      });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls `fn(i)` for i = 0..n-1, at `rate` per second, each on its due time (no drift). */
export async function paced(n: number, rate: number, fn: (i: number) => void): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0.5) await sleep(wait);
    fn(i);
  }
}

/** Polls `ok` every 20 ms until it holds or `timeoutMs` passes; resolves with whether it held. */
export async function until(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}
