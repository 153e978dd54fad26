/**
 * What a simulated caller hears and sees, in order. Late readers (the `/phone`
 * page's event stream) get the whole history, then live entries.
 */
import type { EndReason } from '../events.js';

export type TranscriptEntry = { at: string } & (
  | { type: 'call.ringing'; from: string; to: string }
  | { type: 'call.answered' }
  | { type: 'prompt.started'; playbackId: string; promptId: string; text: string }
  | { type: 'prompt.finished'; playbackId: string; completed: boolean }
  | { type: 'hold.started' }
  | { type: 'hold.stopped' }
  | { type: 'digits.received'; digits: string }
  | { type: 'call.connected'; agent: string }
  | { type: 'call.transferred'; to: string }
  | { type: 'recording.started'; recording: string }
  | { type: 'recording.stopped'; recording: string }
  | { type: 'call.ended'; reason: EndReason }
);

type Entry = TranscriptEntry extends infer T ? (T extends unknown ? Omit<T, 'at'> : never) : never;

/** Cap so a call left on hold for hours cannot grow without bound. */
const MAX_ENTRIES = 1_000;

export class CallTranscript {
  readonly entries: TranscriptEntry[] = [];
  endedAtMs = 0;
  private readonly subscribers = new Set<(e: TranscriptEntry) => void>();

  push(entry: Entry): void {
    const full = { ...entry, at: new Date().toISOString() } as TranscriptEntry;
    if (this.entries.length < MAX_ENTRIES) this.entries.push(full);
    for (const s of [...this.subscribers]) s(full);
  }

  end(reason: EndReason): void {
    this.push({ type: 'call.ended', reason });
    this.endedAtMs = Date.now();
    this.subscribers.clear();
  }

  get ended(): boolean {
    return this.endedAtMs > 0;
  }

  /** Replays history, then follows. Returns an unsubscribe function. */
  follow(subscriber: (e: TranscriptEntry) => void): () => void {
    for (const e of this.entries) subscriber(e);
    if (this.ended) return () => {};
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Texts of prompts started so far, in order. */
  promptTexts(): string[] {
    return this.entries.flatMap((e) => (e.type === 'prompt.started' ? [e.text] : []));
  }
}
