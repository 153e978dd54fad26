/**
 * Self-contained session tokens for the cluster: `<payload>.<signature>`, where payload is
 * base64url(JSON {u, iat, exp, jti}) and signature is base64url(HMAC-SHA256(secret, payload))
 * (RFC 2104; the same shape as a JWS compact token without its header, RFC 7515 section 3.1).
 * Any node holding the cluster secret checks one without I/O; revocation is kept elsewhere
 * (token-sessions.ts).
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export interface TokenClaims {
  /** The username. */
  u: string;
  /** Issued at, ms since the epoch. */
  iat: number;
  /** Expires at, ms since the epoch. */
  exp: number;
  /** The token's id: what a single revocation names. */
  jti: string;
}

/** HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104 section 3). */
export const MIN_SECRET_BYTES = 32;
/** An e-mail address fits (RFC 5321 section 4.5.3.1 allows 64 + 1 + 255 octets). */
export const MAX_USERNAME_CHARS = 320;
/** Bounds what verify even looks at; an issued token is far shorter. */
const MAX_TOKEN_CHARS = 2_048;
const SIGNATURE_CHARS = 43; // 32 bytes in unpadded base64url
const B64URL = /^[A-Za-z0-9_-]+$/;
export const JTI = /^[A-Za-z0-9_-]{16,64}$/;

const claims = z.strictObject({
  u: z.string().min(1).max(MAX_USERNAME_CHARS),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
  jti: z.string().regex(JTI),
});

export class TokenSigner {
  private readonly key: KeyObject;

  /** `secret`: at least 32 bytes (as UTF-8 when a string); every node of a cluster MUST use the same. */
  constructor(secret: string | Buffer) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (bytes.length < MIN_SECRET_BYTES) throw new RangeError(`the cluster session secret must be at least ${MIN_SECRET_BYTES} bytes`);
    this.key = createSecretKey(Buffer.from(bytes));
  }

  /** A fresh token id (128 random bits). */
  static newJti(): string {
    return randomBytes(16).toString('base64url');
  }

  sign(c: TokenClaims): string {
    const payload = Buffer.from(JSON.stringify({ u: c.u, iat: c.iat, exp: c.exp, jti: c.jti })).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /**
   * The claims of a token this secret signed, expired or not; null for anything else. Never
   * throws. The signature is compared in constant time and MUST be in its one canonical
   * encoding, so a token has exactly one spelling (sockets are matched by a hash of it).
   */
  parse(token: unknown): TokenClaims | null {
    try {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return null;
      const dot = token.indexOf('.');
      if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
      const payload = token.slice(0, dot);
      const signature = token.slice(dot + 1);
      if (signature.length !== SIGNATURE_CHARS || !B64URL.test(payload) || !B64URL.test(signature)) return null;
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== 32 || given.toString('base64url') !== signature) return null;
      if (!timingSafeEqual(this.mac(payload), given)) return null;
      const parsed = claims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
