/**
 * Login sessions: opaque random bearer tokens. Only a SHA-256 of each token is
 * stored, so a copy of the database does not hand out sessions. Tokens expire
 * and can be revoked; they survive a restart (agents stay logged in).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/db.js';
import type { IssuedToken, SessionStoreLike } from './session-store.js';

export type { IssuedToken } from './session-store.js';

/** The stored form of a token. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
const hash = tokenHash;

export class SessionStore implements SessionStoreLike {
  private readonly insert;
  private readonly find;
  private readonly revokeOne;
  private readonly purge;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {
    this.insert = db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)');
    this.find = db.prepare<[string], { username: string; expires_at: string; revoked_at: string | null }>(
      'SELECT username, expires_at, revoked_at FROM sessions WHERE token_hash = ?',
    );
    this.revokeOne = db.prepare('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL');
    this.purge = db.prepare('DELETE FROM sessions WHERE expires_at < ?');
  }

  issue(username: string, now = Date.now()): IssuedToken {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + this.ttlMs).toISOString();
    this.insert.run(hash(token), username, new Date(now).toISOString(), expiresAt);
    return { token, expiresAt };
  }

  /** The user a token belongs to, or null when unknown, expired or revoked. */
  verify(token: unknown, now = Date.now()): string | null {
    return this.session(token, now)?.username ?? null;
  }

  /** The session of a valid token, with its expiry. */
  session(token: unknown, now = Date.now()): { username: string; expiresAtMs: number } | null {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) return null;
    const row = this.find.get(hash(token));
    if (!row || row.revoked_at !== null || Date.parse(row.expires_at) <= now) return null;
    return { username: row.username, expiresAtMs: Date.parse(row.expires_at) };
  }

  revoke(token: string, now = Date.now()): void {
    this.revokeOne.run(new Date(now).toISOString(), hash(token));
  }

  /** Revokes every session of a user ("log out everywhere"). */
  revokeUser(username: string, now = Date.now()): void {
    this.db.prepare('UPDATE sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL').run(new Date(now).toISOString(), username);
  }

  /** Revokes the sessions of users no longer configured (called at start-up). */
  revokeAllExcept(usernames: readonly string[], now = Date.now()): void {
    this.db
      .prepare(`UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND username NOT IN (SELECT value FROM json_each(?))`)
      .run(new Date(now).toISOString(), JSON.stringify(usernames));
  }

  /** Drops long-expired rows; called at start-up. */
  purgeExpired(now = Date.now()): void {
    this.purge.run(new Date(now - 24 * 3600_000).toISOString());
  }
}
