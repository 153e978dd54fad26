/**
 * The softphone across tabs and outages: only one tab registers and closing it
 * hands the registration over; a pop and its SIP leg are answered together; a
 * case saved while the connector is down is sent exactly once when it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../connector/store/types.js';
import { SHARED_E164, UNKNOWN_E164 } from '../../connector/store/seed.js';
import type { TestBrowser } from '../helpers/browser.js';
import { startKamailio, type Kamailio } from '../helpers/kamailio.js';
import { freeTcpPort } from '../helpers/ports.js';
import type { TestServer } from '../helpers/server.js';
import { sippCall, type SippCall } from '../helpers/sipp.js';
import { dial, type CallerSession } from './simulator.js';
import { UI_TIMEOUT, buildWidget, launchPhoneBrowser, phoneIs, screenshot, setAvailable, signIn, startSoftphoneServer } from './softphone-harness.js';

const ADA = '+14155550123';

let kamailio: Kamailio | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;
let port = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'sb-softphone-'));
const sipps: SippCall[] = [];
const callers: CallerSession[] = [];

beforeAll(async () => {
  await buildWidget();
  kamailio = await startKamailio();
  port = await freeTcpPort();
  [server, browser] = await Promise.all([startSoftphoneServer(kamailio, { port, dataDir }), launchPhoneBrowser()]);
}, 120_000);

afterEach(async () => {
  for (const c of sipps.splice(0)) await c.dispose();
  for (const c of callers.splice(0)) c.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await kamailio?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

function url(): string {
  return `http://127.0.0.1:${port}`;
}

async function newTab(): Promise<Page> {
  const p = await browser!.context.newPage();
  p.setDefaultTimeout(UI_TIMEOUT);
  await signIn(p, url());
  return p;
}

async function sipp(): Promise<SippCall> {
  const c = await sippCall(kamailio!, { to: 'alice', from: ADA });
  sipps.push(c);
  return c;
}

async function caller(from: string): Promise<CallerSession> {
  const c = await dial(url(), from);
  callers.push(c);
  return c;
}

/** The WebSocket source ports Kamailio accepted a REGISTER (not an unregister) from, in order. */
function registeredPorts(sinceLog: number): string[] {
  const lines = kamailio!.log().slice(sinceLog).split('\n').filter((l) => l.includes('sb-register aor=alice') && !/expires=0\b/.test(l));
  return [...new Set(lines.map((l) => /src=127\.0\.0\.1:(\d+)/.exec(l)?.[1] ?? ''))];
}

/** sipp calls alice; `p` rings (and no other tab), answers; the agent hangs up; sipp exits 0. */
async function callRingsIn(p: Page, others: Page[]): Promise<void> {
  const c = await sipp();
  await p.locator('.phone-card[data-phone-state="ringing"]').waitFor();
  for (const o of others) expect(await o.locator('.phone-card').count()).toBe(0);
  await p.getByRole('button', { name: 'Answer' }).click();
  await p.locator('.phone-card[data-phone-state="established"]').waitFor();
  await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
  const { code, messages } = await c.done;
  expect(code, messages).toBe(0);
}

/** `promise`, or a failure naming the step after `ms`: a hang says where it is instead of timing the whole test out. */
function step<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('softphone across tabs and outages', () => {
  it('registers in one tab only; closing it hands the registration to the other', async () => {
    const logStart = kamailio!.log().length;
    const first = browser!.page;
    first.setDefaultTimeout(UI_TIMEOUT);
    await signIn(first, url());
    await phoneIs(first, 'registered');
    const second = await newTab();
    await second.locator('.phone-chip[data-role="follower"]').waitFor();
    await second.locator('[data-banner="other-tab"]', { hasText: 'Phone in another tab' }).waitFor();
    await screenshot(second, 'widget-other-tab');
    await callRingsIn(first, [second]);
    expect(registeredPorts(logStart)).toHaveLength(1);

    const handover = kamailio!.log().length;
    await first.close();
    await phoneIs(second, 'registered');
    await second.locator('.phone-chip[data-role="leader"]').waitFor();
    await callRingsIn(second, []);
    expect(registeredPorts(handover)).toHaveLength(1);
    expect(registeredPorts(handover)).not.toEqual(registeredPorts(logStart));

    // A third tab can take the phone on purpose; the second steps down.
    const third = await newTab();
    await third.locator('.phone-chip[data-role="follower"]').waitFor();
    await third.getByRole('button', { name: 'Use the phone in this tab' }).click();
    await phoneIs(third, 'registered');
    await second.locator('.phone-chip[data-role="follower"]').waitFor();
    await callRingsIn(third, [second]);
    await second.close();
  }, 120_000);

  it('shows several matches and an unknown caller on the pop', async () => {
    const p = browser!.context.pages()[0]!;
    await setAvailable(p);
    for (const [from, name] of [[SHARED_E164, 'widget-several-matches'], [UNKNOWN_E164, 'widget-unknown-caller']] as const) {
      const c = await caller(from);
      await c.waitFor('call.answered');
      await c.digits('1');
      const pop = p.locator(`.pop-card[data-call-id="${c.callId}"]`);
      await pop.waitFor();
      if (from === SHARED_E164) await pop.locator('.pick-list input[type="radio"]').first().waitFor();
      else await pop.locator('.caller-name', { hasText: 'Unknown caller' }).waitFor();
      await screenshot(p, name);
      await c.hangup();
      await pop.waitFor({ state: 'detached' });
    }
  }, 60_000);

  it('answers a pop and its SIP leg together, and sends a case saved while the connector is down exactly once', async () => {
    const p = browser!.context.pages()[0]!;
    await phoneIs(p, 'registered');
    await setAvailable(p);
    // Clear the last test's notice so the screenshots show this call only.
    if (await p.getByRole('button', { name: 'Dismiss message' }).count()) await p.getByRole('button', { name: 'Dismiss message' }).click();
    const c = await caller(ADA);
    await c.waitFor('call.answered');
    await c.digits('1');
    const pop = p.locator(`.pop-card[data-call-id="${c.callId}"]`);
    await pop.waitFor();
    // The PBX rings alice's softphone too: the SIP call is linked to the only pop, so no second card.
    const leg = await sipp();
    await leg.waitFor(/180 Ringing/);
    expect(await p.locator('.phone-card').count()).toBe(0);
    await screenshot(p, 'widget-ringing-with-pop');
    await pop.getByRole('button', { name: 'Answer' }).click();
    await c.waitFor('call.connected');
    await leg.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
    await p.locator(`.on-call[data-call-id="${c.callId}"]`).waitFor();
    await p.locator(`.on-call[data-call-id="${c.callId}"]`).getByRole('button', { name: 'Hang up' }).click();
    await c.waitFor('call.ended');
    expect((await step(leg.done, 30_000, 'sipp to end after the hang-up')).code).toBe(0);
    const form = p.locator(`.case-form[data-call-id="${c.callId}"]`);
    await form.waitFor();
    await screenshot(p, 'widget-wrap-up');
    // A second tab with the same wrap-up: both tabs will try to send the queued case.
    const other = await newTab();
    await other.locator(`.case-form[data-call-id="${c.callId}"]`).waitFor();

    // The connector goes down; the case is saved in the browser instead.
    await step(server!.close(), 30_000, 'the connector to shut down');
    await p.locator('.connection[data-status="reconnecting"]').waitFor();
    const subject = 'Saved while the connector was down';
    await form.locator('input[name="subject"]').fill(subject);
    await form.getByRole('button', { name: 'Save case' }).click();
    await p.locator('.outbox[data-outbox-count="1"]').waitFor();
    await form.waitFor({ state: 'detached' });
    await screenshot(p, 'widget-case-queued');

    server = await step(startSoftphoneServer(kamailio!, { port, dataDir }), 30_000, 'the connector to start again');
    await p.locator('.connection[data-status="connected"]').waitFor({ timeout: 60_000 });
    await p.locator('.outbox').waitFor({ state: 'detached', timeout: 60_000 });
    await other.locator('.connection[data-status="connected"]').waitFor();
    await other.locator('.outbox').waitFor({ state: 'detached' });
    // Whichever tab sent it (one only) shows the saved case.
    const shown = [];
    for (const tab of [p, other]) if (await tab.locator('[data-field="saved-case-number"]').count()) shown.push(await tab.locator('[data-field="saved-case-number"]').textContent());
    expect(shown).toHaveLength(1);
    const number = shown[0]?.trim();
    // The other tab's form does not come back with a new draft (that would be a second case).
    expect(await other.locator(`.case-form[data-call-id="${c.callId}"]`).count()).toBe(0);
    await other.close();

    const login = await fetch(`${url()}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-demo' }) });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${url()}/api/cases?agent=alice&limit=500`, { headers: { authorization: `Bearer ${token}` } });
    const { cases } = (await res.json()) as { cases: CaseRecord[] };
    const mine = cases.filter((x) => x.callId === c.callId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ number, subject, callId: c.callId });
  }, 120_000);
});
