/**
 * Authenticating a PBX's event request: a bearer token, or an HMAC-SHA256 of the
 * timestamp and the exact body (`X-Switchboard-Signature: sha256=<hex>` over
 * `<X-Switchboard-Timestamp>.<body>`), compared in constant time. The timestamp
 * bounds replays to five minutes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REPLAY_WINDOW_MS = 5 * 60_000;

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export type AuthResult = { ok: true } | { ok: false; reason: string };

export function checkBearer(expected: string, header: string | undefined): AuthResult {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return { ok: false, reason: 'missing bearer token' };
  return same(m[1], expected) ? { ok: true } : { ok: false, reason: 'wrong token' };
}

export function checkSignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: string,
  now = Date.now(),
): AuthResult {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: 'missing X-Switchboard-Signature or X-Switchboard-Timestamp' };
  const ts = Number(headers.timestamp);
  // Seconds or milliseconds since the epoch.
  const ms = ts < 1e12 ? ts * 1000 : ts;
  if (!Number.isFinite(ms) || Math.abs(now - ms) > REPLAY_WINDOW_MS) return { ok: false, reason: 'timestamp outside the 5-minute window' };
  return same(sign(secret, headers.timestamp, rawBody), headers.signature) ? { ok: true } : { ok: false, reason: 'bad signature' };
}
