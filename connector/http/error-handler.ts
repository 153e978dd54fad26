/** Turns every failure into `{ error: { code, message, fields? } }` with the right status. Nothing leaks a stack. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AdapterError } from '../../adapters/errors.js';
import { AppError } from '../errors.js';

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
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError('VALIDATION_FAILED', 'The request could not be read.', { cause: err });
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
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
