/**
 * What an Event Socket command can come back with besides its result. These are
 * values, returned (never thrown) by the connection: each has a literal `name` to
 * branch on and its context as readonly fields. The adapter turns them into
 * `AdapterError`s at its edge.
 */

/** No reply (or no BACKGROUND_JOB) within the command's timeout. A late reply is discarded. */
export class EslTimeout extends Error {
  override readonly name = 'EslTimeout';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    /** `reply`: the command/reply or api/response never came; `job`: the bgapi job never finished. */
    readonly stage: 'reply' | 'job',
  ) {
    super(`${command}: no ${stage === 'job' ? 'BACKGROUND_JOB' : 'reply'} within ${timeoutMs} ms`);
  }
}

/** The socket closed (or was never open) before the command finished. */
export class EslClosed extends Error {
  override readonly name = 'EslClosed';
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`${command}: the event socket closed (${reason})`);
  }
}

/** FreeSWITCH answered `-ERR ...` (or `-USAGE: ...`): in the reply, the api output or the job's body. */
export class EslRejected extends Error {
  override readonly name = 'EslRejected';
  constructor(
    readonly command: string,
    /** FreeSWITCH's own text, trimmed, e.g. `-ERR No Such Channel!`. */
    readonly reply: string,
  ) {
    super(`${command}: ${reply}`);
  }
}

/** A command we refuse to send: it would break the framing (a line break) or is empty. */
export class EslBadCommand extends Error {
  override readonly name = 'EslBadCommand';
  constructor(readonly command: string) {
    super(`refusing to send a command with a line break or nothing in it: ${JSON.stringify(command.slice(0, 80))}`);
  }
}

export type EslFailure = EslTimeout | EslClosed | EslRejected | EslBadCommand;

/** Connecting failed: TCP, the handshake, the password, the event subscription. */
export class EslConnectFailed extends Error {
  override readonly name = 'EslConnectFailed';
  constructor(
    readonly stage: 'tcp' | 'auth/request' | 'auth' | 'subscribe',
    message: string,
    /** FreeSWITCH's reply when it refused (`-ERR invalid` for a wrong password). */
    readonly reply: string | null = null,
  ) {
    super(message);
  }
}

export function isEslFailure(v: unknown): v is EslFailure {
  return v instanceof EslTimeout || v instanceof EslClosed || v instanceof EslRejected || v instanceof EslBadCommand;
}
