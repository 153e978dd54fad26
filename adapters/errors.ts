/** Errors raised by PBX adapters. Branch on `code`, never on `message`. */

export type AdapterErrorCode =
  /** The call or leg no longer exists (hung up mid-command; ARI 404). A normal outcome. */
  | 'CALL_GONE'
  /** The PBX is not reachable right now. */
  | 'PBX_UNAVAILABLE'
  /** The PBX refused the request (bad parameters, wrong state). */
  | 'PBX_REJECTED'
  /** The PBX did not answer in time. */
  | 'PBX_TIMEOUT'
  /** The request itself is invalid (bad digit, unknown endpoint). */
  | 'INVALID_REQUEST';

export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  readonly code: AdapterErrorCode;
  readonly adapterId: string;
  readonly httpStatus: number | undefined;

  constructor(
    code: AdapterErrorCode,
    message: string,
    context: { adapterId: string; httpStatus?: number; cause?: unknown },
  ) {
    super(message, { cause: context.cause });
    this.code = code;
    this.adapterId = context.adapterId;
    this.httpStatus = context.httpStatus;
  }
}

export function isCallGone(err: unknown): boolean {
  return err instanceof AdapterError && err.code === 'CALL_GONE';
}
