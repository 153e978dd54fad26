/**
 * The webhook <-> command model: which TwiML document answers the caller's webhook.
 *
 * Adapter commands (play, hold, transfer, hangup) do not go to Twilio when they are
 * made: they are queued on the call, and the next webhook from the caller's leg is
 * answered with them. Every document we send ends in a callback, so Twilio always
 * comes back:
 *
 * | queued (first)   | on the call's leg                              | in the queue's wait document |
 * | ---------------- | ---------------------------------------------- | ---------------------------- |
 * | `hangup`         | `<Hangup/>`                                    | `<Hangup/>`                  |
 * | `transfer`       | `<Dial action=next>number</Dial>`              | `<Leave/>` (then the left)   |
 * | prompts          | `<Gather numDigits=1 actionOnEmptyResult>` with the prompts nested: the first key stops them and is posted at once | the prompts (keys are not collected while queued) |
 * | nothing, on hold or before a bridge | `<Enqueue waitUrl action>sb-<CallSid></Enqueue>` | music or `<Pause>` |
 * | nothing, keys just came | `<Gather numDigits=entryMaxDigits timeout=entryTimeoutSec>`: an entry being typed | - |
 * | nothing          | `<Gather numDigits=1 timeout=timeoutSec>`: wait for a key, come back meanwhile | `<Pause>` |
 *
 * A prompt ends (its `play()` resolves) when the callback of its document comes:
 * `{ completed: true }` with no key, `{ completed: false }` when a key cut it. Keys
 * arrive as `Digits` (every key, `finishOnKey=""`) and become `call.dtmf` events: the
 * IVR engine, not Twilio, decides where an entry ends (finish key, length, timeouts).
 */
import type { GatherOptions } from './options.js';
import { queueName } from './mapper.js';
import type { CallerState, PlayHandle, QueuedVerb, SentDoc } from './state.js';
import type { Media, Verb } from './twiml.js';

export interface DocUrls {
  /** The callback that ends document `seq` (Gather and Enqueue `action`, Dial `action`). */
  next(seq: number): string;
  /** The Enqueue `waitUrl` of document `seq`. */
  wait(seq: number): string;
}

export interface DocSettings {
  gather: GatherOptions;
  holdMusicUrl?: string | undefined;
  holdPauseSec: number;
}

export interface CallDocument {
  verbs: Verb[];
  doc: SentDoc;
  /** A transfer sent in it (resolves its command). */
  transfer: Extract<QueuedVerb, { kind: 'transfer' }> | null;
}

/** Takes the leading run of queued prompts. */
function takePrompts(call: CallerState): PlayHandle[] {
  const out: PlayHandle[] = [];
  while (call.queue[0]?.kind === 'prompt') {
    const q = call.queue.shift() as Extract<QueuedVerb, { kind: 'prompt' }>;
    if (!q.handle.settled) out.push(q.handle);
  }
  return out;
}

/** The next document on the caller's leg. Takes what it sends off the queue; `seq` is the new document's number. */
export function callDocument(call: CallerState, seq: number, urls: DocUrls, s: DocSettings): CallDocument {
  const head = call.queue[0];
  const action = urls.next(seq);
  if (head?.kind === 'hangup') {
    call.queue.length = 0;
    return { verbs: [{ verb: 'Hangup' }], doc: { seq, kind: 'hangup', plays: [] }, transfer: null };
  }
  if (head?.kind === 'transfer') {
    call.queue.shift();
    return {
      verbs: [{ verb: 'Dial', target: { kind: 'number', value: head.to }, action }],
      doc: { seq, kind: 'transfer', plays: [] },
      transfer: head,
    };
  }
  const plays = takePrompts(call);
  if (plays.length > 0) {
    const nested: Media[] = plays.map((p) => p.verb);
    return {
      verbs: [{ verb: 'Gather', action, numDigits: 1, timeout: s.gather.timeoutSec, finishOnKey: '', actionOnEmptyResult: true, nested }],
      doc: { seq, kind: 'prompts', plays },
      transfer: null,
    };
  }
  if (call.holds > 0 || call.wantQueue) {
    return {
      verbs: [{ verb: 'Enqueue', queue: queueName(call.sid), waitUrl: urls.wait(seq), action }],
      doc: { seq, kind: 'enqueue', plays: [] },
      transfer: null,
    };
  }
  const entry = call.entry;
  return {
    verbs: [
      {
        verb: 'Gather',
        action,
        numDigits: entry ? s.gather.entryMaxDigits : 1,
        timeout: entry ? s.gather.entryTimeoutSec : s.gather.timeoutSec,
        finishOnKey: '',
        actionOnEmptyResult: true,
        nested: [],
      },
    ],
    doc: { seq, kind: entry ? 'entry' : 'listen', plays: [] },
    transfer: null,
  };
}

export interface WaitDocument {
  verbs: Verb[];
  /** Prompts sent in it: they end at the next wait request. */
  plays: PlayHandle[];
  /** It hangs the call up. */
  hangup: boolean;
}

/** What the caller hears next while waiting in the Twilio queue (the `waitUrl` document). */
export function waitDocument(call: CallerState, s: DocSettings): WaitDocument {
  const head = call.queue[0];
  if (head?.kind === 'hangup') {
    call.queue.length = 0;
    return { verbs: [{ verb: 'Hangup' }], plays: [], hangup: true };
  }
  // A transfer needs <Dial>, which a wait document cannot run: leave the queue first
  // (the Enqueue action then asks for the call's next document).
  if (head?.kind === 'transfer') return { verbs: [{ verb: 'Leave' }], plays: [], hangup: false };
  const plays = takePrompts(call);
  if (plays.length > 0) return { verbs: plays.map((p) => p.verb), plays, hangup: false };
  if (call.holds > 0 && s.holdMusicUrl) return { verbs: [{ verb: 'Play', url: s.holdMusicUrl }], plays: [], hangup: false };
  return { verbs: [{ verb: 'Pause', length: call.holds > 0 ? s.holdPauseSec : s.gather.timeoutSec }], plays: [], hangup: false };
}
