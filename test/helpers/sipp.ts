/**
 * sipp (Debian's sip-tester) as the far end in the softphone tests: the caller
 * (`sippCall`: one call of a scenario from test/sip/ against Kamailio's UDP
 * port) or the callee behind Kamailio's "trunk" (`sippServer`: answers one call
 * on `Kamailio.trunkPort`). Every message sent and received is recorded
 * (-trace_msg), so a test can assert what the far end saw: the 200 OK, the INFO
 * with the key, the re-INVITE with a=sendonly, the REFER and its Refer-To.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kamailio } from './kamailio.js';
import { freeUdpPort } from './ports.js';

export const SIPP_PATH = process.env['SIPP_PATH'] ?? '/usr/bin/sipp';

export interface SippCall {
  /** Resolves when sipp exits: code 0 means the scenario ran to its end (the agent's BYE answered). */
  readonly done: Promise<{ code: number | null; messages: string }>;
  /** The message trace so far. */
  messages(): string;
  /** What sipp reported as errors so far (unexpected messages, timeouts). */
  errors(): string;
  /** Resolves once the trace matches `pattern` (polled: sipp writes the trace as it goes). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Stops sipp (SIGTERM) and waits for it to exit; its files stay. */
  stop(): Promise<void>;
  /** Stops sipp and deletes its files. */
  dispose(): Promise<void>;
}

/**
 * `referAnswer`: how the caller answers a REFER (blind transfer) from the agent,
 * e.g. `[403, 'Forbidden']`; by default it accepts it (202).
 */
export async function sippCall(k: Kamailio, opts: { to: string; from: string; scenario?: string; timeoutS?: number; extraArgs?: string[]; referAnswer?: [number, string] }): Promise<SippCall> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-'));
  const [port, mediaPort] = [await freeUdpPort(), await freeUdpPort()];
  const fill = { REFER_STATUS: String(opts.referAnswer?.[0] ?? 202), REFER_REASON: opts.referAnswer?.[1] ?? 'Accepted' };
  return runSipp(dir, opts.scenario ?? 'uac-call', [
    '-s', opts.to,
    '-key', 'domain', k.domain,
    '-key', 'caller', opts.from,
    '-i', '127.0.0.1', '-p', String(port),
    '-mi', '127.0.0.1', '-mp', String(mediaPort),
    '-m', '1', '-l', '1',
    '-timeout', `${opts.timeoutS ?? 90}s`, '-timeout_error',
    ...(opts.extraArgs ?? []),
    `127.0.0.1:${k.udpPort}`,
  ], fill);
}

/**
 * sipp as the callee of the widget's outbound calls: listens on Kamailio's trunk
 * port (Kamailio sends calls to numbers there), answers one call with the
 * scenario, and exits 0 once the widget's BYE is answered. Resolves once sipp
 * holds the port, so a call placed afterwards reaches it.
 */
export async function sippServer(k: Kamailio, opts: { scenario?: string; timeoutS?: number } = {}): Promise<SippCall> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-uas-'));
  const mediaPort = await freeUdpPort();
  const sipp = await runSipp(dir, opts.scenario ?? 'uas-answer', [
    '-i', '127.0.0.1', '-p', String(k.trunkPort),
    '-mi', '127.0.0.1', '-mp', String(mediaPort),
    '-m', '1',
    '-timeout', `${opts.timeoutS ?? 90}s`, '-timeout_error',
  ]);
  await waitForUdpBound(k.trunkPort, sipp);
  return sipp;
}

/**
 * Polls until something holds the UDP port (sipp bound it), or sipp exited. Read
 * from /proc/net/udp rather than by trying to bind the port, which could take it
 * from sipp at the wrong moment.
 */
async function waitForUdpBound(port: number, sipp: SippCall, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void sipp.done.then(() => (exited = true));
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const bound = (): boolean =>
    readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex) === true);
  while (!bound()) {
    if (exited) throw new Error(`sipp exited before binding 127.0.0.1:${port}:\n${sipp.errors()}`);
    if (Date.now() > deadline) throw new Error(`sipp did not bind 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs sipp in `dir` on a copy of test/sip/<scenarioName>.xml with its %NAMES% filled from `fill`. */
async function runSipp(dir: string, scenarioName: string, specific: string[], fill: Record<string, string> = {}): Promise<SippCall> {
  const template = readFileSync(fileURLToPath(new URL(`../sip/${scenarioName}.xml`, import.meta.url)), 'utf8');
  const scenario = join(dir, `${scenarioName}.xml`);
  writeFileSync(scenario, template.replace(/%([A-Z_]+)%/g, (m, name: string) => fill[name] ?? m));
  const messageFile = join(dir, 'messages.log');
  const args = [
    '-sf', scenario,
    '-nostdin',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    ...specific,
  ];
  const child = spawn(SIPP_PATH, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await done;
    }
  };
  const read = (): string => (existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : '');
  const done = new Promise<{ code: number | null; messages: string }>((resolve) => {
    child.once('exit', (code) => {
      const errors = existsSync(join(dir, 'errors.log')) ? readFileSync(join(dir, 'errors.log'), 'utf8') : '';
      resolve({ code, messages: read() + (code === 0 ? '' : `\n--- sipp exit ${code}\n${stderr}\n${errors}`) });
    });
  });
  return {
    done,
    messages: read,
    errors: () => ['errors.log', 'calldebug.log'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')).join('\n'),
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(read())) {
        if (child.exitCode !== null) throw new Error(`sipp exited before ${pattern}:\n${read().slice(-3000)}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`sipp: no ${pattern} within ${timeoutMs} ms:\n${read().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
