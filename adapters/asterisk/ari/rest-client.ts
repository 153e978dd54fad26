/**
 * The ARI REST client: Node's `fetch`, typed by the operations generated from the
 * Swagger files (`types.gen.ts`), Basic auth or `api_key`, a timeout on every
 * request, and one retry of an idempotent request on a socket hang-up.
 *
 * Keep-alive: a request sent on a pooled connection that Asterisk has just closed
 * fails with "socket hang up" (FIELD-NOTES). Node's fetch closes a pooled
 * connection after 4 s idle (undici's default keepAliveTimeout), well before
 * Asterisk's `session_keep_alive` (http.conf, default 15000 ms), so our side closes
 * first; the admin guide says not to set `session_keep_alive` below 5000. The
 * remaining race (Asterisk closing exactly as a request goes out) is covered by
 * retrying idempotent requests once.
 */
import { AdapterError, type AdapterErrorCode } from '../../errors.js';
import type { AriOperation, AriOperations } from './types.gen.js';

export interface AriCredentials {
  username: string;
  password: string;
  /** `basic`: an Authorization header; `api_key`: `?api_key=user:password` (ari.conf users either way). */
  mode: 'basic' | 'api_key';
}

export interface AriRestOptions {
  adapterId: string;
  /** The ARI base URL, e.g. `http://pbx.example:8088/ari`. */
  baseUrl: string;
  credentials: AriCredentials;
  /** Every request MUST end within this many ms (PBX_TIMEOUT otherwise). */
  timeoutMs: number;
}

type Params<K extends AriOperation> = {
  path?: AriOperations[K]['path'];
  query?: AriOperations[K]['query'];
  body?: AriOperations[K]['body'];
};

/** Socket-level failures where the request never reached Asterisk's handler (undici and node:http wordings). */
const HANG_UP = /socket hang up|other side closed|ECONNRESET|EPIPE|UND_ERR_SOCKET/i;

/**
 * Asterisk's reply statuses -> adapter error codes. The statuses are the
 * `errorResponses` the Swagger files declare: 404 "Channel not found" (channels.json,
 * every channel operation), 409 "Channel not in a Stasis application", 412 "Channel
 * in invalid state", 422 "Channel not in Stasis application" (bridges.json
 * addChannel), 400 invalid parameters (originate). 500 and 503 are Asterisk's own.
 */
const STATUS_CODE: Record<number, AdapterErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'PBX_REJECTED',
  403: 'PBX_REJECTED',
  404: 'CALL_GONE',
  409: 'PBX_REJECTED',
  412: 'PBX_REJECTED',
  422: 'PBX_REJECTED',
  500: 'PBX_REJECTED',
  501: 'PBX_REJECTED',
  503: 'PBX_UNAVAILABLE',
};

export class AriRestClient {
  /** Requests retried after a socket hang-up (for tests and metrics). */
  retries = 0;

  constructor(private readonly o: AriRestOptions) {}

  get baseUrl(): string {
    return this.o.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Calls one ARI operation. Resolves with the declared response (undefined for
   * `void`); rejects with an `AdapterError` whose `httpStatus` is Asterisk's reply
   * status (404 -> `CALL_GONE`, 503 -> `PBX_UNAVAILABLE`, ...), `PBX_TIMEOUT` after
   * `timeoutMs`, or `PBX_UNAVAILABLE` when Asterisk cannot be reached.
   */
  async call<K extends AriOperation>(
    op: K,
    params: Params<K> = {},
    opts: { idempotent?: boolean; timeoutMs?: number } = {},
  ): Promise<AriOperations[K]['response']> {
    const space = op.indexOf(' ');
    const method = op.slice(0, space);
    const template = op.slice(space + 1);
    const url = this.url(template, params.path as Record<string, string> | undefined, params.query as Record<string, unknown> | undefined);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.o.credentials.mode === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${this.o.credentials.username}:${this.o.credentials.password}`).toString('base64')}`;
    }
    const body = params.body && Object.keys(params.body).length > 0 ? JSON.stringify(params.body) : undefined;
    if (body) headers['content-type'] = 'application/json';
    const idempotent = opts.idempotent ?? ['GET', 'PUT', 'DELETE', 'HEAD'].includes(method);
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs;

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        if (isTimeout(err)) throw this.error('PBX_TIMEOUT', `${op}: no reply within ${timeoutMs} ms`, undefined, err);
        if (attempt === 0 && idempotent && HANG_UP.test(describe(err))) {
          this.retries++;
          continue;
        }
        throw this.error('PBX_UNAVAILABLE', `${op}: ${describe(err)}`, undefined, err);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return (text ? JSON.parse(text) : undefined) as AriOperations[K]['response'];
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* not JSON */
      }
      throw this.error(STATUS_CODE[res.status] ?? (res.status >= 500 ? 'PBX_UNAVAILABLE' : 'PBX_REJECTED'), `${op}: ${res.status} ${message}`, res.status);
    }
  }

  /** The events WebSocket URL for `app` (ws: or wss:), with the api_key when that is the auth mode. */
  eventsUrl(app: string): string {
    const q: Record<string, string> = { app, subscribeAll: 'false' };
    return this.url('/events', undefined, q).replace(/^http/, 'ws');
  }

  /** Headers for the events WebSocket upgrade. */
  authHeaders(): Record<string, string> {
    const c = this.o.credentials;
    return c.mode === 'basic' ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` } : {};
  }

  private url(template: string, path: Record<string, string> | undefined, query: Record<string, unknown> | undefined): string {
    const p = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = path?.[name];
      if (v === undefined || v === '') throw this.error('INVALID_REQUEST', `missing path parameter ${name} for ${template}`);
      return encodeURIComponent(v);
    });
    const parts: string[] = [];
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      // allowMultiple parameters are comma-separated lists in ARI.
      const s = Array.isArray(v) ? v.join(',') : String(v);
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
    }
    if (this.o.credentials.mode === 'api_key') {
      parts.push(`api_key=${encodeURIComponent(`${this.o.credentials.username}:${this.o.credentials.password}`)}`);
    }
    return `${this.baseUrl}${p}${parts.length ? `?${parts.join('&')}` : ''}`;
  }

  private error(code: AdapterErrorCode, message: string, httpStatus?: number, cause?: unknown): AdapterError {
    return new AdapterError(code, message, { adapterId: this.o.adapterId, ...(httpStatus ? { httpStatus } : {}), cause });
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** The message of an error and its causes ("fetch failed: other side closed (UND_ERR_SOCKET)"). */
export function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { message?: string; code?: string };
    parts.push(`${x.message ?? String(e)}${x.code ? ` (${x.code})` : ''}`);
  }
  return parts.join(': ');
}
