/**
 * Data safety: `kill -9` during a burst of case saves loses no acknowledged case
 * and duplicates none; `switchboard backup` copies the store while it runs.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { api, login } from './helpers/clients.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
const children: ChildProcess[] = [];

/** Starts `switchboard serve` in its own process; resolves with its URL from the start-up log. */
function serve(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'serve'], {
    env: { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_PORT: '0', SWITCHBOARD_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'switchboard listening' && entry.url) resolve({ url: entry.url, child });
      } catch {
        /* not a log line */
      }
    });
  });
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('data safety', () => {
  it('kill -9 during a burst of saves: every acknowledged case is there exactly once', async () => {
    const first = await serve();
    const token = await login(first.url, 'alice');
    const acked = new Map<string, string>(); // key -> case number
    const sent: string[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const key = `crash-${w}-${i}`;
        sent.push(key);
        try {
          const r = await api(first.url, 'POST', '/api/cases', {
            token,
            headers: { 'Idempotency-Key': key },
            body: { subject: `burst ${key}`, type: 'technical_support', description: 'x'.repeat(200) },
          });
          if (r.status === 201) acked.set(key, r.body.number as string);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = [0, 1, 2, 3, 4, 5].map(worker);
    // Kill in the middle of the burst, once a good number of saves were acknowledged.
    while (acked.size < 150) await new Promise((r) => setImmediate(r));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(acked.size).toBeGreaterThanOrEqual(150);

    const second = await serve();
    const token2 = await login(second.url, 'alice');
    const listed = await api(second.url, 'GET', '/api/cases?agent=alice&limit=500', { token: token2 });
    const subjects = (listed.body.cases as Array<{ subject: string; number: string }>).filter((c) => c.subject.startsWith('burst '));
    for (const [key, number] of acked) {
      const matches = subjects.filter((c) => c.subject === `burst ${key}`);
      expect(matches, key).toHaveLength(1);
      expect(matches[0]?.number).toBe(number);
    }
    // Retrying every key sent (acknowledged or not) never makes a second case.
    for (const key of sent.slice(-12)) {
      const r = await api(second.url, 'POST', '/api/cases', {
        token: token2,
        headers: { 'Idempotency-Key': key },
        body: { subject: `burst ${key}`, type: 'technical_support', description: 'x'.repeat(200) },
      });
      expect([200, 201]).toContain(r.status);
      if (acked.has(key)) expect(r.status).toBe(200);
    }

    // A backup while it runs is a consistent copy.
    const out = join(dataDir, 'copy.db');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'backup', '--out', out], {
      env: { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_LOG_LEVEL: 'silent' },
    });
    expect(stdout.trim()).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ok \\(\\d+ cases\\)$`));
    second.child.kill('SIGTERM');
  }, 60_000);
});
