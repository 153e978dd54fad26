/**
 * What the connector needs of a login-session store. Two implement it: `SessionStore`
 * (./sessions.ts, SQLite, one process) and `ClusterSessionStore` (../cluster/token-sessions.ts,
 * signed tokens with revocations shared through Redis, several processes).
 *
 * Every method is synchronous: a request is authenticated without waiting on I/O. `now` is
 * injectable for tests; it defaults to `Date.now()`.
 */

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

export interface SessionInfo {
  username: string;
  expiresAtMs: number;
}

export interface SessionStoreLike {
  /** A new bearer token for `username`, valid for the store's TTL. */
  issue(username: string, now?: number): IssuedToken;
  /** The user a token belongs to; null when it is malformed, unknown, expired or revoked. It MUST NOT throw, whatever `token` is. */
  verify(token: unknown, now?: number): string | null;
  /** Like `verify`, with the expiry (sockets close when it passes). */
  session(token: unknown, now?: number): SessionInfo | null;
  /** From now on the token MUST NOT verify (on every node, for a shared store, within its propagation delay). */
  revoke(token: string, now?: number): void;
  /** Revokes every session of `username` issued up to now ("log out everywhere", a disabled user). */
  revokeUser(username: string, now?: number): void;
  /** Revokes the sessions of every user not in `usernames` (start-up: users removed from the config). */
  revokeAllExcept(usernames: readonly string[], now?: number): void;
  /** Drops records that can no longer matter (expired sessions); housekeeping only. */
  purgeExpired(now?: number): void;
}

/** The bearer token a socket.io client sent in its handshake (`auth: { token }`), or undefined. */
export function handshakeToken(socket: { handshake: { auth: unknown } }): unknown {
  const auth = socket.handshake.auth;
  return typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
}
