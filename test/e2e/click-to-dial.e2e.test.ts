/**
 * Click-to-dial from the widget in desk-phone mode, in Debian's Chromium: bob
 * (no SIP settings) types a number; the widget calls POST /api/calls/dial; the
 * Asterisk adapter (against the Swagger-validating fake ARI server) rings bob's
 * desk phone, then the customer, and bridges them; the widget shows the pop,
 * the call and the case form like an inbound call. A refusal (bob in
 * after-call work) is shown, not swallowed.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FakeAriServer } from '../asterisk/fake-ari/server.js';
import { UI_TIMEOUT, buildWidget, screenshot, signIn } from './softphone-harness.js';

let fake: FakeAriServer | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  await buildWidget();
  fake = await new FakeAriServer().start();
  server = await startTestServer({
    config: {
      adapters: [
        { id: 'sim', kind: 'simulator', charsPerSecond: 400 },
        { id: 'pbx1', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password, dial: { endpointTemplate: 'PJSIP/{number}@trunk', callerId: '+18005550100' } },
      ],
      agents: DEMO_AGENTS.map((a) => ({ ...a, queues: [...a.queues], ...(a.username === 'bob' ? { endpoint: 'PJSIP/bob-desk' } : {}) })),
    },
  });
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
}, 30_000);

function page(): Page {
  if (!browser) throw new Error('browser not started');
  return browser.page;
}

const originateTo = (endpoint: string) => fake!.waitForRequest((r) => r.key === 'POST /channels/{channelId}' && r.query.endpoint === endpoint, UI_TIMEOUT);

describe('click-to-dial in desk-phone mode', () => {
  it('rings the desk phone, then the number; the widget follows the call to the case form', async () => {
    const p = page();
    await signIn(p, server!.url, 'bob', 'bob-demo');
    await p.locator('.phone-chip[data-registration="desk"]').waitFor();
    await p.locator('.dialer[data-mode="desk"]', { hasText: 'Your desk phone rings first' }).waitFor();
    await p.getByLabel('Number to call').fill('(415) 555-0123');
    await p.getByRole('button', { name: 'Call', exact: true }).click();

    await p.locator('.notice', { hasText: 'Calling +14155550123: pick up your desk phone when it rings.' }).waitFor();
    const deskLeg = await originateTo('PJSIP/bob-desk');
    // The pop: who bob is calling, looked up like an inbound caller.
    const pop = p.locator('.pop-card[data-direction="out"]');
    await pop.locator('.caller-name', { hasText: 'Ada Lovelace' }).waitFor();
    // The agent placed it: answered on the desk phone, so no Answer or Decline here.
    expect(await pop.getByRole('button').count()).toBe(0);
    await pop.locator('.pop-bar', { hasText: 'Outgoing call · your desk phone rings first' }).waitFor();
    const callId = await pop.getAttribute('data-call-id');
    expect(callId).toBeTruthy();
    await screenshot(p, 'widget-click-to-dial');

    fake!.far.answerLeg(deskLeg.params.channelId as string);
    await originateTo('PJSIP/+14155550123@trunk');
    fake!.far.answerLeg(callId!);
    await p.locator(`.on-call[data-call-id="${callId}"] .call-timer`).waitFor();
    // The customer hangs up (the connector cannot hang up a click-to-dial call from the widget yet).
    fake!.far.hangup(callId!);
    const form = p.locator(`.case-form[data-call-id="${callId}"]`);
    await form.waitFor();

    // In after-call work the connector refuses another call, and the widget says why.
    await form.getByRole('link', { name: '+14155550123' }).click();
    await p.locator('.notice-error', { hasText: 'Could not place the call: The agent is on a call or in after-call work.' }).waitFor();
    await form.getByRole('button', { name: 'Close without a case' }).click();
    await form.waitFor({ state: 'detached' });
    expect(fake!.invalid).toEqual([]);
  }, 60_000);
});
