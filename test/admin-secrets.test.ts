/**
 * Secrets never appear in an API answer or a log line: password hashes, the
 * passwords admins set, ARI passwords from the adapter config, bearer tokens
 * (in logs). Every GET the admin, supervisor and agent can reach is read, and
 * every admin change is made, with the logger at `trace`.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../connector/logger.js';
import { api, connectAgent, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ARI_SECRET = 'ari-S3cret-never-shown';
const NEW_PASSWORD = 'zelda-first-password';
const RESET_PASSWORD = 'zelda-second-password';
const lines: string[] = [];
let srv: TestServer;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  srv = await startTestServer({
    log: createLogger('trace', sink),
    config: {
      adapters: [
        { id: 'sim', kind: 'simulator', charsPerSecond: 400 },
        { id: 'pbx', kind: 'asterisk', enabled: false, url: 'http://127.0.0.1:8088/ari', username: 'switchboard', password: ARI_SECRET },
        { id: 'pbx2', kind: 'asterisk', enabled: false, url: 'http://127.0.0.1:8088/ari', username: 'switchboard', passwordEnv: 'ARI_PASSWORD' },
      ] as never,
    },
  });
});
afterAll(async () => {
  await srv?.close();
});

describe('secrets', () => {
  it('are in no API answer and no log line', async () => {
    const answers: unknown[] = [];
    const tokens: string[] = [];
    const admin = await login(srv.url, 'admin');
    tokens.push(admin);
    const keep = async (r: Promise<{ status: number; body: unknown }>) => {
      const res = await r;
      answers.push(res.body);
      return res;
    };
    expect((await keep(api(srv.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'zelda', displayName: 'Zelda', password: NEW_PASSWORD, role: 'supervisor', queues: ['support'] } }))).status).toBe(201);
    await keep(api(srv.url, 'PATCH', '/api/admin/agents/zelda', { token: admin, body: { displayName: 'Zelda Z.' } }));
    await keep(api(srv.url, 'POST', '/api/admin/agents/zelda/password', { token: admin, body: { password: RESET_PASSWORD } }));
    await keep(api(srv.url, 'POST', '/api/auth/login', { body: { username: 'zelda', password: NEW_PASSWORD } }));
    const zelda = await login(srv.url, 'zelda', RESET_PASSWORD);
    const alice = await login(srv.url, 'alice');
    tokens.push(zelda, alice);
    const adapters = await keep(api(srv.url, 'GET', '/api/admin/adapters', { token: admin }));
    expect((adapters.body as any).adapters[1]).toMatchObject({ id: 'pbx', enabled: false, settings: { username: 'switchboard', url: 'http://127.0.0.1:8088/ari' }, health: null });
    expect((adapters.body as any).adapters[2].settings.passwordEnv).toBe('ARI_PASSWORD');

    const gets = ['/api/me', '/api/admin/agents', '/api/admin/audit?limit=500', '/api/admin/adapters', '/api/admin/flows/main/diagram', '/api/flows', '/api/flows/main', '/api/cases?limit=5', '/api/reports/cases', '/api/reports/calls', '/healthz', '/api/openapi.json', '/metrics'];
    for (const token of tokens) for (const path of gets) await keep(api(srv.url, 'GET', path, { token }));
    for (const token of tokens) answers.push((await connectAgent(srv.url, token).then((w) => (w.socket.close(), w.snapshot))));

    const everything = JSON.stringify(answers);
    const logs = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [ARI_SECRET, NEW_PASSWORD, RESET_PASSWORD, 'alice-demo', 'admin-demo', 'scrypt$']) {
      expect(everything, `an answer carries ${secret}`).not.toContain(secret);
      expect(logs, `a log line carries ${secret}`).not.toContain(secret);
    }
    expect(everything).not.toMatch(/passwordHash|password_hash|token_hash|tokenHash/);
    for (const token of tokens) expect(logs).not.toContain(token);
  });
});
