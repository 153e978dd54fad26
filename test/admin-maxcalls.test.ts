/**
 * Regression (found in review): an agent's own `maxCalls` (config) after the admin console
 * disables and re-enables them at run time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../connector/config/defaults.js';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  const agents = DEFAULT_CONFIG.agents!.map((a) => (a.username === 'bob' ? { ...a, maxCalls: 3 } : a));
  srv = await startTestServer({ config: { agents, routing: { maxCallsPerAgent: 1 } } });
});
afterAll(async () => {
  await srv?.close();
});

describe('agents[].maxCalls and the admin console', () => {
  it('an agent disabled and enabled again keeps their configured maxCalls', async () => {
    expect(srv.sb.callCenter.presenceOf('bob')?.maxCalls).toBe(3);
    const admin = await login(srv.url, 'admin');
    expect((await api(srv.url, 'PATCH', '/api/admin/agents/bob', { token: admin, body: { disabled: true } })).status).toBe(200);
    expect((await api(srv.url, 'PATCH', '/api/admin/agents/bob', { token: admin, body: { disabled: false } })).status).toBe(200);
    expect(srv.sb.callCenter.presenceOf('bob')?.maxCalls).toBe(3);
  });
});
