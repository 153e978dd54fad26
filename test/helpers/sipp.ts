/**
 * sipp (Debian's sip-tester) as the caller in the softphone tests. Runs one
 * call of a scenario from test/sip/ against Kamailio's UDP port and records
 * every message sent and received (-trace_msg), so a test can assert what the
 * far end saw: the 200 OK, the INFO with the key, the re-INVITE with a=sendonly.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

export async function sippCall(k: Kamailio, opts: { to: string; from: string; scenario?: string; timeoutS?: number; extraArgs?: string[] }): Promise<SippCall> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-'));
  const scenario = fileURLToPath(new URL(`../sip/${opts.scenario ?? 'uac-call'}.xml`, import.meta.url));
  const messageFile = join(dir, 'messages.log');
  const [port, mediaPort] = [await freeUdpPort(), await freeUdpPort()];
  const args = [
    '-sf', scenario,
    '-s', opts.to,
    '-key', 'domain', k.domain,
    '-key', 'caller', opts.from,
    '-i', '127.0.0.1', '-p', String(port),
    '-mi', '127.0.0.1', '-mp', String(mediaPort),
    '-m', '1', '-l', '1',
    '-nostdin',
    '-timeout', `${opts.timeoutS ?? 90}s`, '-timeout_error',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    ...(opts.extraArgs ?? []),
    `127.0.0.1:${k.udpPort}`,
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
