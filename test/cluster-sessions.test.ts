/**
 * ClusterSessionStore against the real Redis: a token issued on one node verifies on another,
 * synchronously; revocations reach the other nodes within a bounded time and survive into nodes
 * started later; forged, tampered and junk tokens are refused. The same expiry and revocation
 * rules as the SQLite SessionStore (run side by side).
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../connector/auth/sessions.js';
import type { SessionStoreLike } from '../connector/auth/session-store.js';
import { TokenSigner } from '../connector/cluster/session-token.js';
import { ClusterSessionStore, type RemoteRevocation } from '../connector/cluster/token-sessions.js';
import { openDatabase } from '../connector/store/db.js';
import { captureLog, dropKeys, redisConnection, testPrefix, waitFor, type LogLine } from './helpers/cluster.js';
import { ensureRedis } from './helpers/services.js';

const prefix = testPrefix('sessions');
/** The parity test runs in 1970 (fixed times): the revocations of the other tests, made now, would cover it. */
const parityPrefix = testPrefix('sessions-parity');
const SECRET = 'a cluster secret of at least thirty-two bytes';
const TTL_MS = 60_000;
/** How long a revocation may take to reach another node in these tests. */
const PROPAGATION_MS = 2_000;

const stores: ClusterSessionStore[] = [];
let lines: LogLine[] = [];

async function node(opts: { secret?: string; prefix?: string } = {}): Promise<ClusterSessionStore> {
  const logged = captureLog();
  lines = logged.lines;
  const store = new ClusterSessionStore({ redis: redisConnection(), secret: opts.secret ?? SECRET, ttlMs: TTL_MS, log: logged.log, prefix: opts.prefix ?? prefix });
  stores.push(store);
  await store.start();
  return store;
}

beforeAll(async () => {
  await ensureRedis();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await dropKeys(prefix);
  await dropKeys(parityPrefix);
});

describe('across nodes', () => {
  it('a token issued on A verifies on B, synchronously, with its expiry', async () => {
    const a = await node();
    const b = await node();
    const { token, expiresAt } = a.issue('alice');
    const verified = b.verify(token);
    expect(verified).not.toBeInstanceOf(Promise);
    expect(verified).toBe('alice');
    expect(b.session(token)).toEqual({ username: 'alice', expiresAtMs: Date.parse(expiresAt) });
    // Same shape as the SQLite store's: a base64url payload and a 43-character signature.
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('revoke on A: refused on B within a bounded time; the user\'s other tokens still work', async () => {
    const a = await node();
    const b = await node();
    const heard: RemoteRevocation[] = [];
    b.onRemoteRevocation((r) => heard.push(r));
    const first = a.issue('alice');
    const second = a.issue('alice');
    expect(b.verify(first.token)).toBe('alice');
    const started = Date.now();
    a.revoke(first.token);
    expect(a.verify(first.token)).toBeNull(); // on the revoking node, at once
    await waitFor(() => b.verify(first.token) === null, 'B refuses the revoked token', PROPAGATION_MS);
    expect(Date.now() - started).toBeLessThan(PROPAGATION_MS);
    expect(b.verify(second.token)).toBe('alice');
    expect(heard).toEqual([{ kind: 'token', username: 'alice', jti: expect.any(String) as string }]);
    expect(a.unsent).toBe(0);
  });

  it('revokeUser on B ends every token of the user issued so far, on A too; a later login works', async () => {
    const a = await node();
    const b = await node();
    const t1 = a.issue('bob').token;
    const t2 = b.issue('bob').token;
    const carol = a.issue('carol').token;
    const now = Date.now();
    b.revokeUser('bob', now);
    await waitFor(() => a.verify(t1) === null && a.verify(t2) === null, 'A refuses both of bob\'s tokens', PROPAGATION_MS);
    expect(b.verify(t1)).toBeNull();
    expect(a.verify(carol)).toBe('carol');
    const later = a.issue('bob', now + 1).token;
    expect(b.verify(later, now + 2)).toBe('bob');
  });

  it('revokeAllExcept ends the tokens of everyone not listed, on every node', async () => {
    const a = await node();
    const b = await node();
    const kept = a.issue('alice').token;
    const dropped = a.issue('mallory').token;
    b.revokeAllExcept(['alice', 'bob']);
    await waitFor(() => a.verify(dropped) === null, 'A refuses mallory', PROPAGATION_MS);
    expect(a.verify(kept)).toBe('alice');
    expect(b.verify(kept)).toBe('alice');
  });

  it('a node started later loads the revocations already made', async () => {
    const a = await node();
    const token = a.issue('dave').token;
    const other = a.issue('erin').token;
    a.revoke(token);
    a.revokeUser('erin');
    await waitFor(() => a.unsent === 0, 'A stored its revocations');
    const late = await node();
    expect(late.verify(token)).toBeNull();
    expect(late.verify(other)).toBeNull();
    expect(late.verify(a.issue('dave').token)).toBe('dave');
  });

  it('junk on the events channel is logged and dropped', async () => {
    const a = await node();
    const b = await node();
    const raw = redisConnection();
    try {
      for (const junk of ['nope', '{}', JSON.stringify({ v: 1, origin: 'x', r: { k: 'user', u: '', cut: 1 } }), JSON.stringify({ v: 1, origin: 'x', r: { k: 'token', jti: 'short', exp: 1, u: 'a' } })]) {
        await raw.publish(`${prefix}sess:events`, junk);
      }
    } finally {
      raw.disconnect();
    }
    const token = b.issue('frank').token;
    a.revoke(token);
    // Events arrive in order: the revocation after the junk means the junk was handled.
    await waitFor(() => b.verify(token) === null, 'B refuses the token revoked after the junk', PROPAGATION_MS);
    expect(lines.filter((l) => l.msg === 'cluster sessions: dropped a malformed revocation event')).toHaveLength(4);
  });
});

describe('tokens that are not ours', () => {
  it('tampered, forged, over-long-lived, malformed and non-string tokens are refused, never thrown on', async () => {
    const a = await node();
    const { token } = a.issue('alice');
    const [payload, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const asAdmin = Buffer.from(JSON.stringify({ ...claims, u: 'admin' })).toString('base64url');
    const forger = new TokenSigner('another secret of thirty-two bytes or more');
    const now = Date.now();
    const genuineSigner = new TokenSigner(SECRET);
    const refused: unknown[] = [
      `${asAdmin}.${signature}`, // payload changed, signature kept
      `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, // signature changed
      `${payload}.${signature.slice(0, -1)}${String.fromCharCode(signature.charCodeAt(42) ^ 1)}`, // non-canonical or wrong last char
      forger.sign({ u: 'alice', iat: now, exp: now + TTL_MS, jti: 'AAAAAAAAAAAAAAAAAAAAAA' }), // another secret
      genuineSigner.sign({ u: 'alice', iat: now, exp: now + TTL_MS * 10, jti: 'AAAAAAAAAAAAAAAAAAAAAA' }), // longer than the TTL
      `${token}.x`,
      `${payload}.`,
      `.${signature}`,
      `${payload}${signature}`,
      `${payload}.${signature}=`,
      token.replace('.', '. '),
      token + token,
      'x'.repeat(5_000),
      '',
      '.',
      'a.b',
      `${Buffer.from('not json').toString('base64url')}.${signature}`,
      123,
      null,
      undefined,
      {},
      ['a', 'b'],
      Buffer.from(token),
    ];
    for (const t of refused) {
      expect(a.verify(t), String(t).slice(0, 80)).toBeNull();
      expect(a.session(t)).toBeNull();
    }
    expect(a.verify(token)).toBe('alice');
    // Revoking junk is a no-op, not an error.
    expect(() => a.revoke('junk')).not.toThrow();
    expect(a.unsent).toBe(0);
  });

  it('start() without Redis rejects with BUS_UNAVAILABLE after startTimeoutMs', async () => {
    const { log } = captureLog();
    const store = new ClusterSessionStore({ redis: new Redis({ host: '127.0.0.1', port: 1, retryStrategy: () => 50 }), secret: SECRET, ttlMs: TTL_MS, log, startTimeoutMs: 300 });
    await expect(store.start()).rejects.toMatchObject({ code: 'BUS_UNAVAILABLE' });
    await store.close();
  });

  it('a secret shorter than 32 bytes is refused at construction', () => {
    const { log } = captureLog();
    expect(() => new ClusterSessionStore({ redis: redisConnectionNotUsed(), secret: 'short', ttlMs: TTL_MS, log })).toThrow(RangeError);
  });
});

describe('the same rules as the SQLite store', () => {
  const makers: Array<[string, () => Promise<SessionStoreLike>]> = [
    ['SessionStore (SQLite)', () => Promise.resolve(new SessionStore(openDatabase(':memory:'), TTL_MS))],
    ['ClusterSessionStore', () => node({ prefix: parityPrefix })],
  ];
  it.each(makers)('%s: expiry, revoke one, revoke all of a user, revoke all except', async (_name, make) => {
    const sessions = await make();
    const a = sessions.issue('alice', 1_000);
    const b = sessions.issue('alice', 1_000);
    expect(a.expiresAt).toBe(new Date(1_000 + TTL_MS).toISOString());
    expect(sessions.verify(a.token, 1_000 + TTL_MS - 1)).toBe('alice');
    expect(sessions.session(a.token, 1_000)).toEqual({ username: 'alice', expiresAtMs: 1_000 + TTL_MS });
    expect(sessions.verify(a.token, 1_000 + TTL_MS)).toBeNull();
    sessions.revoke(a.token, 2_000);
    expect(sessions.verify(a.token, 2_001)).toBeNull();
    expect(sessions.verify(b.token, 2_001)).toBe('alice');
    sessions.revokeUser('alice', 3_000);
    expect(sessions.verify(b.token, 3_001)).toBeNull();
    const c = sessions.issue('carol', 4_000);
    const d = sessions.issue('dan', 4_000);
    sessions.revokeAllExcept(['carol'], 5_000);
    expect(sessions.verify(c.token, 5_001)).toBe('carol');
    expect(sessions.verify(d.token, 5_001)).toBeNull();
    expect(sessions.verify(sessions.issue('dan', 6_000).token, 6_001)).toBe('dan');
    sessions.purgeExpired(10_000);
    expect(sessions.verify(c.token, 10_001)).toBe('carol');
  });
});

/** A connection for a constructor that throws before using it. */
function redisConnectionNotUsed(): ReturnType<typeof redisConnection> {
  const redis = redisConnection();
  redis.disconnect();
  return redis;
}
