/**
 * The console pages' access to the REST API: one signed-in session per browser
 * tab (sessionStorage, shared by /admin/ and /reports/), bearer token on every
 * request, errors as `ApiError` values with the server's code. A 401 ends the
 * session and asks the page to show the sign-in form again.
 */
import type { ErrorBody } from '../../connector/protocol.js';

const KEY = 'switchboard.console.session';

export interface ConsoleSession {
  token: string;
  username: string;
  displayName: string;
  expiresAt: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string[]>> = {},
  ) {
    super(message);
  }
}

let onSignedOut: () => void = () => {};

/** What to do when the server says the token is no longer valid. */
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

export function session(): ConsoleSession | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as ConsoleSession | null;
    return s && Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

function forget(): void {
  sessionStorage.removeItem(KEY);
}

export async function signIn(username: string, password: string): Promise<ConsoleSession> {
  const r = await send('POST', '/api/auth/login', { body: { username, password }, auth: false });
  const body = (await r.json()) as { token: string; expiresAt: string; agent: { username: string; displayName: string } };
  const s = { token: body.token, expiresAt: body.expiresAt, username: body.agent.username, displayName: body.agent.displayName };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export async function signOut(): Promise<void> {
  const s = session();
  forget();
  if (s) await fetch('/api/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } }).catch(() => undefined);
}

interface SendOptions {
  body?: unknown;
  /** Raw text body (a flow file). */
  text?: string;
  contentType?: string;
  auth?: boolean;
}

export async function send(method: string, path: string, opts: SendOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.auth === false ? null : session()?.token;
  if (token) headers['authorization'] = `Bearer ${token}`;
  let payload: string | null = null;
  if (opts.text !== undefined) {
    payload = opts.text;
    headers['content-type'] = opts.contentType ?? 'application/yaml';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
  }
  if (res.ok) return res;
  let error: ErrorBody = { code: `HTTP_${res.status}`, message: `The server answered ${res.status}.` };
  try {
    const b = (await res.json()) as { error?: ErrorBody };
    if (b.error?.code) error = b.error;
  } catch {
    // not JSON
  }
  if (res.status === 401 && token) {
    forget();
    onSignedOut();
  }
  throw new ApiError(res.status, error.code, error.message, error.fields);
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

/** Downloads an authenticated file (CSV): a plain link cannot carry the bearer token. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send('GET', path, {});
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
