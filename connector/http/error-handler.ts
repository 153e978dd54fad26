/** Turns every failure into `{ error: { code, message, fields? } }` with the right status. Nothing leaks a stack. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AdapterError } from '../../adapters/errors.js';
import { AppError } from '../errors.js';
import { AccountNotFoundError, CaseContactConflictError, ContactNotFoundError } from '../store/errors.js';

/**
 * PostgreSQL SQLSTATEs (Appendix A, "PostgreSQL Error Codes") that mean the database
 * could not be reached or is going away: class 08 (connection exception), 57P01-57P03
 * (admin / crash shutdown, cannot connect now), 53300 (too many connections).
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
/** Node's socket errors, which `pg` passes through when the server is down. */
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);
/** 22021 (a byte sequence invalid in the encoding: U+0000 in `text`), 22P05 (untranslatable character, in `jsonb`). */
const PG_BAD_TEXT = new Set(['22021', '22P05']);

/** Errors of the store (either database) that a request can cause, as coded errors. */
function storeError(err: unknown): AppError | null {
  if (err instanceof ContactNotFoundError) {
    return new AppError('CONTACT_NOT_FOUND', `No contact ${err.contactId}.`, { fields: { contactId: ['no such contact'] }, cause: err });
  }
  if (err instanceof AccountNotFoundError) return new AppError('VALIDATION_FAILED', `No account ${err.accountId}.`, { fields: { accountId: ['no such account'] }, cause: err });
  if (err instanceof CaseContactConflictError) return new AppError('VALIDATION_FAILED', err.message, { fields: { contactId: ['give contactId or newContact, not both'] }, cause: err });
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (PG_UNAVAILABLE.test(code) || SOCKET_UNAVAILABLE.has(code)) return new AppError('STORE_UNAVAILABLE', undefined, { cause: err });
  if (PG_BAD_TEXT.has(code)) return new AppError('VALIDATION_FAILED', 'A field holds a character the store cannot keep (U+0000).', { cause: err });
  return null;
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof AdapterError) {
    if (err.code === 'CALL_GONE') return new AppError('CALL_NOT_FOUND', err.message, { cause: err });
    if (err.code === 'INVALID_REQUEST') return new AppError('INVALID_DIGITS', err.message, { cause: err });
    if (err.code === 'PBX_UNAVAILABLE' || err.code === 'PBX_TIMEOUT') return new AppError('PBX_UNAVAILABLE', err.message, { cause: err });
    return new AppError('PBX_REJECTED', err.message, { cause: err });
  }
  // body-parser errors carry `type` and `status`.
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return new AppError('INVALID_JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError('VALIDATION_FAILED', 'Unsupported body encoding.');
  // Found by test/fuzz.test.ts: a path parameter with bad percent-encoding (`/api/cases/%zz`)
  // and a body that fails to inflate (gzip/br junk) were 500s.
  if (err instanceof URIError) return new AppError('VALIDATION_FAILED', 'The URL has bad percent-encoding.', { cause: err });
  const stored = storeError(err);
  if (stored) return stored;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError('VALIDATION_FAILED', 'The request could not be read.', { cause: err });
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    // A database that is down is worth a line in the log; the caller gets a 503 to retry.
    if (known?.code === 'STORE_UNAVAILABLE') log.warn({ err, method: req.method, path: req.path }, 'the database is not reachable');
    if (known) {
      res.status(known.httpStatus).json({ error: known.toBody() });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    const internal = new AppError('INTERNAL');
    res.status(internal.httpStatus).json({ error: internal.toBody() });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: new AppError('NOT_FOUND', `No route ${req.method} ${req.path}.`).toBody() });
};
