/**
 * A Node-side caller for e2e tests: the simulator's REST API and its SSE
 * transcript, with `waitFor` on transcript entries (no sleeps).
 */
import type { TranscriptEntry } from '../../adapters/simulator/transcript.js';

export interface CallerSession {
  callId: string;
  /** Every entry received so far. */
  readonly entries: readonly TranscriptEntry[];
  /** Resolves with the first entry (past or future) of this type. */
  waitFor<T extends TranscriptEntry['type']>(type: T, timeoutMs?: number): Promise<Extract<TranscriptEntry, { type: T }>>;
  digits(digits: string): Promise<void>;
  hangup(): Promise<void>;
  /** Stops reading the event stream. */
  close(): void;
}

async function post(url: string, body: unknown, expect: number): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: unknown = await res.json().catch(() => null);
  if (res.status !== expect) throw new Error(`POST ${url}: expected ${expect}, got ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function dial(baseUrl: string, from: string, to = '+18005550100'): Promise<CallerSession> {
  const { callId } = (await post(`${baseUrl}/api/simulator/calls`, { from, to }, 201)) as { callId: string };
  const entries: TranscriptEntry[] = [];
  const waiters = new Set<() => void>();
  const abort = new AbortController();

  const res = await fetch(`${baseUrl}/api/simulator/calls/${callId}/events`, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`events stream: HTTP ${res.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (!data) continue;
          entries.push(JSON.parse(data) as TranscriptEntry);
          for (const w of [...waiters]) w();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();

  return {
    callId,
    entries,
    waitFor(type, timeoutMs = 20_000) {
      type Hit = Extract<TranscriptEntry, { type: typeof type }>;
      return new Promise<Hit>((resolve, reject) => {
        const check = (): boolean => {
          const hit = entries.find((e) => e.type === type) as Hit | undefined;
          if (!hit) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`call ${callId}: no ${type} within ${timeoutMs} ms; saw ${entries.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async digits(digits) {
      await post(`${baseUrl}/api/simulator/calls/${callId}/digits`, { digits }, 202);
    },
    async hangup() {
      await post(`${baseUrl}/api/simulator/calls/${callId}/hangup`, {}, 202);
    },
    close() {
      abort.abort();
    },
  };
}

/**
 * The caller's hold and resume by the agent: hold entries from the first music on hold
 * after the call connected (music while the caller waited in the queue does not count).
 */
export function agentHolds(c: CallerSession): string[] {
  const types = c.entries.map((e) => e.type);
  const connected = types.indexOf('call.connected');
  const first = connected < 0 ? -1 : types.indexOf('hold.started', connected);
  return first < 0 ? [] : types.slice(first).filter((t) => t === 'hold.started' || t === 'hold.stopped');
}

/** Polls `fn` until it returns `want` (20 s), then fails with what it returned. */
export async function eventually<T>(fn: () => T, want: T): Promise<void> {
  const until = Date.now() + 20_000;
  while (JSON.stringify(fn()) !== JSON.stringify(want)) {
    if (Date.now() > until) throw new Error(`expected ${JSON.stringify(want)}, got ${JSON.stringify(fn())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
