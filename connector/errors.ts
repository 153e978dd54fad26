/**
 * The connector's error catalog. Every error has a stable `code` (clients and
 * tests branch on it, never on `message`) and the HTTP status it maps to.
 * Plan: codes are UPPER_SNAKE, grouped by area; changing one is a breaking change.
 */
import type { ErrorBody } from './protocol.js';

export const ERROR_CATALOG = {
  // Request shape
  INVALID_JSON: { status: 400, text: 'The request body is not valid JSON.' },
  VALIDATION_FAILED: { status: 400, text: 'Some fields are missing or invalid; see `fields`.' },
  PAYLOAD_TOO_LARGE: { status: 413, text: 'The request body is too large.' },
  NOT_FOUND: { status: 404, text: 'No such resource.' },
  // Auth
  UNAUTHORIZED: { status: 401, text: 'A valid bearer token is required.' },
  INVALID_CREDENTIALS: { status: 401, text: 'Unknown user name or wrong password.' },
  FORBIDDEN: { status: 403, text: 'Your role does not allow this.' },
  TOO_MANY_ATTEMPTS: { status: 429, text: 'Too many failed logins; try again later (see Retry-After).' },
  // Calls and cases
  CALL_NOT_FOUND: { status: 404, text: 'No call with that id.' },
  /** A callId in a request body that names no call (the body is unprocessable, not the URL). */
  UNKNOWN_CALL: { status: 422, text: 'The callId names no call.' },
  CALL_NOT_OFFERED: { status: 409, text: 'The call is not offered to you (taken, withdrawn, or ended).' },
  CALL_NOT_ACTIVE: { status: 409, text: 'You are not on that call.' },
  AGENT_BUSY: { status: 409, text: 'The agent is on a call or in after-call work.' },
  CONTACT_NOT_FOUND: { status: 422, text: 'No contact with that id.' },
  CASE_NOT_FOUND: { status: 404, text: 'No case with that number.' },
  CASE_CLOSED: { status: 409, text: 'The case is closed; reopen it first.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, text: 'That Idempotency-Key was used for a different request.' },
  // Admin
  AGENT_NOT_FOUND: { status: 404, text: 'No agent with that username.' },
  AGENT_EXISTS: { status: 409, text: 'An agent with that username exists.' },
  LAST_ADMIN: { status: 409, text: 'The last enabled admin cannot be disabled or lose the admin role.' },
  // PBX
  PBX_UNAVAILABLE: { status: 503, text: 'The PBX is not reachable.' },
  PBX_REJECTED: { status: 502, text: 'The PBX refused the request.' },
  /** A text prompt could not be rendered to audio (the TTS engine is missing or failed). */
  PROMPT_UNAVAILABLE: { status: 503, text: 'The prompt audio could not be rendered.' },
  INVALID_DIGITS: { status: 400, text: 'Digits must be DTMF keys: 0-9, *, #, A-D.' },
  // Cluster (node-to-node bus over Redis, connector/cluster/)
  /** The target node has no heartbeat (down or never started), or went down while the request was open. */
  NODE_UNREACHABLE: { status: 503, text: 'The cluster node is not reachable.' },
  /** No reply within the request's own timeout; the handler may still have run. */
  NODE_TIMEOUT: { status: 504, text: 'The cluster node did not reply in time.' },
  /** The target node has no handler for the method (a version mismatch between nodes). */
  NODE_METHOD_UNKNOWN: { status: 501, text: 'The cluster node does not handle that request.' },
  /** Redis, which carries the bus, did not take the message in time (it is down or reconnecting). */
  BUS_UNAVAILABLE: { status: 503, text: 'The cluster bus is not reachable.' },
  BUS_CLOSED: { status: 503, text: 'The cluster bus is closed.' },
  // Store (scale-out mode: PostgreSQL, connector/store/pg/)
  /** The shared database did not answer or refused the connection; nothing was written. */
  STORE_UNAVAILABLE: { status: 503, text: 'The database is not reachable; try again.' },
  // Everything else
  INTERNAL: { status: 500, text: 'Something went wrong on our side; it was logged.' },
} as const satisfies Record<string, { status: number; text: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly fields: Record<string, string[]> | undefined;

  constructor(code: ErrorCode, message?: string, opts: { fields?: Record<string, string[]>; cause?: unknown } = {}) {
    super(message ?? ERROR_CATALOG[code].text, { cause: opts.cause });
    this.code = code;
    this.httpStatus = ERROR_CATALOG[code].status;
    this.fields = opts.fields;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

/** A configuration that cannot be used; `problems` holds one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  readonly problems: string[];

  constructor(problems: string[], opts: { cause?: unknown } = {}) {
    super(`invalid configuration:\n${problems.join('\n')}`, { cause: opts.cause });
    this.problems = problems;
  }
}
