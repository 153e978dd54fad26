/**
 * What the adapter knows of each call and agent leg. Twilio holds the call; we hold
 * what we asked it to do: the verbs queued since the last webhook, the document
 * Twilio is running now (and the prompts in it), and any webhook we are holding
 * open until we have something to say.
 */
import type { Response } from 'express';
import type { PlaybackResult } from '../adapter.js';
import type { Play, Say } from './twiml.js';

/** A prompt waiting to be sent, or sent and playing. `settle` is idempotent. */
export interface PlayHandle {
  promptId: string;
  verb: Play | Say;
  settled: boolean;
  settle(r: PlaybackResult): void;
}

export type QueuedVerb =
  | { kind: 'prompt'; handle: PlayHandle }
  | { kind: 'hangup' }
  | { kind: 'transfer'; to: string; sent: (err?: Error) => void };

export type DocKind = 'prompts' | 'listen' | 'entry' | 'enqueue' | 'hangup' | 'transfer';

/** A document Twilio runs on the caller's leg. Its callback URLs carry `d=<seq>`. */
export interface SentDoc {
  seq: number;
  kind: DocKind;
  /** The prompts it carries (kind `prompts`): they end when its callback comes. */
  plays: PlayHandle[];
}

/** A webhook held open: Twilio waits (up to 15 s) for our TwiML. */
export interface HeldWebhook {
  res: Response;
  /** `call`: the caller's leg asks what next; `wait`: the caller waits in the Twilio queue (`waitUrl`). */
  context: 'call' | 'wait';
}

export interface CallerState {
  sid: string;
  ani: string;
  dnis: string;
  callerName: string | null;
  answered: boolean;
  ended: boolean;
  /** Who asked for the end, when we did: the end reason then says so. */
  endRequest: 'system' | 'agent' | 'transfer' | null;
  /** Verbs queued since the last document, in order. */
  queue: QueuedVerb[];
  /** The document Twilio runs now (null while a webhook is held, or before the first). */
  doc: SentDoc | null;
  /** Prompts sent in the last wait document: they end at the next wait request. */
  waitPlays: PlayHandle[];
  seq: number;
  held: HeldWebhook | null;
  /** Active `hold()` calls: the caller should wait in the Twilio queue with music. */
  holds: number;
  /** A bridge needs the caller in the Twilio queue (an agent's `<Dial><Queue>` takes them from there). */
  wantQueue: boolean;
  /** Twilio asked for a wait document: the caller is a member of their queue now. */
  inQueue: boolean;
  /** Called when the caller enters the queue or the call ends. */
  queueWaiters: Set<() => void>;
  /** The last webhook brought keys and nothing was asked for: the caller is typing an entry. */
  entry: boolean;
  legs: Set<string>;
  bridgedLeg: string | null;
}

export interface LegState {
  /** Our id for the leg, chosen before the REST request (its callbacks carry it as `leg=`). */
  id: string;
  callId: string;
  endpoint: string;
  /** Twilio's Call SID, from the REST reply or the first callback. */
  sid: string | null;
  /** The REST request that created it; settles either way. */
  creating: Promise<void>;
  answered: boolean;
  bridged: boolean;
  cancelled: boolean;
  ended: boolean;
  /** The agent answered: Twilio waits for the TwiML that connects them (`<Dial><Queue>`). */
  held: Response | null;
  keepAlive: NodeJS.Timeout | null;
  /** Called when the agent's webhook is held (again). */
  heldWaiters: Set<() => void>;
}

export function newCaller(sid: string, f: { ani: string; dnis: string; callerName: string | null }): CallerState {
  return {
    sid, ...f, answered: false, ended: false, endRequest: null, queue: [], doc: null, waitPlays: [], seq: 0, held: null,
    holds: 0, wantQueue: false, inQueue: false, queueWaiters: new Set(), entry: false, legs: new Set(), bridgedLeg: null,
  };
}

/** Every prompt the call still has (queued, in the document Twilio runs, in the wait document). */
export function allPlays(call: CallerState): PlayHandle[] {
  return [...call.queue.flatMap((q) => (q.kind === 'prompt' ? [q.handle] : [])), ...(call.doc?.plays ?? []), ...call.waitPlays];
}

/** Remembers ended ids, so a late callback never brings a call back. Bounded. */
export class Tombstones {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 10_000) {}

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
