/**
 * Call waiting with the browser softphone: Kamailio, two sipp callers as the
 * PBX's agent legs, SIP.js in Chromium. alice (maxCalls 2) answers a second
 * pop during a call: her phone accepts the second INVITE instead of 486 Busy
 * Here, holds the first leg with a re-INVITE (a=sendonly) before it answers,
 * swaps back on Resume (sendonly on the second, sendrecv on the first), and
 * hangs each leg up from its own row.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADA_E164, UNKNOWN_E164 } from '../../connector/store/seed.js';
import type { TestBrowser } from '../helpers/browser.js';
import { startKamailio, type Kamailio } from '../helpers/kamailio.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sippCall, type SippCall } from '../helpers/sipp.js';
import { agentHolds, dial, eventually, type CallerSession } from './simulator.js';
import { agentsWithSip, buildWidget, launchPhoneBrowser, phoneIs, screenshot, setAvailable, signIn } from './softphone-harness.js';

let kamailio: Kamailio | undefined;
let server: TestServer | undefined;
let browser: TestBrowser | undefined;
const sipps: SippCall[] = [];
const callers: CallerSession[] = [];

beforeAll(async () => {
  await buildWidget();
  kamailio = await startKamailio();
  [server, browser] = await Promise.all([
    startTestServer({ config: { server: { host: '127.0.0.1', port: 0 }, agents: agentsWithSip(kamailio), routing: { maxCallsPerAgent: 2 } } }),
    launchPhoneBrowser(),
  ]);
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

/** A caller in the simulator who chose support, and the PBX's leg to alice's softphone for that call (sipp). */
async function callWithLeg(p: Page, from: string): Promise<{ caller: CallerSession; leg: SippCall }> {
  const caller = await dial(server!.url, from);
  callers.push(caller);
  await caller.waitFor('call.answered');
  await caller.digits('1');
  await p.locator(`.pop-card[data-call-id="${caller.callId}"]`).waitFor();
  // The leg rings once the pop is on screen: the widget links it to the one pop not yet linked.
  const leg = await sippCall(kamailio!, { to: 'alice', from });
  sipps.push(leg);
  await leg.waitFor(/180 Ringing/);
  return { caller, leg };
}

/** The a= direction of each re-INVITE sipp received (its own INVITE was sent, not received). */
function reinvites(leg: SippCall): string[] {
  return [...leg.messages().matchAll(/message received[^\n]*\n\s*INVITE sip:[\s\S]*?a=(sendonly|sendrecv|inactive|recvonly)/g)].map((m) => m[1]!);
}

describe('softphone call waiting', () => {
  it('rings a second linked INVITE, holds the first leg before answering it, swaps on Resume, hangs up each leg', async () => {
    const p = browser!.page;
    await signIn(p, server!.url);
    await phoneIs(p, 'registered');
    await setAvailable(p);

    const first = await callWithLeg(p, ADA_E164);
    await p.locator(`.pop-card[data-call-id="${first.caller.callId}"]`).getByRole('button', { name: 'Answer' }).click();
    await first.caller.waitFor('call.connected');
    await first.leg.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
    await p.locator(`.on-call[data-call-id="${first.caller.callId}"]`).waitFor();

    const second = await callWithLeg(p, UNKNOWN_E164);
    // Not 486 Busy Here: the second INVITE rings while the first call goes on.
    expect(second.leg.messages()).not.toMatch(/486 Busy Here/);
    expect(reinvites(first.leg)).toEqual([]);
    await p.locator(`.pop-card[data-call-id="${second.caller.callId}"]`).getByRole('button', { name: 'Answer' }).click();
    await second.caller.waitFor('call.connected');
    await second.leg.waitFor(/SIP\/2\.0 200 OK[\s\S]*ACK sip:/);
    // The first leg was held by the softphone (re-INVITE) and its caller by the PBX (music).
    await eventually(() => reinvites(first.leg), ['sendonly']);
    await eventually(() => agentHolds(first.caller), ['hold.started']);
    await p.locator(`.held-call[data-call-id="${first.caller.callId}"]`).waitFor();
    await p.locator(`.on-call[data-call-id="${second.caller.callId}"]`).waitFor();
    await screenshot(p, 'softphone-call-waiting');

    // Resume the first: the second leg is held, the first comes back.
    await p.locator(`.held-call[data-call-id="${first.caller.callId}"]`).getByRole('button', { name: 'Resume' }).click();
    await eventually(() => reinvites(second.leg), ['sendonly']);
    await eventually(() => reinvites(first.leg), ['sendonly', 'sendrecv']);
    await eventually(() => agentHolds(second.caller), ['hold.started']);
    await eventually(() => agentHolds(first.caller), ['hold.started', 'hold.stopped']);
    await p.locator(`.on-call[data-call-id="${first.caller.callId}"]`).waitFor();

    // Hang up the held one from its row, then the one alice talks to: each leg gets its BYE.
    await p.locator(`.held-call[data-call-id="${second.caller.callId}"]`).getByRole('button', { name: 'Hang up' }).click();
    await second.caller.waitFor('call.ended');
    expect((await second.leg.done).code).toBe(0);
    await p.locator(`.on-call[data-call-id="${first.caller.callId}"]`).getByRole('button', { name: 'Hang up' }).click();
    await first.caller.waitFor('call.ended');
    expect((await first.leg.done).code).toBe(0);
    await p.locator(`.case-form[data-call-id="${second.caller.callId}"]`).waitFor();
  }, 120_000);
});
