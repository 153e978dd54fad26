/**
 * The first call, end to end in a real browser: the agent signs in, a caller
 * dials the simulator and presses 1, the pop shows who is calling, the agent
 * answers, the caller hangs up, the agent saves the prefilled case.
 * Waits on the page and on the caller's event stream, never on sleeps.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../connector/store/types.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { dial, type CallerSession } from './simulator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = join(ROOT, 'docs', 'screenshots', 'screen-pop.png');
const ADA = '+14155550123';
const UI_TIMEOUT = 20_000;

let server: { url: string; close(): Promise<void> } | undefined;
let browser: TestBrowser | undefined;
const callers: CallerSession[] = [];

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-widget.mjs')], { cwd: ROOT });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser({ viewport: { width: 1280, height: 800 } })]);
  browser.page.setDefaultTimeout(UI_TIMEOUT);
}, 120_000);

afterAll(async () => {
  for (const c of callers) c.close();
  await browser?.close();
  await server?.close();
}, 30_000);

function url(): string {
  if (!server) throw new Error('server not started');
  return server.url;
}

function page(): Page {
  if (!browser) throw new Error('browser not started');
  return browser.page;
}

async function call(from: string): Promise<CallerSession> {
  const caller = await dial(url(), from);
  callers.push(caller);
  return caller;
}

/** Opens the widget and signs in unless the stored session already did; waits for the socket. */
async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.goto(`${url()}/agent/`);
  await p.locator('#login-username, .topbar').first().waitFor();
  if (await p.locator('#login-username').isVisible()) {
    await p.locator('#login-username').fill(username);
    await p.locator('#login-password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }
  await p.locator('.connection[data-status="connected"]').waitFor();
}

async function setAvailable(p: Page): Promise<void> {
  await p.locator('#agent-state').selectOption('available');
  await p.locator('.topbar[data-agent-state="available"]').waitFor();
  await p.locator('#agent-state:not([aria-busy])').waitFor();
}

async function popFor(p: Page, callId: string) {
  const pop = p.locator(`.pop-card[data-call-id="${callId}"]`);
  await pop.waitFor();
  return pop;
}

describe('agent widget in a browser', () => {
  it('pops Ada Lovelace, answers, and saves the prefilled case after the caller hangs up', async () => {
    const p = page();
    await signIn(p, 'alice', 'alice-demo');
    await setAvailable(p);

    const caller = await call(ADA);
    await caller.waitFor('call.answered');
    await caller.digits('1');

    const pop = await popFor(p, caller.callId);
    await pop.locator('.caller-name', { hasText: 'Ada Lovelace' }).waitFor();
    await pop.getByText('Analytical Engines Ltd').waitFor();
    expect(await pop.locator('[data-field="ani-e164"]').textContent()).toBe(ADA);
    expect(await pop.locator('[data-field="queue"]').textContent()).toBe('Support');
    // Answer comes first and has the keyboard focus; the live region announced the call.
    expect(await pop.locator('button').first().textContent()).toBe('Answer');
    await p.waitForFunction(() => document.activeElement?.classList.contains('btn-answer') === true);
    await p.waitForFunction(() => document.getElementById('announce-assertive')?.textContent === 'Incoming call from Ada Lovelace');

    await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, animations: 'disabled' });

    await pop.getByRole('button', { name: 'Answer' }).click();
    await caller.waitFor('call.connected');
    await p.locator(`.on-call[data-call-id="${caller.callId}"] .call-timer`).waitFor();
    await p.locator('.topbar[data-agent-state="on-call"]').waitFor();

    await caller.hangup();
    const form = p.locator(`.case-form[data-call-id="${caller.callId}"]`);
    await form.waitFor();
    expect(await form.locator('select[name="type"]').inputValue()).toBe('technical_support');
    expect(await form.locator('select[name="type"] option:checked').textContent()).toBe('Technical support');
    expect(await form.locator('input[name="subject"]').inputValue()).toBe('Phone call from Ada Lovelace – Support');
    expect(await form.locator('select[name="priority"]').inputValue()).toMatch(/^(medium|high)$/);

    const subject = 'Analytical engine will not start – Ada';
    await form.locator('input[name="subject"]').fill(subject);
    await form.getByRole('button', { name: 'Save case' }).click();

    const numberEl = p.locator('[data-field="saved-case-number"]');
    await numberEl.waitFor();
    const number = (await numberEl.textContent())?.trim() ?? '';
    expect(number).toMatch(/^\d{8}$/);
    await p.locator(`.recent .recent-item[data-case-number="${number}"]`, { hasText: subject }).waitFor();
    await form.waitFor({ state: 'detached' });

    const login = await fetch(`${url()}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-demo' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${url()}/api/cases?phone=%2B14155550123`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { cases } = (await res.json()) as { cases: CaseRecord[] };
    const saved = cases.find((c) => c.number === number);
    expect(saved).toMatchObject({ callId: caller.callId, subject, type: 'technical_support', ani: ADA, dnis: '+18005550100', queue: 'support', agent: 'alice', origin: 'phone' });
    expect(saved?.ivrPath.some((s) => s.event === 'key' && s.key === '1')).toBe(true);
    expect(saved?.contactId).not.toBeNull();
  }, 90_000);

  it('shows the pop again after a reload while the call is still offered', async () => {
    const p = page();
    await signIn(p, 'alice', 'alice-demo');
    await setAvailable(p);

    const caller = await call(ADA);
    await caller.waitFor('call.answered');
    await caller.digits('1');
    await popFor(p, caller.callId);

    await p.reload();
    const pop = await popFor(p, caller.callId);
    await pop.locator('.caller-name', { hasText: 'Ada Lovelace' }).waitFor();
    await pop.getByRole('button', { name: 'Answer' }).waitFor();

    await caller.hangup();
    await pop.waitFor({ state: 'detached' });
  }, 60_000);

  it('lets a caller dial from /phone/, hear the welcome and press 1 on the keypad', async () => {
    if (!browser) throw new Error('browser not started');
    const phone = await browser.context.newPage();
    phone.setDefaultTimeout(UI_TIMEOUT);
    try {
      await phone.goto(`${url()}/phone/`);
      expect(await phone.locator('#from').inputValue()).toBe(ADA);
      expect(await phone.locator('#to').inputValue()).toBe('+18005550100');
      await phone.getByRole('button', { name: 'Call', exact: true }).click();
      await phone.locator('.line-prompt', { hasText: 'Thank you for calling' }).waitFor();
      await phone.locator('body[data-call-state="ivr"]').waitFor();

      await phone.locator('.keypad [data-key="1"]').click();
      await phone.locator('.line-you', { hasText: 'pressed 1' }).waitFor();

      await phone.getByRole('button', { name: 'Hang up' }).click();
      await phone.locator('.line-end').waitFor();
      await phone.locator('body[data-call-state="ended"]').waitFor();
    } finally {
      await phone.close();
    }
  }, 60_000);
});
