/**
 * Structured logs (pino) in which phone numbers never appear in clear: fields
 * that carry numbers are masked by name, and any number-like run in a message
 * or other string field is masked by shape.
 */
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskPhone, maskPhonesInText } from './phone/mask.js';

/** Fields that hold a phone number, whatever else they look like. */
const PHONE_FIELDS = new Set(['ani', 'aniRaw', 'aniE164', 'from', 'to', 'dnis', 'phone', 'phoneRaw', 'phoneE164', 'e164', 'number']);

function mask(value: unknown, key: string | null, depth: number): unknown {
  if (typeof value === 'string') return key !== null && PHONE_FIELDS.has(key) ? maskPhone(value) : maskPhonesInText(value);
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, null, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = mask(v, k, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      formatters: { log: (obj) => mask(obj, null, 0) as Record<string, unknown> },
      // Error texts come from anywhere (a PBX reply, SQLite): mask them too.
      serializers: {
        err: (e: Error) => {
          const out = stdSerializers.err(e) as unknown as Record<string, unknown>;
          for (const k of ['message', 'stack']) if (typeof out[k] === 'string') out[k] = maskPhonesInText(out[k] as string);
          return out;
        },
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPhonesInText(a) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
    },
    destination,
  );
}

export type { Logger };
