/**
 * The two REST requests the adapter makes (Twilio's Calls resource, API version
 * 2010-04-01): creating an agent leg, and ending a call (`Status=completed`, or
 * `canceled` for one still ringing). Everything else rides on webhook answers.
 * HTTP Basic authentication with the Account SID and auth token; the token is never
 * put in an error message or a log.
 */
import { AdapterError } from '../errors.js';

export interface RestOptions {
  adapterId: string;
  baseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
}

export interface CallResource {
  sid: string;
  status: string;
}

/** Twilio's error body: `{ code, message, more_info, status }`. */
interface TwilioErrorBody {
  code?: number;
  message?: string;
}

/** Twilio error 21220: "Invalid parameter: Call is not in-progress" (a call already over). */
const NOT_IN_PROGRESS = 21220;

export class TwilioRestClient {
  constructor(private readonly o: RestOptions) {}

  private get callsUrl(): string {
    return `${this.o.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(this.o.accountSid)}/Calls`;
  }

  /** POST /Calls.json: an outbound call (an agent leg). */
  createCall(form: Array<[string, string]>): Promise<CallResource> {
    return this.post(`${this.callsUrl}.json`, form, 'create a call');
  }

  /** POST /Calls/{Sid}.json with `Status`: ends a call. A call already over is fine. */
  async endCall(callSid: string, status: 'completed' | 'canceled'): Promise<void> {
    try {
      await this.post(`${this.callsUrl}/${encodeURIComponent(callSid)}.json`, [['Status', status]], `end call ${callSid}`);
    } catch (err) {
      if (err instanceof AdapterError && err.code === 'CALL_GONE') return;
      throw err;
    }
  }

  private async post(url: string, form: Array<[string, string]>, what: string): Promise<CallResource> {
    const auth = Buffer.from(`${this.o.accountSid}:${this.o.authToken}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      throw new AdapterError(timeout ? 'PBX_TIMEOUT' : 'PBX_UNAVAILABLE', `Twilio REST API: cannot ${what}: ${timeout ? `no answer within ${this.o.timeoutMs} ms` : ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`, {
        adapterId: this.o.adapterId,
        cause: err,
      });
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (res.ok) {
      const b = body as Partial<CallResource> | null;
      return { sid: String(b?.sid ?? ''), status: String(b?.status ?? '') };
    }
    const e = (body ?? {}) as TwilioErrorBody;
    const detail = `${res.status}${e.code ? ` (Twilio error ${e.code})` : ''}${e.message ? `: ${e.message}` : ''}`;
    const ctx = { adapterId: this.o.adapterId, httpStatus: res.status };
    if (res.status === 404 || e.code === NOT_IN_PROGRESS) throw new AdapterError('CALL_GONE', `Twilio REST API: cannot ${what}: ${detail}`, ctx);
    if (res.status === 401 || res.status === 403) throw new AdapterError('PBX_REJECTED', `Twilio REST API refused the credentials (${detail}): check accountSid and the auth token`, ctx);
    if (res.status === 429 || res.status >= 500) throw new AdapterError('PBX_UNAVAILABLE', `Twilio REST API: cannot ${what}: ${detail}`, ctx);
    throw new AdapterError('PBX_REJECTED', `Twilio REST API: cannot ${what}: ${detail}`, ctx);
  }
}
