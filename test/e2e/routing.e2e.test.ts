/**
 * Routing in the agent's browser: the state selector offers the configured away
 * reasons and the connector records the chosen one (as supervisors see it); an
 * escalated case routed to the agent shows up in the widget with who escalated
 * it and why, first in the recent cases.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { api, login } from '../helpers/clients.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UI_TIMEOUT = 20_000;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;

const hash = (u: string) => DEMO_AGENTS.find((a) => a.username === u)!.passwordHash;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-widget.mjs')], { cwd: ROOT });
  [server, browser] = await Promise.all([
    startTestServer({
      config: {
        queues: [
          { id: 'support', name: 'Support', escalateTo: 'tier2' },
          { id: 'billing', name: 'Billing' },
          { id: 'general', name: 'General' },
          { id: 'tier2', name: 'Tier 2' },
        ],
        routing: { awayReasons: ['break', 'lunch', 'training'] },
        agents: [
          { username: 'alice', displayName: 'Alice Agent', passwordHash: hash('alice'), queues: ['tier2', 'support'] },
          { username: 'bob', displayName: 'Bob Agent', passwordHash: hash('bob'), queues: ['support', 'general'] },
          { username: 'admin', displayName: 'Demo Admin', passwordHash: hash('admin'), role: 'admin', queues: [] },
        ],
      },
    }),
    launchBrowser({ viewport: { width: 1280, height: 800 } }),
  ]);
  browser.page.setDefaultTimeout(UI_TIMEOUT);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 30_000);

describe('routing in the widget', () => {
  it('offers the away reasons, records the chosen one, and shows a case escalated to the agent', async () => {
    const p = browser!.page;
    const url = server!.url;
    await p.goto(`${url}/agent/`);
    await p.locator('#login-username').fill('alice');
    await p.locator('#login-password').fill('alice-demo');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('.connection[data-status="connected"]').waitFor();

    // The selector lists one "Away: <reason>" per configured reason, not the connector's own.
    const reasons = await p.locator('#agent-state option[data-reason]').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(reasons).toEqual(['away:break', 'away:lunch', 'away:training']);
    await p.locator('#agent-state').selectOption('away:lunch');
    await p.locator('#agent-state:not([aria-busy])').waitFor();
    const admin = await login(url, 'admin');
    const seen = async () => (await api(url, 'GET', '/api/queues', { token: admin })).body.agents.find((a: { username: string }) => a.username === 'alice');
    expect(await seen()).toMatchObject({ state: 'away', awayReason: 'lunch' });
    expect(await p.locator('#agent-state').inputValue()).toBe('away:lunch');

    // Available: a case bob escalates from support goes to alice (tier 2) with its note.
    await p.locator('#agent-state').selectOption('available');
    await p.locator('.topbar[data-agent-state="available"]').waitFor();
    const bob = await login(url, 'bob');
    const created = await api(url, 'POST', '/api/cases', { token: bob, body: { subject: 'Router keeps rebooting', type: 'technical_support' } });
    expect(created.status).toBe(201);
    const escalated = await api(url, 'POST', `/api/cases/${created.body.number}/escalate`, { token: bob, body: { toQueue: 'tier2', note: 'Needs a firmware reflash' } });
    expect(escalated.body).toMatchObject({ queue: 'tier2', assignee: 'alice' });
    await p.getByText(`Case ${created.body.number} (Router keeps rebooting) was escalated to you by bob: Needs a firmware reflash`).waitFor();
    await p.getByText('Router keeps rebooting').first().waitFor();
  }, 60_000);
});
