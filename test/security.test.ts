/** Login throttling, token expiry and revocation, logout everywhere, no secret in any answer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../connector/auth/sessions.js';
import { LoginThrottle } from '../connector/auth/throttle.js';
import { openDatabase } from '../connector/store/db.js';
import { api, connectAgent, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('login throttling', () => {
  it('five wrong passwords lock the user out, the right one included, with Retry-After', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'bob', password: `guess-${i}` } })).status).toBe(401);
    }
    const locked = await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'bob', password: 'bob-demo' } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another user from the same address is not locked by bob's failures.
    expect((await api(srv.url, 'POST', '/api/auth/login', { body: { username: 'alice', password: 'alice-demo' } })).status).toBe(200);
  });

  it('counts per address across user names, and a window opens again', () => {
    let now = 0;
    const t = new LoginThrottle({ perUser: 5, perAddress: 20, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 20; i++) t.failed(`user${i}`, '10.0.0.1');
    expect(t.retryAfterMs('someone-else', '10.0.0.1')).toBe(60_000);
    expect(t.retryAfterMs('someone-else', '10.0.0.2')).toBe(0);
    now = 60_001;
    expect(t.retryAfterMs('someone-else', '10.0.0.1')).toBe(0);
    t.failed('carol', 'x');
    t.succeeded('carol');
    expect(t.retryAfterMs('carol', 'y')).toBe(0);
  });
});

describe('tokens', () => {
  it('expire, and can be revoked one by one or all at once', () => {
    const db = openDatabase(':memory:');
    const sessions = new SessionStore(db, 60_000);
    const a = sessions.issue('alice', 1_000);
    const b = sessions.issue('alice', 1_000);
    expect(sessions.verify(a.token, 1_000 + 59_999)).toBe('alice');
    expect(sessions.verify(a.token, 1_000 + 60_000)).toBeNull();
    sessions.revoke(a.token, 2_000);
    expect(sessions.verify(a.token, 2_001)).toBeNull();
    expect(sessions.verify(b.token, 2_001)).toBe('alice');
    sessions.revokeUser('alice', 3_000);
    expect(sessions.verify(b.token, 3_001)).toBeNull();
    // Only a hash is stored.
    const stored = db.prepare('SELECT token_hash FROM sessions').all() as Array<{ token_hash: string }>;
    expect(stored.map((r) => r.token_hash)).not.toContain(a.token);
    db.close();
  });

  it('log out everywhere ends every session and closes every widget of the user', async () => {
    const t1 = await login(srv.url, 'alice');
    const t2 = await login(srv.url, 'alice');
    const w1 = await connectAgent(srv.url, t1);
    const w2 = await connectAgent(srv.url, t2);
    const closed = Promise.all([w1, w2].map((w) => new Promise((resolve) => w.socket.on('disconnect', resolve))));
    expect((await api(srv.url, 'POST', '/api/auth/logout-all', { token: t1 })).status).toBe(204);
    await closed;
    for (const t of [t1, t2]) expect((await api(srv.url, 'GET', '/api/me', { token: t })).status).toBe(401);
  });
});

describe('secrets', () => {
  it('no answer carries a password hash or a token hash', async () => {
    const token = await login(srv.url, 'admin');
    const bodies = await Promise.all(
      ['/api/me', '/api/flows', '/api/flows/main', '/api/cases?limit=5', '/healthz', '/api/reports/cases'].map((p) => api(srv.url, 'GET', p, { token })),
    );
    const widget = await connectAgent(srv.url, token);
    widget.socket.close();
    const text = JSON.stringify(bodies.map((b) => b.body)) + JSON.stringify(widget.snapshot);
    expect(text).not.toMatch(/scrypt\$/);
    expect(text).not.toMatch(/passwordHash|token_hash|tokenHash/);
  });
});
