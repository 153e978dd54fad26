/**
 * The simulator's caller-side API as the `/phone` page uses it (same origin):
 * dial, press keys, hang up, and follow the call's transcript over SSE.
 */
import type { TranscriptEntry } from '../transcript.js';

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  } catch (cause) {
    throw new SimulatorError('NETWORK', 'The server could not be reached.');
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; fields?: Record<string, string[]> } };
  if (!res.ok) {
    const e = json.error;
    const detail = e?.fields ? ` (${Object.entries(e.fields).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ')})` : '';
    throw new SimulatorError(e?.code ?? `HTTP_${res.status}`, `${e?.message ?? `HTTP ${res.status}`}${detail}`);
  }
  return json as T;
}

export function startCall(from: string, to: string): Promise<{ callId: string }> {
  return post('/api/simulator/calls', { from, to });
}

export async function sendDigits(callId: string, digits: string): Promise<void> {
  await post(`/api/simulator/calls/${encodeURIComponent(callId)}/digits`, { digits });
}

export async function hangup(callId: string): Promise<void> {
  await post(`/api/simulator/calls/${encodeURIComponent(callId)}/hangup`, {});
}

/**
 * Follows a call's transcript. The stream replays history to every new
 * subscriber, so entries seen before (after an EventSource reconnect) are
 * skipped. Stops after `call.ended`. Returns a stop function.
 */
export function followCall(callId: string, onEntry: (e: TranscriptEntry) => void, onLost: () => void): () => void {
  const seen = new Set<string>();
  const es = new EventSource(`/api/simulator/calls/${encodeURIComponent(callId)}/events`);
  es.onmessage = (msg: MessageEvent<string>) => {
    let entry: TranscriptEntry;
    try {
      entry = JSON.parse(msg.data) as TranscriptEntry;
    } catch {
      return;
    }
    const key = msg.data;
    if (seen.has(key)) return;
    seen.add(key);
    if (entry.type === 'call.ended') es.close();
    onEntry(entry);
  };
  es.onerror = () => {
    // CONNECTING: the browser retries by itself. CLOSED: the call is gone (404) or the server refused.
    if (es.readyState === EventSource.CLOSED) onLost();
  };
  return () => es.close();
}
