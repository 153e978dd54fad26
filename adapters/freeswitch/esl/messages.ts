/**
 * Frames -> typed messages, by `Content-Type` (mod_event_socket.c):
 *
 * - `auth/request`: sent once on connect; we answer `auth <password>`.
 * - `command/reply`: the reply to a command, in `Reply-Text` (`+OK ...` / `-ERR ...`);
 *   `bgapi` adds `Job-UUID`.
 * - `api/response`: the output of `api <command>` as the body.
 * - `text/event-json` (and `text/event-plain`): an event; raw fix-ups here turn it
 *   into one shape (`EslEvent`) whichever the encoding.
 * - `text/disconnect-notice`: FreeSWITCH is closing this socket (a failed `auth`,
 *   `exit`, a shutdown); anything after it is not to be trusted.
 * - `text/rude-rejection`: refused by `apply-inbound-acl`, then closed.
 * - `log/data`: log lines (we never ask for them).
 */
import type { EslFrame } from './frame-parser.js';

/** One FreeSWITCH event: header values as strings, and the body (`_body` in JSON). */
export class EslEvent {
  constructor(
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | null,
  ) {}

  /** `Event-Name`, e.g. `CHANNEL_PARK`. */
  get name(): string {
    return this.headers['Event-Name'] ?? '';
  }

  /** The channel the event is about (`Unique-ID`), if any. */
  get uniqueId(): string | undefined {
    return this.headers['Unique-ID'];
  }

  get(name: string): string | undefined {
    return this.headers[name];
  }

  /** A channel variable, as events carry them (`variable_<name>`). */
  variable(name: string): string | undefined {
    return this.headers[`variable_${name}`];
  }
}

export type EslMessage =
  | { type: 'auth/request' }
  | { type: 'command/reply'; text: string; headers: Readonly<Record<string, string>> }
  | { type: 'api/response'; text: string }
  | { type: 'event'; event: EslEvent }
  | { type: 'bad-event'; text: string; reason: string }
  | { type: 'disconnect-notice'; text: string }
  | { type: 'rude-rejection'; text: string }
  | { type: 'log/data' }
  | { type: 'other'; contentType: string };

export function classify(frame: EslFrame): EslMessage {
  const contentType = frame.headers['content-type'] ?? '';
  const text = frame.body ? frame.body.toString('utf8') : '';
  switch (contentType) {
    case 'auth/request':
      return { type: 'auth/request' };
    case 'command/reply':
      return { type: 'command/reply', text: (frame.headers['reply-text'] ?? '').trim(), headers: frame.headers };
    case 'api/response':
      return { type: 'api/response', text };
    case 'text/event-json':
      return jsonEvent(text);
    case 'text/event-plain':
      return plainEvent(text);
    case 'text/disconnect-notice':
      return { type: 'disconnect-notice', text };
    case 'text/rude-rejection':
      return { type: 'rude-rejection', text };
    case 'log/data':
      return { type: 'log/data' };
    default:
      return { type: 'other', contentType };
  }
}

/**
 * A `text/event-json` body: one JSON object of header -> string, with the event
 * body under `_body` (switch_event_serialize_json). Fix-ups: multi-valued headers
 * arrive as JSON arrays (FreeSWITCH's `ARRAY::a|:b` in plain form) and become that
 * string again; anything that is not a string is stringified.
 */
export function jsonEvent(text: string): EslMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { type: 'bad-event', text, reason: `not JSON: ${(err as Error).message}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { type: 'bad-event', text, reason: 'not a JSON object' };
  const headers: Record<string, string> = {};
  let body: string | null = null;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === '_body') {
      body = typeof v === 'string' ? v : JSON.stringify(v);
      continue;
    }
    if (typeof v === 'string') headers[k] = v;
    else if (Array.isArray(v)) headers[k] = `ARRAY::${v.map(String).join('|:')}`;
    else if (v !== null && v !== undefined) headers[k] = String(v);
  }
  if (!headers['Event-Name']) return { type: 'bad-event', text, reason: 'no Event-Name' };
  return { type: 'event', event: new EslEvent(headers, body) };
}

/** A `text/event-plain` body: URL-encoded `Name: value` lines, an empty line, then the event's own body. */
export function plainEvent(text: string): EslMessage {
  const blank = text.indexOf('\n\n');
  const head = blank === -1 ? text : text.slice(0, blank);
  const headers: Record<string, string> = {};
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = line.slice(colon + 1).trim();
    try {
      headers[line.slice(0, colon).trim()] = decodeURIComponent(value);
    } catch {
      headers[line.slice(0, colon).trim()] = value;
    }
  }
  if (!headers['Event-Name']) return { type: 'bad-event', text, reason: 'no Event-Name' };
  const length = Number(headers['Content-Length'] ?? NaN);
  const rest = blank === -1 ? '' : text.slice(blank + 2);
  const body = Number.isInteger(length) ? Buffer.from(rest, 'utf8').subarray(0, length).toString('utf8') : null;
  return { type: 'event', event: new EslEvent(headers, body) };
}

/** `+OK ...` / `-ERR ...` / `-USAGE: ...`: FreeSWITCH's success and failure prefixes. */
export function isFailureText(text: string): boolean {
  return /^-(ERR|USAGE|ERROR)\b/.test(text.trimStart());
}
