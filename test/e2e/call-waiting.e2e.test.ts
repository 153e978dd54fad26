/**
 * Call waiting in a real browser (desk-phone mode, the simulator PBX): alice may
 * be on two calls (`routing.maxCallsPerAgent: 2`). A second caller pops while
 * she talks to the first, the pop says Answer will hold the first, answering
 * holds it (music on the PBX), Resume swaps, a reload brings both calls back,
 * each call that ends gets its case form, one after the other, and the
 * supervisor page shows the agent on two calls.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADA_E164, UNKNOWN_E164 } from '../../connector/store/seed.js';
import type { CaseRecord } from '../../connector/store/types.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { agentHolds, dial, eventually, type CallerSession } from './simulator.js';
import { UI_TIMEOUT, buildWidget, screenshot, setAvailable, signIn } from './softphone-harness.js';

let server: TestServer | undefined;
let browser: TestBrowser | undefined;
const callers: CallerSession[] = [];

beforeAll(async () => {
  await buildWidget();
  [server, browser] = await Promise.all([
    startTestServer({ config: { server: { host: '127.0.0.1', port: 0 }, routing: { maxCallsPerAgent: 2 } } }),
    launchBrowser({ viewport: { width: 1280, height: 900 } }),
  ]);
  browser.page.setDefaultTimeout(UI_TIMEOUT);
}, 120_000);

afterAll(async () => {
  for (const c of callers) c.close();
  await browser?.close();
  await server?.close();
}, 30_000);

async function caller(from: string): Promise<CallerSession> {
  const c = await dial(server!.url, from);
  callers.push(c);
  await c.waitFor('call.answered');
  await c.digits('1');
  return c;
}

async function answer(p: Page, c: CallerSession): Promise<void> {
  const pop = p.locator(`.pop-card[data-call-id="${c.callId}"]`);
  await pop.getByRole('button', { name: 'Answer' }).click();
  await c.waitFor('call.connected');
  await p.locator(`.on-call[data-call-id="${c.callId}"]`).waitFor();
}

describe('call waiting in the widget', () => {
  it('pops a second caller during a call, holds the first on Answer, swaps, survives a reload, and logs both', async () => {
    const p = browser!.page;
    await signIn(p, server!.url);
    await setAvailable(p);

    const ada = await caller(ADA_E164);
    await p.locator(`.pop-card[data-call-id="${ada.callId}"]`).waitFor();
    // One call: no call-waiting hint on the pop.
    expect(await p.locator('[data-field="call-waiting"]').count()).toBe(0);
    await answer(p, ada);

    const other = await caller(UNKNOWN_E164);
    const pop = p.locator(`.pop-card[data-call-id="${other.callId}"]`);
    await pop.waitFor();
    expect(await pop.locator('[data-field="call-waiting"]').textContent()).toBe('Answering puts your current call on hold');
    // Ada is still the call alice talks to while the second rings.
    await p.locator(`.on-call[data-call-id="${ada.callId}"]`).waitFor();
    expect(agentHolds(ada)).toEqual([]);
    await screenshot(p, 'widget-call-waiting');

    await answer(p, other);
    await eventually(() => agentHolds(ada), ['hold.started']);
    const heldAda = p.locator(`.held-call[data-call-id="${ada.callId}"]`);
    await heldAda.waitFor();
    await heldAda.getByText('Ada Lovelace').waitFor();
    await p.locator('.topbar[data-agent-state="on-call"]').waitFor();
    await screenshot(p, 'widget-call-on-hold');
    // A supervisor (here the admin) sees alice on both calls.
    const sup = await browser!.context.newPage();
    sup.setDefaultTimeout(UI_TIMEOUT);
    await sup.goto(`${server!.url}/supervisor/`);
    await sup.locator('#login-username').fill('admin');
    await sup.locator('#login-password').fill('admin-demo');
    await sup.getByRole('button', { name: 'Sign in' }).click();
    const row = sup.locator('#agents-live tr[data-agent="alice"][data-state="on-call"] td[data-calls="2"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(ada.callId);
    await sup.close();

    // Back to Ada: the other caller is held now.
    await heldAda.getByRole('button', { name: 'Resume' }).click();
    await eventually(() => agentHolds(ada), ['hold.started', 'hold.stopped']);
    await eventually(() => agentHolds(other), ['hold.started']);
    await p.locator(`.on-call[data-call-id="${ada.callId}"]`).waitFor();
    await p.locator(`.held-call[data-call-id="${other.callId}"]`).waitFor();

    // A reload while on two calls: both come back as they were.
    await p.reload();
    await p.locator('.connection[data-status="connected"]').waitFor();
    await p.locator(`.on-call[data-call-id="${ada.callId}"]`).waitFor();
    await p.locator(`.held-call[data-call-id="${other.callId}"]`).waitFor();

    // The held caller hangs up: its case form opens while alice stays on with Ada.
    await other.hangup();
    const otherForm = p.locator(`.case-form[data-call-id="${other.callId}"]`);
    await otherForm.waitFor();
    await p.locator('.held-calls').waitFor({ state: 'detached' });
    await p.locator(`.on-call[data-call-id="${ada.callId}"]`).waitFor();

    // Ada hangs up too: her form waits until the first is saved.
    await ada.hangup();
    await p.locator(`.on-call[data-call-id="${ada.callId}"]`).waitFor({ state: 'detached' });
    expect(await p.locator(`.case-form[data-call-id="${ada.callId}"]`).count()).toBe(0);
    await otherForm.locator('input[name="subject"]').fill('Unknown caller asked about an invoice');
    await otherForm.getByLabel('No contact').check();
    await otherForm.getByRole('button', { name: 'Save case' }).click();
    const adaForm = p.locator(`.case-form[data-call-id="${ada.callId}"]`);
    await adaForm.waitFor();
    await adaForm.locator('input[name="subject"]').fill('Ada: engine question, called back after hold');
    await adaForm.getByRole('button', { name: 'Save case' }).click();
    await adaForm.waitFor({ state: 'detached' });
    await p.locator('.topbar[data-agent-state="available"]').waitFor();

    const login = await fetch(`${server!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-demo' }) });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${server!.url}/api/cases?agent=alice&limit=50`, { headers: { authorization: `Bearer ${token}` } });
    const { cases } = (await res.json()) as { cases: CaseRecord[] };
    expect(cases.filter((c) => c.callId === ada.callId || c.callId === other.callId).map((c) => c.callId).sort()).toEqual([ada.callId, other.callId].sort());
  }, 120_000);
});
