/**
 * The softphone in Debian's Chromium against a real SIP server: Kamailio
 * (registrar and proxy, ws:// for the widget, UDP for sipp) and sipp calling
 * alice's address. What sipp saw is read from its message trace.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { startKamailio, type Kamailio } from '../helpers/kamailio.js';
import type { TestServer } from '../helpers/server.js';
import { sippCall, type SippCall } from '../helpers/sipp.js';
import { buildWidget, launchPhoneBrowser, phoneIs, screenshot, setAvailable, signIn, startSoftphoneServer } from './softphone-harness.js';
import { dial } from './simulator.js';

const CALLER = '+14155550123';

let kamailio: Kamailio | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;
const calls: SippCall[] = [];

beforeAll(async () => {
  await buildWidget();
  kamailio = await startKamailio();
  [server, browser] = await Promise.all([startSoftphoneServer(kamailio), launchPhoneBrowser()]);
}, 120_000);

afterEach(async () => {
  for (const c of calls.splice(0)) await c.dispose();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await kamailio?.dispose();
}, 30_000);

function page(): Page {
  if (!browser) throw new Error('browser not started');
  return browser.page;
}

async function call(): Promise<SippCall> {
  if (!kamailio) throw new Error('kamailio not started');
  const c = await sippCall(kamailio, { to: 'alice', from: CALLER });
  calls.push(c);
  return c;
}

/** sipp calls; the widget's card rings; Answer; waits until the call is up. */
async function answered(p: Page): Promise<SippCall> {
  const c = await call();
  const card = p.locator('.phone-card[data-phone-state="ringing"]');
  await card.waitFor();
  await card.getByRole('button', { name: 'Answer' }).click();
  await p.locator('.phone-card[data-phone-state="established"]').waitFor();
  await c.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
  return c;
}

async function hangUp(p: Page, c: SippCall): Promise<string> {
  await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
  const { code, messages } = await c.done;
  expect(code, messages).toBe(0);
  await p.locator('.phone-card').waitFor({ state: 'detached' });
  return messages;
}

describe('softphone against Kamailio and sipp', () => {
  it('registers with the SIP settings the connector gives the agent', async () => {
    const p = page();
    await signIn(p, server!.url);
    await phoneIs(p, 'registered');
    expect(await p.locator('.phone-chip').getAttribute('title')).toBe(`sip:alice@${kamailio!.domain}`);
    await screenshot(p, 'widget-idle');
  }, 60_000);

  it('speaks Japanese when the agent chooses it', async () => {
    const p = page();
    await p.locator('#ui-lang').selectOption('ja');
    await p.locator('.phone-chip', { hasText: '電話 受付可' }).waitFor();
    await p.locator('html[lang="ja"]').waitFor();
    expect(await p.locator('.topbar .btn-ghost').last().textContent()).toBe('サインアウト');
    await screenshot(p, 'widget-idle-ja');
    await p.locator('#ui-lang').selectOption('en');
    await p.locator('.phone-chip', { hasText: 'Phone ready' }).waitFor();
  }, 60_000);

  it('rings when sipp calls, answers (sipp gets 200 OK) and hangs up (sipp gets BYE)', async () => {
    const p = page();
    const c = await call();
    const card = p.locator('.phone-card[data-phone-state="ringing"]');
    await card.waitFor();
    await expect.poll(() => card.locator('[data-field="sip-from"]').textContent()).toBe(CALLER);
    await p.waitForFunction(() => document.getElementById('announce-assertive')?.textContent?.startsWith('Incoming call from') === true);
    await p.waitForFunction(() => document.activeElement?.classList.contains('btn-answer') === true);
    await screenshot(p, 'widget-ringing');

    // Keyboard only: Answer has the focus, Enter answers.
    await p.keyboard.press('Enter');
    await p.locator('.phone-card[data-phone-state="established"] .call-timer').waitFor();
    await c.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
    await screenshot(p, 'widget-on-call');

    const messages = await hangUp(p, c);
    expect(messages).toMatch(/BYE sip:/);
  }, 60_000);

  it('sends keypad keys to sipp as SIP INFO', async () => {
    const p = page();
    const c = await answered(p);
    await p.getByRole('button', { name: 'Keypad' }).click();
    await p.locator('.keypad [data-key="5"]').click();
    // Keys typed on the keyboard while the keypad is open go to the caller too.
    await p.keyboard.press('#');
    await p.locator('[data-field="dtmf-sent"]', { hasText: '5#' }).waitFor();
    await c.waitFor(/Signal=#/);
    const messages = await hangUp(p, c);
    const infos = messages.match(/INFO sip:[\s\S]*?Signal=./g) ?? [];
    expect(infos.map((m) => m.slice(-1))).toEqual(['5', '#']);
    expect(messages).toMatch(/Content-Type: application\/dtmf-relay/i);
  }, 60_000);

  it('holds with a re-INVITE (a=sendonly) and resumes with another (a=sendrecv)', async () => {
    const p = page();
    const c = await answered(p);
    await p.getByRole('button', { name: 'Hold' }).click();
    await p.locator('.phone-card[data-held="true"]').waitFor();
    expect(await p.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(p, 'widget-on-hold');
    await p.getByRole('button', { name: 'Resume' }).click();
    await p.locator('.phone-card[data-held="false"]').waitFor();
    const messages = await hangUp(p, c);
    // The INVITEs sipp received (its own first INVITE was sent, not received).
    const reinvites = [...messages.matchAll(/message received[^\n]*\n\s*INVITE sip:[\s\S]*?a=(sendonly|sendrecv|inactive)/g)].map((m) => m[1]);
    expect(reinvites).toEqual(['sendonly', 'sendrecv']);
  }, 60_000);

  it('shows "phone unreachable" when Kamailio stops, re-registers when it is back, and takes the next call', async () => {
    const p = page();
    await phoneIs(p, 'registered');
    await setAvailable(p);
    await kamailio!.stop();
    await phoneIs(p, 'unreachable');
    await p.locator('[data-banner="unreachable"]', { hasText: 'Phone unreachable' }).waitFor();
    await screenshot(p, 'widget-unreachable');

    // Meanwhile the connector offers alice nothing: a support call waits in the queue.
    const waiting = await dial(server!.url, CALLER);
    try {
      await waiting.waitFor('call.answered');
      await waiting.digits('1');
      await waiting.waitFor('hold.started');
      expect(server!.sb.callCenter.snapshot('alice').snapshot.offers).toEqual([]);

      await kamailio!.start();
      await phoneIs(p, 'registered', 60_000);
      await p.locator('[data-banner="unreachable"]').waitFor({ state: 'detached' });
      // Registered again: the waiting call is offered to alice at once.
      await p.locator(`.pop-card[data-call-id="${waiting.callId}"]`).waitFor();
      await waiting.hangup();
      await p.locator(`.pop-card[data-call-id="${waiting.callId}"]`).waitFor({ state: 'detached' });
    } finally {
      waiting.close();
    }
    await p.locator('#agent-state').selectOption('away');

    const c = await answered(p);
    await hangUp(p, c);
  }, 120_000);
});
