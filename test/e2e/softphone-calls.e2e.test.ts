/**
 * The softphone beyond answering, in Debian's Chromium against Kamailio and
 * sipp: blind transfer (REFER; sipp accepts or refuses it), outbound calls
 * through Kamailio's trunk to a sipp UAS, calling a caller back from the case
 * form, the caller-ID attestation badge, the wrap-up limit's countdown, and the
 * choice of microphone, speaker and ringer (Chromium's fake devices), kept
 * across a reload.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { startKamailio, type Kamailio } from '../helpers/kamailio.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sippCall, sippServer, type SippCall } from '../helpers/sipp.js';
import { agentsWithSip, buildWidget, launchPhoneBrowser, phoneIs, screenshot, setAvailable, signIn } from './softphone-harness.js';
import { dial, type CallerSession } from './simulator.js';

const CALLER = '+14155550123';
/** The wrap-up limit of this server: short, so the test sees it run out. */
const WRAP_UP_SECONDS = 4;

let kamailio: Kamailio | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;
const sipps: SippCall[] = [];
const callers: CallerSession[] = [];

beforeAll(async () => {
  await buildWidget();
  kamailio = await startKamailio();
  [server, browser] = await Promise.all([
    startTestServer({ config: { server: { host: '127.0.0.1', port: 0 }, agents: agentsWithSip(kamailio), routing: { wrapUpSeconds: WRAP_UP_SECONDS } } }),
    launchPhoneBrowser(),
  ]);
  await signIn(page(), server.url);
  await phoneIs(page(), 'registered');
}, 120_000);

afterEach(async () => {
  for (const c of sipps.splice(0)) await c.dispose();
  for (const c of callers.splice(0)) c.close();
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

function track(c: SippCall): SippCall {
  sipps.push(c);
  return c;
}

/** sipp calls alice; Answer; the call is up. */
async function answered(p: Page, opts: { referAnswer?: [number, string] } = {}): Promise<SippCall> {
  const c = track(await sippCall(kamailio!, { to: 'alice', from: CALLER, ...opts }));
  await p.locator('.phone-card[data-phone-state="ringing"]').getByRole('button', { name: 'Answer' }).click();
  await p.locator('.phone-card[data-phone-state="established"]').waitFor();
  await c.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
  return c;
}

describe('blind transfer', () => {
  it('sends a REFER with the target in Refer-To; sipp accepts (202) and the widget hangs up', async () => {
    const p = page();
    const c = await answered(p);
    await p.getByRole('button', { name: 'Transfer' }).click();
    const target = p.getByLabel('Transfer the caller to');
    await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe('transfer-target');
    await target.fill('+1 (415) 555-0199');
    await screenshot(p, 'widget-transfer');
    await p.getByRole('button', { name: 'Transfer now' }).click();

    await c.waitFor(/REFER sip:/);
    const { code, messages } = await c.done;
    expect(code, messages).toBe(0);
    const refer = /REFER sip:[\s\S]*?\n\n/.exec(messages)?.[0] ?? '';
    expect(refer).toMatch(/^Refer-To: <?sip:\+14155550199@switchboard\.test>?\r?$/m);
    expect(refer).toMatch(/^Referred-By: /m);
    // The REFER was accepted, then the agent's leg hung up.
    expect(messages.indexOf('SIP/2.0 202 Accepted')).toBeGreaterThan(messages.indexOf('REFER sip:'));
    expect(messages.lastIndexOf('BYE sip:')).toBeGreaterThan(messages.indexOf('SIP/2.0 202 Accepted'));
    await p.locator('.phone-card').waitFor({ state: 'detached' });
    await p.locator('.notice', { hasText: 'Call transferred to +14155550199.' }).waitFor();
    await p.getByRole('button', { name: 'Dismiss message' }).click();
  }, 60_000);

  it('a refused REFER (403) leaves the caller on the line and says so', async () => {
    const p = page();
    const c = await answered(p, { referAnswer: [403, 'Forbidden'] });
    await p.getByRole('button', { name: 'Transfer' }).click();
    await p.getByLabel('Transfer the caller to').fill('2001');
    await p.getByRole('button', { name: 'Transfer now' }).click();
    await p.locator('[data-field="transfer-status"][data-status="failed"]', { hasText: 'The transfer to 2001 was refused (403). The caller is still on the line.' }).waitFor();
    expect(await p.locator('.phone-card').getAttribute('data-phone-state')).toBe('established');
    expect(c.messages()).toMatch(/^Refer-To: <?sip:2001@switchboard\.test>?\r?$/m);
    // Not a number at all: refused in the widget, no REFER.
    await p.getByLabel('Transfer the caller to').fill('not a number!');
    await p.getByRole('button', { name: 'Transfer now' }).click();
    await p.locator('[data-field="transfer-status"][data-status="error"]', { hasText: 'That is not a number to call.' }).waitFor();
    expect(c.messages().match(/REFER sip:/g)).toHaveLength(1);

    await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
    const { code, messages } = await c.done;
    expect(code, messages).toBe(0);
  }, 60_000);
});

describe('outbound calls', () => {
  it('dials a number through Kamailio to a sipp UAS: Calling..., answered with the call timer, Hang up sends BYE', async () => {
    const p = page();
    const uas = track(await sippServer(kamailio!));
    await p.getByLabel('Number to call').fill('(415) 555-0188');
    await p.getByRole('button', { name: 'Call', exact: true }).click();
    const card = p.locator('.phone-card[data-direction="out"]');
    await card.and(p.locator('[data-phone-state="dialing"]')).waitFor();
    expect(await card.locator('.caller-name').textContent()).toBe('4155550188');
    await screenshot(p, 'widget-dialing');
    await uas.waitFor(/INVITE sip:4155550188@switchboard\.test SIP\/2\.0/);

    await p.locator('.phone-card[data-phone-state="established"][data-direction="out"] .call-timer').waitFor();
    await uas.waitFor(/ACK sip:/);
    await screenshot(p, 'widget-outbound');
    await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
    const { code, messages } = await uas.done;
    expect(code, messages).toBe(0);
    expect(messages).toMatch(/BYE sip:/);
    await p.locator('.phone-card').waitFor({ state: 'detached' });
    // The dialer is back, empty.
    expect(await p.getByLabel('Number to call').inputValue()).toBe('');
  }, 60_000);

  it('the dial pad types the number; a failed call says why', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Dial pad', exact: true }).click();
    for (const k of ['2', '0', '0', '9']) await p.locator(`#dial-pad [data-dial-key="${k}"]`).click();
    expect(await p.getByLabel('Number to call').inputValue()).toBe('2009');
    await p.getByRole('button', { name: 'Dial pad', exact: true }).click();
    // The far end is busy (486): the widget says so.
    const busy = track(await sippServer(kamailio!, { scenario: 'uas-busy' }));
    await p.getByRole('button', { name: 'Call', exact: true }).click();
    await p.locator('.notice-error', { hasText: 'The call to 2009 failed (486).' }).waitFor();
    expect((await busy.done).code).toBe(0);
    await p.locator('.phone-card').waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Dismiss message' }).click();
    // Not a number: refused at once.
    await p.getByLabel('Number to call').fill('hello world');
    await p.getByRole('button', { name: 'Call', exact: true }).click();
    await p.locator('.notice-error', { hasText: 'That is not a number to call.' }).waitFor();
    await p.getByRole('button', { name: 'Dismiss message' }).click();
    await p.getByLabel('Number to call').fill('');
  }, 60_000);
});

describe('a call from the connector: attestation, wrap-up limit, calling back', () => {
  it('shows the STIR/SHAKEN badge, counts the wrap-up down, and calls the caller back from the form', async () => {
    const p = page();
    await setAvailable(p);
    const caller = await dial(server!.url, CALLER);
    callers.push(caller);
    await caller.waitFor('call.answered');
    // The simulator's attestation travels with call.started; this call was dialed without one.
    const pop = p.locator(`.pop-card[data-call-id="${caller.callId}"]`);
    await caller.digits('1');
    await pop.waitFor();
    expect(await pop.locator('[data-attestation]').count()).toBe(0);
    await caller.hangup();
    await pop.waitFor({ state: 'detached' });
    await p.locator('.notice', { hasText: 'the caller hung up' }).waitFor();
    await p.getByRole('button', { name: 'Dismiss message' }).click();

    const res = await fetch(`${server!.url}/api/simulator/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: CALLER, to: '+18005550100', attestation: 'A' }) });
    expect(res.status).toBe(201);
    const { callId } = (await res.json()) as { callId: string };
    await fetch(`${server!.url}/api/simulator/calls/${callId}/digits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ digits: '1' }) });
    const attested = p.locator(`.pop-card[data-call-id="${callId}"]`);
    await attested.locator('[data-attestation="A"]', { hasText: 'Verified caller ID' }).waitFor();
    await screenshot(p, 'widget-attestation');
    await attested.getByRole('button', { name: 'Answer' }).click();
    await p.locator(`.on-call[data-call-id="${callId}"] [data-attestation="A"]`).waitFor();
    await p.locator('.on-call').getByRole('button', { name: 'Hang up' }).click();

    // After-call work with a limit: the form counts down, then the agent is available again.
    const form = p.locator(`.case-form[data-call-id="${callId}"]`);
    await form.locator('[data-field="wrap-countdown"][data-state="running"]', { hasText: 'Wrap-up ends in' }).waitFor();
    await p.locator('.topbar[data-agent-state="after-call-work"]').waitFor();
    await screenshot(p, 'widget-wrap-up-timer');
    await form.locator('[data-field="wrap-countdown"][data-state="over"]').waitFor({ timeout: (WRAP_UP_SECONDS + 10) * 1000 });
    await p.locator('.topbar[data-agent-state="available"]').waitFor();
    // The form stays (nothing typed is lost) ...
    await form.waitFor();

    // ... and the caller's number in it calls them back from the softphone.
    await p.locator('#agent-state').selectOption('away');
    await p.locator('.topbar[data-agent-state="away"]').waitFor();
    const uas = track(await sippServer(kamailio!));
    await form.getByRole('link', { name: CALLER }).click();
    await uas.waitFor(/INVITE sip:\+14155550123@switchboard\.test SIP\/2\.0/);
    await p.locator('.phone-card[data-phone-state="established"][data-direction="out"]').waitFor();
    await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
    expect((await uas.done).code).toBe(0);
    await form.getByRole('button', { name: 'Close without a case' }).click();
    await form.waitFor({ state: 'detached' });
  }, 90_000);
});

describe('audio devices', () => {
  it('lists the microphones and outputs, keeps the choice across a reload, and uses it for the next call', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Audio devices' }).click();
    const mic = p.locator('#device-microphone');
    await mic.waitFor();
    const options = async (sel: string) => p.locator(`${sel} option`).evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, label: e.textContent ?? '' })));
    const mics = await options('#device-microphone');
    const outs = await options('#device-speaker');
    // Chromium's fake devices: a default plus named inputs and outputs.
    expect(mics[0]).toEqual({ value: '', label: 'System default' });
    expect(mics.length).toBeGreaterThan(2);
    expect(mics.slice(1).every((m) => /Fake/i.test(m.label))).toBe(true);
    expect(outs.length).toBeGreaterThan(2);
    expect(await options('#device-ringer')).toEqual(outs);

    const chosenMic = mics[mics.length - 1]!;
    const speaker = outs[1]!;
    const ringer = outs[outs.length - 1]!;
    expect(speaker.value).not.toBe(ringer.value);
    await mic.selectOption(chosenMic.value);
    await p.locator('#device-speaker').selectOption(speaker.value);
    await p.locator('#device-ringer').selectOption(ringer.value);
    await screenshot(p, 'widget-devices');

    await p.reload();
    await phoneIs(p, 'registered');
    await p.getByRole('button', { name: 'Audio devices' }).click();
    await p.locator('#device-microphone').waitFor();
    expect(await p.locator('#device-microphone').inputValue()).toBe(chosenMic.value);
    expect(await p.locator('#device-speaker').inputValue()).toBe(speaker.value);
    expect(await p.locator('#device-ringer').inputValue()).toBe(ringer.value);
    await p.getByRole('button', { name: 'Close' }).click();
    await p.locator('#devices-panel').waitFor({ state: 'detached' });

    // The next call rings on the ringer device and plays on the speaker, from the chosen microphone.
    const c = track(await sippCall(kamailio!, { to: 'alice', from: CALLER }));
    await p.locator('.phone-card[data-phone-state="ringing"]').waitFor();
    await expect.poll(() => p.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-audio="ringer"]')?.sinkId)).toBe(ringer.value);
    await p.locator('.phone-card').getByRole('button', { name: 'Answer' }).click();
    await p.locator('.phone-card[data-phone-state="established"]').waitFor();
    expect(await p.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-audio="call"]')?.sinkId)).toBe(speaker.value);
    await expect.poll(() => p.locator('[data-field="microphone"]').textContent()).toBe(`Microphone: ${chosenMic.label}`);
    await p.locator('.phone-card').getByRole('button', { name: 'Hang up' }).click();
    expect((await c.done).code).toBe(0);
  }, 90_000);
});
