/**
 * What the cluster bus writes on its Redis channels: one JSON envelope per message, version 1.
 * Every incoming message is parsed here; anything that is not a well-formed envelope is junk
 * (`null`), never an exception, whoever put it on the channel.
 */
import { z } from 'zod';
import { AppError, ERROR_CATALOG, type ErrorCode } from '../errors.js';

/** Node ids travel in channel and key names: short, printable, no spaces or wildcards. */
export const NODE_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** Larger messages are refused on send and dropped on receipt (Redis itself allows 512 MB). */
export const MAX_MESSAGE_CHARS = 1_048_576;
/** The longest request timeout a node accepts (and so keeps a reply deadline for). */
export const MAX_TIMEOUT_MS = 600_000;

const nodeId = z.string().regex(NODE_ID);
const name = z.string().min(1).max(200);

const wireError = z.object({
  code: z.string().min(1).max(100),
  message: z.string().max(10_000),
  fields: z.record(z.string(), z.array(z.string())).optional(),
});
export type WireError = z.infer<typeof wireError>;

const outcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: wireError }),
]);
export type Outcome = z.infer<typeof outcome>;

const envelope = z.discriminatedUnion('k', [
  /** A request, on the target node's channel. */
  z.object({
    v: z.literal(1),
    k: z.literal('req'),
    id: z.string().min(1).max(100),
    from: nodeId,
    method: name,
    payload: z.unknown().optional(),
    timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS),
  }),
  /** The reply to request `id`, on the requester's channel. */
  z.object({ v: z.literal(1), k: z.literal('res'), id: z.string().min(1).max(100), from: nodeId, outcome }),
  /** A broadcast, on the shared channel; `self: false` means the sender skips it. */
  z.object({ v: z.literal(1), k: z.literal('pub'), from: nodeId, topic: name, msg: z.unknown().optional(), self: z.boolean() }),
  /** The sender is closing (its heartbeat key is already gone). */
  z.object({ v: z.literal(1), k: z.literal('bye'), from: nodeId }),
]);
export type Envelope = z.infer<typeof envelope>;

/** The envelope in `text`, or why it is junk. */
export function decode(text: string): { ok: true; env: Envelope } | { ok: false; why: string } {
  if (text.length > MAX_MESSAGE_CHARS) return { ok: false, why: `over ${MAX_MESSAGE_CHARS} characters` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return { ok: false, why: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { ok: true, env: parsed.data };
}

/**
 * The JSON of `env`. Throws an AppError when it cannot travel: not serializable (a BigInt, a
 * cycle) is INTERNAL, too large is PAYLOAD_TOO_LARGE.
 */
export function encode(env: Envelope): string {
  let text: string;
  try {
    text = JSON.stringify(env);
  } catch (err) {
    throw new AppError('INTERNAL', `cluster bus: the message cannot be serialized: ${(err as Error).message}`, { cause: err });
  }
  if (text.length > MAX_MESSAGE_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', `cluster bus: message over ${MAX_MESSAGE_CHARS} characters`);
  return text;
}

/** How a handler's failure travels: an AppError keeps its code and message; anything else is INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) };
  return { code: 'INTERNAL', message: ERROR_CATALOG.INTERNAL.text };
}

/** The AppError a reply carries; a code this node does not know (a newer peer) becomes INTERNAL. */
export function fromWireError(e: WireError, from: string): AppError {
  const known = Object.hasOwn(ERROR_CATALOG, e.code);
  const code = (known ? e.code : 'INTERNAL') as ErrorCode;
  return new AppError(code, known ? e.message : `node ${from} replied ${e.code}: ${e.message}`, e.fields ? { fields: e.fields } : {});
}
