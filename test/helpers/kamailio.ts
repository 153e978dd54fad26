/**
 * Debian's Kamailio as the registrar and proxy of the softphone tests, started
 * from test/sip/kamailio.cfg.tpl on free loopback ports: WebSocket (plain ws)
 * for the widget, UDP for sipp. It runs in its own process group, and stop()
 * sends SIGTERM to the whole group (FIELD-NOTES.md: SIGKILL on the main process
 * leaves children holding the ports). restart() keeps the ports, so the widget
 * can find it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort } from './ports.js';

export const KAMAILIO_PATH = process.env['KAMAILIO_PATH'] ?? '/usr/sbin/kamailio';
/** Debian installs the modules under the architecture's multiarch directory. */
function modulesDir(): string {
  const fromEnv = process.env['KAMAILIO_MODULES'];
  if (fromEnv) return fromEnv;
  const multiarch = readdirSync('/usr/lib').filter((d) => d.endsWith('-linux-gnu')).map((d) => `/usr/lib/${d}/kamailio/modules/`);
  return multiarch.find((d) => existsSync(join(d, 'websocket.so'))) ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules/';
}
const TEMPLATE = fileURLToPath(new URL('../sip/kamailio.cfg.tpl', import.meta.url));

export interface Kamailio {
  readonly domain: string;
  readonly password: string;
  readonly udpPort: number;
  readonly wsPort: number;
  /** Where Kamailio sends calls to numbers (`sip:+1415...@domain`): the "trunk", a sipp UAS in the tests. */
  readonly trunkPort: number;
  /** ws://127.0.0.1:PORT */
  readonly wsUri: string;
  /** Everything Kamailio wrote to stderr so far (for failure messages). */
  log(): string;
  /** SIGTERM to the process group; resolves when the main process has exited. */
  stop(): Promise<void>;
  /** Starts again on the same ports (registrations are gone: usrloc keeps them in memory). */
  start(): Promise<void>;
  /** Stops it and deletes its config directory. */
  dispose(): Promise<void>;
}

export async function startKamailio(opts: { domain?: string; password?: string; debug?: number } = {}): Promise<Kamailio> {
  const domain = opts.domain ?? 'switchboard.test';
  const password = opts.password ?? 'sip-test-secret';
  const [udpPort, wsPort, trunkPort] = [await freeUdpPort(), await freeTcpPort(), await freeUdpPort()];
  const dir = mkdtempSync(join(tmpdir(), 'sb-kamailio-'));
  const cfg = join(dir, 'kamailio.cfg');
  const fill: Record<string, string> = {
    UDP_PORT: String(udpPort),
    WS_PORT: String(wsPort),
    TRUNK_PORT: String(trunkPort),
    DOMAIN: domain,
    SIP_PASSWORD: password,
    DEBUG: String(opts.debug ?? 1),
    MODULES: modulesDir(),
  };
  writeFileSync(cfg, readFileSync(TEMPLATE, 'utf8').replace(/%([A-Z_]+)%/g, (m, name: string) => fill[name] ?? m));

  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  // A test worker that dies without afterAll must not leave Kamailio holding ports.
  const orphanGuard = (): void => {
    const pid = proc?.pid;
    if (pid !== undefined && proc?.exitCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.once('exit', orphanGuard);

  const start = async (): Promise<void> => {
    // -DD: stay in the foreground (children too); -E: log to stderr; small memory pools.
    const child = spawn(KAMAILIO_PATH, ['-f', cfg, '-DD', '-E', '-m', '32', '-M', '4', '-Y', dir, '-w', dir], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    proc = child;
    child.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-200_000);
    });
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const failed = exited.then(() => {
      throw new Error(`kamailio exited during start-up:\n${output.slice(-4000)}`);
    });
    await Promise.race([waitForTcp(wsPort, 10_000), failed]);
    failed.catch(() => undefined);
  };

  const stop = async (): Promise<void> => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
    // The children exit after the main process; wait until nobody answers on the WebSocket port.
    await waitForTcpClosed(wsPort, 10_000);
  };

  await start();
  return {
    domain,
    password,
    udpPort,
    wsPort,
    trunkPort,
    wsUri: `ws://127.0.0.1:${wsPort}`,
    log: () => output,
    start,
    stop,
    async dispose() {
      await stop();
      process.off('exit', orphanGuard);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until a TCP connect succeeds (the listener is up), or throws after `timeoutMs`. */
async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tryConnect(port))) {
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForTcpClosed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await tryConnect(port)) {
    if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} still accepts after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
