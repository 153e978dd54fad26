/**
 * The admin console and the reports page in Debian's chromium: the demo admin
 * signs in, sees the adapters' live state, edits a simulator's settings (a bad
 * value refused with its field), creates and disables agents, checks a
 * broken flow (problems with their lines), reads the audit log; then opens the
 * reports over three weeks of history (tiles, SVG bars, CSV). An agent is turned
 * away from both. Saves docs/screenshots/admin-console.png and reports.png.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { writeReportHistory } from '../helpers/report-history.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(ROOT, 'docs', 'screenshots');
const UI_TIMEOUT = 20_000;

let server: TestServer | undefined;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-widget.mjs')], { cwd: ROOT });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser({ viewport: { width: 1280, height: 900 } })]);
  writeReportHistory(server.sb.db, 21);
  browser.page.setDefaultTimeout(UI_TIMEOUT);
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 30_000);

const url = (): string => (server as TestServer).url;
const page = (): Page => (browser as TestBrowser).page;

async function signIn(p: Page, path: string, username: string, password: string): Promise<void> {
  await p.goto(`${url()}${path}`);
  await p.locator('#login-username').fill(username);
  await p.locator('#login-password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function signOutIfIn(p: Page): Promise<void> {
  if (await p.getByRole('button', { name: 'Sign out' }).isVisible()) {
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.locator('#login-username').waitFor();
  }
}

describe('admin console and reports in a browser', () => {
  it('an agent is turned away from the admin console and the reports', async () => {
    const p = page();
    await signIn(p, '/admin/', 'alice', 'alice-demo');
    await p.locator('#login-error', { hasText: 'needs the admin role' }).waitFor();
    await signIn(p, '/reports/', 'alice', 'alice-demo');
    await p.locator('#login-error', { hasText: 'needs the supervisor or admin role' }).waitFor();
  });

  it('the admin manages agents, checks a flow and reads the audit log', async () => {
    const p = page();
    await signIn(p, '/admin/', 'admin', 'admin-demo');
    await p.locator('#adapters-table tr[data-adapter="sim"] .adapter-state[data-state="connected"]').waitFor();
    await p.locator('#agents-table tr[data-agent="alice"]').waitFor();

    // The simulator's settings edited in the console: a bad value is refused with its field, a good one applies.
    const sim = p.locator('#adapters-table tr[data-adapter="sim"]');
    await sim.getByRole('button', { name: 'Edit' }).click();
    const settings = JSON.parse(await p.locator('#adapter-settings').inputValue()) as Record<string, unknown>;
    expect(settings).toMatchObject({ kind: 'simulator', charsPerSecond: 400 });
    await p.locator('#adapter-settings').fill(JSON.stringify({ ...settings, charsPerSecond: -5 }));
    await p.locator('#adapter-save').click();
    await p.locator('#adapter-problems li', { hasText: 'charsPerSecond: expected a positive number' }).waitFor();
    expect(server!.sb.adapters.find((a) => a.id === 'sim')).toBeDefined();
    await p.locator('#adapter-settings').fill(JSON.stringify({ ...settings, charsPerSecond: 300 }));
    await p.locator('#adapter-save').click();
    await p.locator('#adapter-editor').waitFor({ state: 'hidden' });
    await sim.locator('td', { hasText: '300 chars/s' }).waitFor();
    await sim.locator('.adapter-state[data-state="connected"]').waitFor();

    // Create a supervisor in the support queue.
    await p.locator('#new-username').fill('carol');
    await p.locator('#new-display').fill('Carol Jones');
    await p.locator('#new-password').fill('carol-password');
    await p.locator('#new-role').selectOption('supervisor');
    await p.locator('#create-agent input[value="support"]').check();
    await p.locator('#new-skills').fill('spanish, billing-l2');
    await p.getByRole('button', { name: 'Create agent' }).click();
    const carol = p.locator('#agents-table tr[data-agent="carol"]');
    await carol.waitFor();
    expect(await carol.locator('td').nth(2).textContent()).toBe('supervisor');
    expect(await carol.locator('td').nth(3).textContent()).toBe('support');
    expect(await carol.locator('td').nth(4).textContent()).toBe('spanish, billing-l2');

    // Disable bob; his row says so.
    await p.locator('#agents-table tr[data-agent="bob"]').getByRole('button', { name: 'Disable' }).click();
    await p.locator('#agents-table tr[data-agent="bob"].is-disabled').waitFor();
    expect((await server!.sb.db.prepare("SELECT disabled FROM agents WHERE username = 'bob'").get()) as unknown).toEqual({ disabled: 1 });

    // The main flow is drawn; a broken edit is refused with its line.
    await p.locator('.flow-item[data-flow="main"]').click();
    await p.locator('.flow-item[data-flow="main"][aria-pressed="true"]').waitFor();
    await p.locator('#flow-diagram img.flow-svg').waitFor();
    expect(await p.locator('#flow-diagram img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100)).toBe(true);
    const source = await p.locator('#flow-source').inputValue();
    await p.locator('#flow-source').fill(source.replace('fallback: general', 'fallback: nowhere'));
    await p.locator('#flow-validate').click();
    await p.locator('#flow-problems li', { hasText: 'nowhere' }).waitFor();
    expect(await p.locator('#flow-problems li button').first().textContent()).toMatch(/^line \d+$/);

    // The audit log lists the changes, newest first.
    await p.locator('#audit-table tr[data-audit] td', { hasText: 'agent.disabled' }).waitFor();
    const actions = await p.locator('#audit-table tbody tr td:nth-child(3)').allTextContents();
    expect(actions.slice(0, 3)).toEqual(['agent.disabled', 'agent.created', 'adapter.changed']);
    const page1 = await p.locator('#audit-table').textContent();
    expect(page1).not.toMatch(/scrypt|carol-password/);

    await p.screenshot({ path: join(SHOTS, 'admin-console.png'), fullPage: true, animations: 'disabled' });
  });

  it('the reports page draws calls and cases per day, with totals and CSV', async () => {
    const p = page();
    await signOutIfIn(p);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const range = `from=${day(Date.now() - 20 * 86_400_000)}&to=${day(Date.now())}`;
    await signIn(p, `/reports/?report=calls:queue&${range}&interval=day`, 'admin', 'admin-demo');
    await p.locator('#report-out[aria-busy="false"] svg.chart rect').first().waitFor();
    expect(await p.locator('svg.chart rect[data-bucket]').count()).toBeGreaterThan(30);
    expect(Number(await p.locator('[data-tile="calls"] .tile-value').textContent())).toBeGreaterThan(100);
    expect(await p.locator('[data-tile="containment"] .tile-value').textContent()).toMatch(/^\d+ %$/);
    expect(await p.locator('#report-table tbody tr').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^support/), expect.stringMatching(/^billing/), expect.stringMatching(/^general/)]),
    );
    const [download] = await Promise.all([p.waitForEvent('download'), p.locator('a[data-csv="day"]').click()]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('bucket,key,calls,answered,containedInIvr,abandoned,avgSpeedOfAnswerSeconds,avgTalkSeconds,avgHandleSeconds');
    await p.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true, animations: 'disabled' });

    // Cases by customer, per hour over the same three weeks.
    await p.locator('#report').selectOption('cases:customer');
    await p.locator('#interval').selectOption('hour');
    await p.locator('#report-out [data-report="cases-customer"]').waitFor();
    await p.locator('#report-out[aria-busy="false"] svg.chart').waitFor();
    expect(await p.locator('#report-table thead th').allTextContents()).toEqual(['Customer', 'Cases', 'Avg response time', 'Awaiting response']);
    expect(Number(await p.locator('[data-tile="awaiting"] .tile-value').textContent())).toBeGreaterThan(0);
    expect(await p.locator('[data-tile="response"] .tile-value').textContent()).toMatch(/\d+ (s|min)/);
  });
});
