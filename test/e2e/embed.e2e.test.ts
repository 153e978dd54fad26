/**
 * The widget embedded in a CRM page, in Debian's Chromium: a page on another
 * origin (another port) loads /agent/embed.js and puts <switchboard-widget> on
 * the page. On an origin in `server.allowedOrigins` it receives the call events
 * (the pop, withdrawn, the softphone's call), asks for the pop, and places a
 * call through the widget's softphone (Kamailio to a sipp UAS). On an origin
 * not in the list the browser refuses to frame the widget (CSP
 * frame-ancestors): the page gets nothing, and a message it sends to a widget
 * window it opened itself is ignored (with a console warning).
 */
import { createServer, type Server } from 'node:http';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { startKamailio, type Kamailio } from '../helpers/kamailio.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sippServer, type SippCall } from '../helpers/sipp.js';
import { agentsWithSip, buildWidget, launchPhoneBrowser, screenshot, UI_TIMEOUT } from './softphone-harness.js';
import { dial, type CallerSession } from './simulator.js';

const ADA = '+14155550123';

let kamailio: Kamailio | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;
const hosts: Server[] = [];
let allowedUrl = '';
let deniedUrl = '';
const sipps: SippCall[] = [];
const callers: CallerSession[] = [];

/** The CRM page: the loader script, the element, a button that dials, and a log of what the widget said. */
function crmPage(sb: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme CRM</title>
<style>
  body { margin: 0; font: 14px system-ui, sans-serif; display: grid; grid-template-columns: 240px 1fr; height: 100vh; }
  aside { padding: 16px; background: #1f2937; color: #f9fafb; display: grid; gap: 10px; align-content: start; }
  aside h1 { font-size: 18px; margin: 0; } #log { font: 12px ui-monospace, monospace; padding-left: 18px; margin: 0; }
  switchboard-widget { height: 100vh; }
</style>
<script src="${sb}/agent/embed.js"></script>
</head><body>
<aside><h1>Acme CRM</h1><p id="last">No call yet</p><button id="call-ada" type="button">Call Ada Lovelace</button><ol id="log"></ol></aside>
<switchboard-widget></switchboard-widget>
<script>
  window.sbEvents = [];
  const w = document.querySelector('switchboard-widget');
  for (const t of ['ready', 'call.offered', 'call.withdrawn', 'call.connected', 'call.ended', 'agent.state', 'phone.call', 'dial.result', 'pop']) {
    w.addEventListener(t, (e) => {
      const m = e.detail;
      window.sbEvents.push(m);
      const li = document.createElement('li');
      li.textContent = t + (m.pop ? ' ' + m.pop.aniE164 : '') + (m.call ? ' ' + m.call.state : '');
      document.getElementById('log').append(li);
      if (t === 'call.offered') document.getElementById('last').textContent = 'Calling: ' + m.pop.aniE164;
    });
  }
  document.getElementById('call-ada').onclick = () => w.dial('${ADA}').then((r) => (window.lastDial = r), (e) => (window.lastDial = { error: String(e.message) }));
</script>
</body></html>`;
}

async function startHost(port: number): Promise<string> {
  const http = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(crmPage(server!.url));
  });
  hosts.push(http);
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}/`;
}

beforeAll(async () => {
  await buildWidget();
  kamailio = await startKamailio();
  const [allowedPort, deniedPort] = [await freeTcpPort(), await freeTcpPort()];
  [server, browser] = await Promise.all([
    startTestServer({ config: { server: { host: '127.0.0.1', port: 0, allowedOrigins: [`http://127.0.0.1:${allowedPort}`] }, agents: agentsWithSip(kamailio) } }),
    launchPhoneBrowser(),
  ]);
  allowedUrl = await startHost(allowedPort);
  deniedUrl = await startHost(deniedPort);
}, 120_000);

afterEach(async () => {
  for (const c of sipps.splice(0)) await c.dispose();
  for (const c of callers.splice(0)) c.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const h of hosts) await new Promise((r) => h.close(r));
  await kamailio?.dispose();
}, 30_000);

type Message = { type: string; [k: string]: any };
const events = (p: Page): Promise<Message[]> => p.evaluate(() => (window as unknown as { sbEvents: Message[] }).sbEvents);
/** Waits until the page received a message matching `pred` (polled in the page). */
async function received(p: Page, pred: string): Promise<Message> {
  const handle = await p.waitForFunction(`window.sbEvents.find((m) => ${pred})`, undefined, { timeout: UI_TIMEOUT });
  return (await handle.jsonValue()) as Message;
}

describe('embedded in a CRM page', () => {
  let crm: Page;

  it('on an allowed origin: receives the pop and call events, asks for the pop, and dials through the softphone', async () => {
    crm = browser!.page;
    crm.setDefaultTimeout(UI_TIMEOUT);
    await crm.goto(allowedUrl);
    const widget = crm.frameLocator('switchboard-widget iframe');
    await widget.locator('#login-username').fill('alice');
    await widget.locator('#login-password').fill('alice-demo');
    await widget.getByRole('button', { name: 'Sign in' }).click();
    await widget.locator('.phone-chip[data-registration="registered"]').waitFor();
    await crm.locator('switchboard-widget[state="ready"]').waitFor();
    const ready = await received(crm, `m.type === 'switchboard.ready' && m.signedIn`);
    expect(ready.agent.username).toBe('alice');

    await widget.locator('#agent-state').selectOption('available');
    await received(crm, `m.type === 'switchboard.agent.state' && m.agent.state === 'available'`);
    const caller = await dial(server!.url, ADA);
    callers.push(caller);
    await caller.waitFor('call.answered');
    await caller.digits('1');
    const offered = await received(crm, `m.type === 'switchboard.call.offered'`);
    expect(offered.pop).toMatchObject({ callId: caller.callId, aniE164: ADA, queue: 'support' });
    expect(offered.pop.lookup.contact.lastName).toBe('Lovelace');
    await crm.locator('#last', { hasText: `Calling: ${ADA}` }).waitFor();

    // The screen-pop request: what is on the agent's screen now.
    const pop = (await crm.evaluate(() => document.querySelector('switchboard-widget')!.requestPop())) as unknown as Message;
    expect(pop.offers.map((o: { callId: string }) => o.callId)).toEqual([caller.callId]);
    expect(pop.agent.state).toBe('available');

    await caller.hangup();
    await received(crm, `m.type === 'switchboard.call.withdrawn' && m.callId === '${caller.callId}'`);
    await widget.locator('#agent-state').selectOption('away');
    await received(crm, `m.type === 'switchboard.agent.state' && m.agent.state === 'away'`);

    // Click-to-dial from the CRM page: the widget's softphone calls, through Kamailio to sipp.
    const uas = await sippServer(kamailio!);
    sipps.push(uas);
    await crm.locator('#call-ada').click();
    await crm.waitForFunction(() => (window as unknown as { lastDial?: unknown }).lastDial !== undefined);
    expect(await crm.evaluate(() => (window as unknown as { lastDial: unknown }).lastDial)).toMatchObject({ type: 'switchboard.dial.result', ok: true, via: 'softphone' });
    await uas.waitFor(/INVITE sip:\+14155550123@switchboard\.test SIP\/2\.0/);
    await received(crm, `m.type === 'switchboard.phone.call' && m.call.state === 'dialing' && m.call.direction === 'out'`);
    await received(crm, `m.type === 'switchboard.phone.call' && m.call.state === 'established'`);
    await screenshot(crm, 'widget-embedded');
    await widget.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
    const ended = await received(crm, `m.type === 'switchboard.phone.call' && m.call.state === 'ended'`);
    expect(ended.call).toMatchObject({ remoteNumber: ADA, endReason: 'local' });
    expect((await uas.done).code).toBe(0);
  }, 90_000);

  it('on an origin not allowed: the widget is not framed, the page gets nothing, and its messages are ignored', async () => {
    const denied = await browser!.context.newPage();
    denied.setDefaultTimeout(UI_TIMEOUT);
    const refused = denied.waitForEvent('console', { predicate: (m: ConsoleMessage) => /frame-ancestors/.test(m.text()), timeout: UI_TIMEOUT });
    await denied.goto(deniedUrl);
    await refused;
    expect(await denied.locator('switchboard-widget').getAttribute('state')).toBe('loading');
    expect(await denied.evaluate(() => document.querySelector('switchboard-widget')!.dial('+14155550123').then(() => 'dialed', (e: Error) => e.message))).toMatch(/not ready/);

    // A call meanwhile: the allowed page hears of it, the other one does not.
    const crm = browser!.page;
    await crm.frameLocator('switchboard-widget iframe').locator('#agent-state').selectOption('available');
    const caller = await dial(server!.url, ADA);
    callers.push(caller);
    await caller.waitFor('call.answered');
    await caller.digits('1');
    await received(crm, `m.type === 'switchboard.call.offered' && m.pop.callId === '${caller.callId}'`);
    await caller.hangup();
    await received(crm, `m.type === 'switchboard.call.withdrawn' && m.callId === '${caller.callId}'`);
    await crm.frameLocator('switchboard-widget iframe').locator('#agent-state').selectOption('away');
    expect(await events(denied)).toEqual([]);

    // The page opens the widget in a window of its own and tries to drive it: ignored, and said so.
    const [popup] = await Promise.all([denied.waitForEvent('popup'), denied.evaluate((url) => void ((window as unknown as { sb: Window | null }).sb = window.open(url)), `${server!.url}/agent/`)]);
    popup.setDefaultTimeout(UI_TIMEOUT);
    await popup.locator('.topbar').waitFor();
    const ignored = popup.waitForEvent('console', { predicate: (m: ConsoleMessage) => m.text().includes(`ignored a message from ${new URL(deniedUrl).origin}`), timeout: UI_TIMEOUT });
    await denied.evaluate(() => (window as unknown as { sb: Window }).sb.postMessage({ type: 'switchboard.dial', number: '+14155550123', requestId: 'x' }, '*'));
    await ignored;
    expect(await popup.locator('.phone-card').count()).toBe(0);
    expect(await crm.frameLocator('switchboard-widget iframe').locator('.phone-card').count()).toBe(0);
    expect(await events(denied)).toEqual([]);
    await popup.close();
    await denied.close();
  }, 90_000);
});
