/**
 * The rig of the softphone tests: Kamailio on loopback, a Switchboard whose
 * agent alice has SIP settings for it (bob stays on a desk phone), and Debian's
 * Chromium with fake media devices. Screenshots go to docs/screenshots/.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import type { Kamailio } from '../helpers/kamailio.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const UI_TIMEOUT = 20_000;
/** Chromium flags for calls: fake microphone and camera, no permission prompt (FIELD-NOTES.md). */
export const MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

export async function buildWidget(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-widget.mjs')], { cwd: ROOT });
}

/** The demo agents, alice with a softphone on `k`. */
export function agentsWithSip(k: Kamailio) {
  return DEMO_AGENTS.map((a) =>
    a.username === 'alice'
      ? { ...a, queues: [...a.queues], sip: { wsUri: k.wsUri, aor: `sip:alice@${k.domain}`, password: k.password, registerExpiresSec: 600 } }
      : { ...a, queues: [...a.queues] },
  );
}

export function startSoftphoneServer(k: Kamailio, opts: { port?: number; dataDir?: string } = {}): Promise<TestServer> {
  return startTestServer({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    config: { server: { host: '127.0.0.1', port: opts.port ?? 0 }, agents: agentsWithSip(k) },
  });
}

export function launchPhoneBrowser(): Promise<TestBrowser> {
  return launchBrowser({ viewport: { width: 1280, height: 800 }, args: MEDIA_ARGS });
}

/** Opens the widget and signs in unless a stored session already did; waits for the socket. */
export async function signIn(p: Page, baseUrl: string, username = 'alice', password = 'alice-demo'): Promise<void> {
  p.setDefaultTimeout(UI_TIMEOUT);
  await p.goto(`${baseUrl}/agent/`);
  await p.locator('#login-username, .topbar').first().waitFor();
  if (await p.locator('#login-username').isVisible()) {
    await p.locator('#login-username').fill(username);
    await p.locator('#login-password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }
  await p.locator('.connection[data-status="connected"]').waitFor();
}

export async function setAvailable(p: Page): Promise<void> {
  await p.locator('#agent-state').selectOption('available');
  await p.locator('.topbar[data-agent-state="available"]').waitFor();
  await p.locator('#agent-state:not([aria-busy])').waitFor();
}

/** Waits for the phone chip to say `state` (`registered`, `unreachable`, ...). */
export async function phoneIs(p: Page, state: string, timeout = UI_TIMEOUT): Promise<void> {
  await p.locator(`.phone-chip[data-registration="${state}"]`).waitFor({ timeout });
}

export async function screenshot(p: Page, name: string): Promise<void> {
  await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true });
  await p.screenshot({ path: join(ROOT, 'docs', 'screenshots', `${name}.png`), animations: 'disabled' });
}
