/**
 * PBX adapters managed at run time: added, changed, disabled and tested through
 * the admin API or by editing the config file, one adapter at a time, with calls
 * on the other adapters going on; every change audited and kept across restarts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../connector/app.js';
import { loadConfig } from '../connector/config/load.js';
import { createLogger } from '../connector/logger.js';
import { Writable } from 'node:stream';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sb-adapters-'));
let srv: TestServer;
let admin: string;

beforeAll(async () => {
  srv = await startTestServer({ dataDir });
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.close();
});

const health = async () => ((await api(srv.url, 'GET', '/healthz')).body.adapters as Array<{ id: string; state: string }>).map((a) => `${a.id}:${a.state}`);
const listed = async () =>
  ((await api(srv.url, 'GET', '/api/admin/adapters', { token: admin })).body.adapters as Array<{ id: string; enabled: boolean }>).map((a) => `${a.id}:${a.enabled}`);

describe('adapters at run time', () => {
  it('adds, changes, disables and enables an adapter while a call on another goes on', async () => {
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '100', adapterId: 'sim' } })).body;

    const added = await api(srv.url, 'POST', '/api/admin/adapters', { token: admin, body: { id: 'sim2', kind: 'simulator', charsPerSecond: 50 } });
    expect(added.status).toBe(201);
    expect(await health()).toEqual(['sim:connected', 'sim2:connected']);
    const onSim2 = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+12125550100', to: '100', adapterId: 'sim2' } })).body.callId;
    expect(srv.sb.callCenter.getCall(onSim2)?.adapterId).toBe('sim2');

    const changed = await api(srv.url, 'PUT', '/api/admin/adapters/sim2', { token: admin, body: { kind: 'simulator', charsPerSecond: 80 } });
    expect(changed.status).toBe(200);
    expect(changed.body.adapter).toMatchObject({ id: 'sim2', charsPerSecond: 80 });
    // Restarting sim2 ended its own call, not the one on sim.
    expect(srv.sb.callCenter.getCall(onSim2)?.phase).toBe('ended');

    expect((await api(srv.url, 'POST', '/api/admin/adapters/sim2/disable', { token: admin })).status).toBe(200);
    expect(await health()).toEqual(['sim:connected']);
    expect(await listed()).toEqual(['sim:true', 'sim2:false']);
    expect((await api(srv.url, 'POST', '/api/admin/adapters/sim2/enable', { token: admin })).body.health).toMatchObject({ state: 'connected' });

    // The call on sim never noticed: still in the IVR, and it routes.
    expect(srv.sb.callCenter.getCall(callId)?.phase).toBe('ivr');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
    await expect.poll(() => srv.sb.callCenter.getCall(callId)?.queue).toBe('support');
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);

    const audit = (await api(srv.url, 'GET', '/api/admin/audit?limit=20', { token: admin })).body.entries as Array<{ action: string; target: string }>;
    expect(audit.filter((e) => e.target === 'adapter:sim2').map((e) => e.action).sort()).toEqual(
      ['adapter.changed', 'adapter.created', 'adapter.disabled', 'adapter.enabled'].sort(),
    );
  });

  it('shows each running adapter\'s last event, and none for a disabled one', async () => {
    const lastOf = async (id: string) =>
      ((await api(srv.url, 'GET', '/api/admin/adapters', { token: admin })).body.adapters as Array<{ id: string; lastEvent: { type: string; at: string } | null }>).find((a) => a.id === id)?.lastEvent;
    const t0 = Date.now();
    const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550199', to: '100', adapterId: 'sim' } })).body;
    await expect.poll(() => lastOf('sim').then((e) => e?.type)).toMatch(/^call\./);
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await expect.poll(() => lastOf('sim').then((e) => e?.type)).toBe('call.ended');
    const last = await lastOf('sim');
    expect(Date.parse(last?.at ?? '')).toBeGreaterThanOrEqual(t0 - 1000);
    // sim2 restarted above and took no call since: no event yet. Disabled: none either.
    expect(await lastOf('sim2')).toBeNull();
    await api(srv.url, 'POST', '/api/admin/adapters/sim2/disable', { token: admin });
    expect(await lastOf('sim2')).toBeNull();
    await api(srv.url, 'POST', '/api/admin/adapters/sim2/enable', { token: admin });
  });

  it('tests a connection on demand', async () => {
    const r = await api(srv.url, 'POST', '/api/admin/adapters/sim/test', { token: admin });
    expect(r.body).toMatchObject({ ok: true, lines: ['sim (simulator): reachable, built into Switchboard'], health: { state: 'connected' } });
  });

  it('refuses inline secrets, bad settings and non-admins, changing nothing', async () => {
    const before = await listed();
    const secret = await api(srv.url, 'POST', '/api/admin/adapters', { token: admin, body: { id: 'cti', kind: 'http', secret: 'x'.repeat(20) } });
    expect(secret.status).toBe(400);
    expect(secret.body.error.fields).toEqual({ secret: ['not stored: give secretEnv or secretFile instead'] });
    const bad = await api(srv.url, 'POST', '/api/admin/adapters', { token: admin, body: { id: 'pbx', kind: 'asterisk', url: 'nope', username: 'u', passwordEnv: 'X' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('url');
    // Valid settings that cannot start (the variable is not set): refused, nothing changed.
    const unstartable = await api(srv.url, 'POST', '/api/admin/adapters', {
      token: admin,
      body: { id: 'pbx', kind: 'asterisk', url: 'http://127.0.0.1:1/ari', username: 'u', passwordEnv: 'SWITCHBOARD_TEST_UNSET_VAR' },
    });
    expect(unstartable.status).toBe(400);
    expect(unstartable.body.error.fields.settings[0]).toMatch(/SWITCHBOARD_TEST_UNSET_VAR is not set/);
    const alice = await login(srv.url, 'alice');
    expect((await api(srv.url, 'POST', '/api/admin/adapters/sim/disable', { token: alice })).status).toBe(403);
    expect(await listed()).toEqual(before);
    expect((await api(srv.url, 'POST', '/api/admin/adapters/nope/test', { token: admin })).status).toBe(404);
  });

  it('keeps console changes across a restart; a reset goes back to the config', async () => {
    await srv.close();
    srv = await startTestServer({ dataDir });
    admin = await login(srv.url, 'admin');
    expect(await listed()).toEqual(['sim:true', 'sim2:true']);
    expect((await api(srv.url, 'DELETE', '/api/admin/adapters/sim2/override', { token: admin })).status).toBe(200);
    expect(await listed()).toEqual(['sim:true']);
  });
});

describe('adapters in the config file', () => {
  it('an edited adapters section applies without a restart; a bad file changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cfgwatch-'));
    const file = join(dir, 'switchboard.yaml');
    const yaml = (adapters: string) => `server: { port: 0 }\ndataDir: ${join(dir, 'data')}\nlog: { level: silent }\nadapters:\n${adapters}`;
    writeFileSync(file, yaml('  - { id: one, kind: simulator }\n'));
    const lines: Array<{ msg?: string }> = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
    const sb = createSwitchboard(loadConfig({ file, env: {} }).config, { configFile: file, log: createLogger('info', sink) });
    const url = await sb.listen();
    try {
      const ids = async () => ((await api(url, 'GET', '/healthz')).body.adapters as Array<{ id: string }>).map((a) => a.id);
      expect(await ids()).toEqual(['one']);
      writeFileSync(file, yaml('  - { id: one, kind: simulator }\n  - { id: two, kind: simulator }\n'));
      await expect.poll(ids, { timeout: 5_000 }).toEqual(['one', 'two']);
      writeFileSync(file, yaml('  - { id: one, kind: carrier-pigeon }\n'));
      await expect.poll(() => lines.some((l) => l.msg === 'config file rejected; nothing changed'), { timeout: 5_000 }).toBe(true);
      expect(await ids()).toEqual(['one', 'two']);
      writeFileSync(file, yaml('  - { id: two, kind: simulator }\n'));
      await expect.poll(ids, { timeout: 5_000 }).toEqual(['two']);
    } finally {
      await sb.close();
    }
  });
});
