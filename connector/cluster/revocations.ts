/**
 * The revocations a node knows, in memory, and how each is written in Redis. Revocations only
 * add up (a token stays revoked, a cut only moves later), so merging two views is their union
 * and the order in which they arrive does not matter.
 *
 * In Redis, three sorted sets (scores are ms since the epoch):
 * - `<prefix>sess:revoked`: member `<jti>:<username>`, score the token's expiry;
 * - `<prefix>sess:user-cut`: member the username, score the cut ("issued at or before: revoked");
 * - `<prefix>sess:except-cut`: member the JSON of the sorted kept usernames, score the cut.
 */
import { z } from 'zod';
import { JTI, MAX_USERNAME_CHARS, type TokenClaims } from './session-token.js';

export const username = z.string().min(1).max(MAX_USERNAME_CHARS);
const time = z.number().int().nonnegative();

export const revocation = z.discriminatedUnion('k', [
  /** One token. */
  z.object({ k: z.literal('token'), jti: z.string().regex(JTI), exp: time, u: username }),
  /** Every token of `u` issued at or before `cut`. */
  z.object({ k: z.literal('user'), u: username, cut: time }),
  /** Every token of everyone not in `except` issued at or before `cut`. */
  z.object({ k: z.literal('except'), except: z.array(username).max(100_000), cut: time }),
]);
export type Revocation = z.infer<typeof revocation>;

export type RevocationSet = 'revoked' | 'user-cut' | 'except-cut';

/** Where a revocation lives in Redis: its sorted set, member and score. */
export function toEntry(r: Revocation): { set: RevocationSet; member: string; score: number } {
  if (r.k === 'token') return { set: 'revoked', member: `${r.jti}:${r.u}`, score: r.exp };
  if (r.k === 'user') return { set: 'user-cut', member: r.u, score: r.cut };
  return { set: 'except-cut', member: JSON.stringify(r.except), score: r.cut };
}

/** The revocation an entry read from Redis holds, or null when it is junk. */
export function fromEntry(set: RevocationSet, member: string, score: number): Revocation | null {
  let candidate: unknown;
  if (set === 'revoked') {
    const colon = member.indexOf(':');
    candidate = { k: 'token', jti: member.slice(0, colon), u: member.slice(colon + 1), exp: score };
  } else if (set === 'user-cut') {
    candidate = { k: 'user', u: member, cut: score };
  } else {
    try {
      candidate = { k: 'except', except: JSON.parse(member) as unknown, cut: score };
    } catch {
      return null;
    }
  }
  const parsed = revocation.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

export class Revocations {
  /** jti -> the token's user and expiry. */
  private readonly tokens = new Map<string, { u: string; exp: number }>();
  /** username -> cut. */
  private readonly users = new Map<string, number>();
  /** JSON of the sorted kept list -> its cut and the list as a set. */
  private readonly excepts = new Map<string, { cut: number; except: ReadonlySet<string> }>();

  /** Whether the claims of a genuine, unexpired token are revoked. */
  refuses(c: TokenClaims): boolean {
    if (this.tokens.has(c.jti)) return true;
    if (c.iat <= (this.users.get(c.u) ?? -1)) return true;
    for (const e of this.excepts.values()) if (c.iat <= e.cut && !e.except.has(c.u)) return true;
    return false;
  }

  /** Merges one revocation; true when it added something. */
  add(r: Revocation): boolean {
    switch (r.k) {
      case 'token':
        if (this.tokens.has(r.jti)) return false;
        this.tokens.set(r.jti, { u: r.u, exp: r.exp });
        return true;
      case 'user':
        if ((this.users.get(r.u) ?? -1) >= r.cut) return false;
        this.users.set(r.u, r.cut);
        return true;
      case 'except': {
        const id = JSON.stringify(r.except);
        if ((this.excepts.get(id)?.cut ?? -1) >= r.cut) return false;
        this.excepts.set(id, { cut: r.cut, except: new Set(r.except) });
        return true;
      }
    }
  }

  /** Everything known, to push to Redis. */
  *all(): Generator<Revocation> {
    for (const [jti, t] of this.tokens) yield { k: 'token', jti, u: t.u, exp: t.exp };
    for (const [u, cut] of this.users) yield { k: 'user', u, cut };
    for (const [id, e] of this.excepts) yield { k: 'except', except: JSON.parse(id) as string[], cut: e.cut };
  }

  /**
   * Drops what can no longer refuse anything: revoked tokens past their expiry, and cuts older
   * than `ttlMs` (a token issued before them has expired: verify refuses exp - iat > ttl).
   */
  prune(now: number, ttlMs: number): void {
    const floor = now - ttlMs;
    for (const [jti, t] of this.tokens) if (t.exp <= now) this.tokens.delete(jti);
    for (const [u, cut] of this.users) if (cut < floor) this.users.delete(u);
    for (const [id, e] of this.excepts) if (e.cut < floor) this.excepts.delete(id);
  }
}
