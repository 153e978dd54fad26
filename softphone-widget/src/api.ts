/**
 * The connector's REST API as the widget uses it. Same origin as the page.
 * Every failure is a value with a literal `name`: `ApiError` (the server answered
 * with an error body) or `NetworkError` (no answer at all; the request may or may
 * not have been applied, so only idempotent retries are safe).
 */
import type { AgentSnapshot, CaseStatus, CaseType, ErrorBody } from '../../connector/protocol.js';
import type { CaseRecord } from '../../connector/store/types.js';

export const API_BASE = '/api';

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

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  agent: AgentSnapshot;
}

/**
 * Body of `POST /api/cases`, derived from the server's own zod schema (types only:
 * nothing of zod reaches the bundle), so the two cannot drift. The server fills the
 * call's fields (ANI, DNIS, queue, IVR path, times).
 */
import type { CreateCaseRequest } from '../../connector/cases/case-schema.js';
export type { CreateCaseRequest };

export interface CaseQuery {
  agent?: string;
  contactId?: number;
  phone?: string;
  type?: CaseType;
  status?: CaseStatus;
  limit?: number;
}

export interface ApiClientOptions {
  /** The bearer token of the signed-in agent, or null. */
  getToken(): string | null;
  /** Called when an authenticated request got 401 (token expired or revoked). */
  onUnauthorized(): void;
}

export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  login(username: string, password: string): Promise<LoginResult> {
    return this.request<LoginResult>('POST', '/auth/login', { body: { username, password }, auth: false });
  }

  /** Revokes `token` (passed explicitly: the widget forgets it before the request ends). */
  async logout(token: string): Promise<void> {
    await this.request<void>('POST', '/auth/logout', { token, quietUnauthorized: true });
  }

  async me(): Promise<AgentSnapshot> {
    return (await this.request<{ agent: AgentSnapshot }>('GET', '/me')).agent;
  }

  /** Creates a case. `replayed` is true when the server had already saved this Idempotency-Key. */
  async createCase(body: CreateCaseRequest, idempotencyKey: string): Promise<{ record: CaseRecord; replayed: boolean }> {
    const res = await this.send('POST', '/cases', { body, headers: { 'Idempotency-Key': idempotencyKey } });
    return { record: (await res.json()) as CaseRecord, replayed: res.status === 200 };
  }

  /** Click-to-dial (desk-phone mode): the PBX rings the agent's phone, then `number`. */
  dial(number: string): Promise<{ callId: string; to: string }> {
    return this.request<{ callId: string; to: string }>('POST', '/calls/dial', { body: { number } });
  }

  /** The origins allowed to embed the widget and talk to it with postMessage (public). */
  async embedConfig(): Promise<{ allowedOrigins: string[] }> {
    return this.request<{ allowedOrigins: string[] }>('GET', '/embed/config', { auth: false });
  }

  async listCases(query: CaseQuery): Promise<CaseRecord[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    return (await this.request<{ cases: CaseRecord[] }>('GET', `/cases?${params.toString()}`)).cases;
  }

  private async request<T>(method: string, path: string, opts: SendOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async send(method: string, path: string, opts: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    const token = opts.auth === false ? null : (opts.token ?? this.opts.getToken());
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${API_BASE}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        cache: 'no-store',
      });
    } catch (cause) {
      throw new NetworkError('The server could not be reached.', { cause });
    }
    if (res.ok) return res;
    const error = await readError(res);
    if (res.status === 401 && token && !opts.quietUnauthorized) this.opts.onUnauthorized();
    throw new ApiError(res.status, error.code, error.message, error.fields);
  }
}

interface SendOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this token instead of the current one. */
  token?: string;
  /** false: send no token (login). */
  auth?: boolean;
  /** Do not report a 401 (logout of an already dead token). */
  quietUnauthorized?: boolean;
}

async function readError(res: Response): Promise<ErrorBody> {
  try {
    const body = (await res.json()) as { error?: ErrorBody };
    if (body.error && typeof body.error.code === 'string') return body.error;
  } catch {
    // Not JSON (a proxy's error page): fall through.
  }
  return { code: `HTTP_${res.status}`, message: `The server answered ${res.status} ${res.statusText}.` };
}
