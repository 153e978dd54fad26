/**
 * The supervisor view in Debian's chromium: an agent who signs in is told it is
 * for supervisors only and sees no data; a supervisor sees the last hour drawn,
 * a waiting call appear live (caller masked), an agent become available and
 * then take a call, another give a reason for being away. Saves docs/screenshots/supervisor.png.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../connector/calls/sqlite-call-store.js';
import type { CallOutcome } from '../../connector/calls/call-record.js';
import type { Database } from '../../connector/store/db.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { acceptCall, api, connectAgent, login, nextEvent, request, type AgentClient } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(ROOT, 'docs', 'screenshots');
const UI_TIMEOUT = 20_000;

let server: TestServer | undefined;
let browser: TestBrowser | undefined;
let alice: AgentClient | undefined;
let bob: AgentClient | undefined;

/** Calls over the last hour (deterministic), so the chart has something to draw. */
function writeLastHour(db: Database, now = Date.now()): number {
  const store = new SqliteCallStore(db);
  const outcomes: CallOutcome[] = ['answered', 'answered', 'answered', 'abandoned-queue', 'answered', 'completed-in-ivr', 'answered', 'abandoned-ivr'];
  let n = 0;
  for (let m = 58; m >= 2; m--) {
    const perMinute = 1 + ((m * 7) % 4);
    for (let i = 0; i < perMinute; i++) {
      const arrived = now - m * 60_000 + i * 9_000;
      const outcome = outcomes[(m + i) % outcomes.length] as CallOutcome;
      const queued = outcome === 'completed-in-ivr' || outcome === 'abandoned-ivr' ? null : arrived + 6_000;
      // Mostly short waits, now and then a long one.
      const wait = ([3, 5, 2, 8, 4, 25, 6, 3, 95, 5, 7, 40][(m * 5 + i * 7) % 12] as number) * 1000;
      const connected = outcome === 'answered' && queued ? queued + wait : null;
      const ended = connected ? connected + 180_000 : (queued ?? arrived) + (queued ? wait : 30_000);
      const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
      store.save({
        callId: `last-hour-${m}-${i}`, adapterId: 'sim', aniRaw: '+14155550123', aniE164: '+14155550123', dnis: '100', callerName: null,
        phase: ended <= now ? 'ended' : 'connected', arrivedAt: iso(arrived) as string, flow: null, ivrPath: [], ivrAttributes: {}, language: 'en',
        lookup: null, queue: queued ? ['support', 'billing', 'general'][(m + i) % 3] as string : null, priority: 0, queuedAt: iso(queued),
        agent: connected ? 'carol' : null, connectedAt: iso(connected), endedAt: ended <= now ? iso(ended) : null, endReason: ended <= now ? 'caller-hangup' : null,
        outcome: ended <= now ? outcome : null,
      });
      n++;
    }
  }
  store.flush();
  return n;
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-widget.mjs')], { cwd: ROOT });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser({ viewport: { width: 1280, height: 900 } })]);
  writeLastHour(server.sb.db);
  const admin = await login(server.url, 'admin');
  const created = await api(server.url, 'POST', '/api/admin/agents', { token: admin, body: { username: 'sam', displayName: 'Sam Supervisor', password: 'sam-password', role: 'supervisor' } });
  expect(created.status).toBe(201);
  browser.page.setDefaultTimeout(UI_TIMEOUT);
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  alice?.close();
  bob?.close();
  await browser?.close();
  await server?.close();
}, 30_000);

const url = (): string => (server as TestServer).url;
const page = (): Page => (browser as TestBrowser).page;

async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.goto(`${url()}/supervisor/`);
  await p.locator('#login-username').fill(username);
  await p.locator('#login-password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function call(digits: string): Promise<string> {
  const { callId } = (await api(url(), 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '100' } })).body;
  await api(url(), 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits } });
  return callId as string;
}

describe('supervisor view in a browser', () => {
  it('an agent is told the page is for supervisors only, and sees no data', async () => {
    const p = page();
    await signIn(p, 'alice', 'alice-demo');
    await p.locator('#login-error', { hasText: 'Supervisors only' }).waitFor();
    expect(await p.locator('#queue-tiles, #agents-live, #waiting-calls, #history-chart').count()).toBe(0);
  });

  it('a supervisor sees a waiting call appear and an agent change state, live', async () => {
    const p = page();
    await signIn(p, 'sam', 'sam-password');
    await p.locator('#supervisor-status[data-status="connected"]').waitFor();
    await p.locator('#queue-tiles .queue-tile[data-queue="billing"][data-waiting="0"]').waitFor();
    await p.locator('#agents-live tr[data-agent="alice"][data-state="away"]').waitFor();
    // The last hour, drawn from the stored calls.
    const chart = p.locator('#history-chart svg.history-chart');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-arrived'))).toBeGreaterThan(50);
    expect(await chart.locator('rect[data-key="abandoned"]').count()).toBeGreaterThan(0);
    expect(await chart.locator('circle[data-key="longestWaitSeconds"]').count()).toBeGreaterThan(10);

    // A billing call waits (bob is away): it appears, the caller masked.
    const waitingId = await call('2');
    const row = p.locator(`#waiting-calls tr[data-call="${waitingId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('+14*******23');
    expect(await p.locator('main').textContent()).not.toContain('4155550123');
    await p.locator('#queue-tiles .queue-tile[data-queue="billing"][data-waiting="1"]').waitFor();

    // Alice becomes available, then takes a support call.
    alice = (await connectAgent(url(), await login(url(), 'alice'))).socket;
    await request(alice, 'agent.state.set', { state: 'available' });
    await p.locator('#agents-live tr[data-agent="alice"][data-state="available"]').waitFor();
    const pop = nextEvent(alice, 'call.offered');
    const answered = await call('1');
    await pop;
    await acceptCall(alice, answered);
    const onCall = p.locator('#agents-live tr[data-agent="alice"][data-state="on-call"]');
    await onCall.waitFor();
    expect(await onCall.textContent()).toContain(answered);

    // Bob says why he is away: the reason shows.
    bob = (await connectAgent(url(), await login(url(), 'bob'))).socket;
    await request(bob, 'agent.state.set', { state: 'away', reason: 'break' });
    await p.locator('#agents-live tr[data-agent="bob"][data-state="away"] td', { hasText: 'break' }).waitFor();

    await p.screenshot({ path: join(SHOTS, 'supervisor.png'), fullPage: true, animations: 'disabled' });

    // The caller hangs up: the line empties.
    await api(url(), 'POST', `/api/simulator/calls/${waitingId}/hangup`);
    await row.waitFor({ state: 'detached' });
    await p.locator('#waiting-calls td', { hasText: 'No calls waiting.' }).waitFor();
  });
});
