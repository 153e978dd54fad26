/**
 * TwiML, the XML Twilio runs on a call (https://www.twilio.com/docs/voice/twiml):
 * the verbs this adapter answers webhooks with, and their rendering. Every text and
 * attribute is escaped, and characters XML 1.0 cannot carry are dropped, so a
 * prompt's wording or a caller's name can never change the document's structure.
 * Callback URLs are always requested with POST (signed form parameters).
 */

/** `<Say>`: Twilio's own text-to-speech. */
export interface Say {
  verb: 'Say';
  text: string;
  /** e.g. `Polly.Joanna`; Twilio's default voice when unset. */
  voice?: string | undefined;
  /** BCP-47, e.g. `en-US`. */
  language?: string | undefined;
}

/** `<Play>`: an audio file Twilio fetches over HTTP(S). */
export interface Play {
  verb: 'Play';
  url: string;
}

export interface Pause {
  verb: 'Pause';
  /** Seconds, a positive integer. */
  length: number;
}

/** What may be nested in a `<Gather>` (Twilio stops it at the caller's first key). */
export type Media = Say | Play | Pause;

/** `<Gather input="dtmf">`: collects keys and posts them (`Digits`) to `action`. */
export interface Gather {
  verb: 'Gather';
  action: string;
  /** Post as soon as this many keys came. */
  numDigits: number;
  /** Seconds to wait for a (next) key before posting. A positive integer (Twilio warning 13313 otherwise). */
  timeout: number;
  /** The key that ends the entry at once; `''` disables it, so every key reaches `Digits`. */
  finishOnKey: string;
  /** Post to `action` even when no key came (otherwise Twilio falls through to the next verb). */
  actionOnEmptyResult: boolean;
  nested: Media[];
}

/** `<Enqueue>`: waits in a Twilio queue, running `waitUrl`'s documents, until dequeued (`<Dial><Queue>`) or `<Leave>`. */
export interface Enqueue {
  verb: 'Enqueue';
  /** At most 64 characters (Twilio's limit). */
  queue: string;
  waitUrl: string;
  /** Requested when the caller leaves the queue (`QueueResult`). */
  action: string;
}

export type DialTarget =
  | { kind: 'number'; value: string }
  | { kind: 'client'; value: string }
  | { kind: 'sip'; value: string }
  | { kind: 'queue'; value: string };

export interface Dial {
  verb: 'Dial';
  target: DialTarget;
  action?: string | undefined;
  /** Ring timeout in seconds. */
  timeout?: number | undefined;
  callerId?: string | undefined;
}

export interface Redirect {
  verb: 'Redirect';
  url: string;
}

export type Verb = Media | Gather | Enqueue | Dial | Redirect | { verb: 'Hangup' } | { verb: 'Leave' };

/** XML 1.0 `Char` excludes most C0 controls and U+FFFE/U+FFFF; they are dropped, not escaped. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type Attrs = Record<string, string | number | boolean | undefined>;

function el(name: string, attrs: Attrs, inner: string | null): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return inner === null ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`;
}

function renderVerb(v: Verb): string {
  switch (v.verb) {
    case 'Say':
      return el('Say', { voice: v.voice, language: v.language }, escapeXml(v.text));
    case 'Play':
      return el('Play', {}, escapeXml(v.url));
    case 'Pause':
      return el('Pause', { length: Math.max(1, Math.round(v.length)) }, null);
    case 'Gather':
      return el(
        'Gather',
        {
          input: 'dtmf',
          action: v.action,
          method: 'POST',
          numDigits: v.numDigits,
          timeout: Math.max(1, Math.round(v.timeout)),
          finishOnKey: v.finishOnKey,
          actionOnEmptyResult: v.actionOnEmptyResult,
        },
        v.nested.length > 0 ? v.nested.map(renderVerb).join('') : null,
      );
    case 'Enqueue':
      return el('Enqueue', { action: v.action, method: 'POST', waitUrl: v.waitUrl, waitUrlMethod: 'POST' }, escapeXml(v.queue));
    case 'Dial': {
      const noun = { number: 'Number', client: 'Client', sip: 'Sip', queue: 'Queue' }[v.target.kind];
      return el(
        'Dial',
        { action: v.action, method: v.action ? 'POST' : undefined, timeout: v.timeout, callerId: v.callerId },
        el(noun, {}, escapeXml(v.target.value)),
      );
    }
    case 'Redirect':
      return el('Redirect', { method: 'POST' }, escapeXml(v.url));
    case 'Hangup':
      return '<Hangup/>';
    case 'Leave':
      return '<Leave/>';
  }
}

/** A whole TwiML document. An empty list is `<Response/>` (Twilio ends the call after it). */
export function renderTwiml(verbs: readonly Verb[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${verbs.length === 0 ? '<Response/>' : `<Response>${verbs.map(renderVerb).join('')}</Response>`}`;
}
