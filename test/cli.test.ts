/** The `switchboard` command, run as a real process (through tsx). */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../connector/auth/password.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));

async function switchboard(args: string[], env: Record<string, string> = {}, input?: string) {
  const child = run(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', ...args], {
    env: { ...process.env, ...env, SWITCHBOARD_LOG_LEVEL: 'silent' },
    timeout: 30_000,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('switchboard CLI', () => {
  it('a bad config stops start-up with exit code 2 and one line per problem', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: -1\nadapters:\n  - id: pbx\n    kind: asterisk\n    url: nope\n    username: u\n    password: p\n');
    const r = await switchboard(['serve', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'switchboard: invalid configuration',
      'server.port: expected a port from 0 to 65535',
      'adapters[0].url: expected a URL',
    ]);
  });

  it('config check accepts the embedded default', async () => {
    const r = await switchboard(['config', 'check']);
    expect(r).toMatchObject({ code: 0, stdout: 'embedded default: ok\n' });
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const r = await switchboard(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('hash-password prints a scrypt hash that verifies, from an argument or stdin', async () => {
    const a = await switchboard(['hash-password', 'correct horse']);
    expect(a.code).toBe(0);
    expect(await verifyPassword('correct horse', a.stdout.trim())).toBe(true);
    const b = await switchboard(['hash-password'], {}, 'battery staple\n');
    expect(await verifyPassword('battery staple', b.stdout.trim())).toBe(true);
  });

  it('import contacts reports rows imported and rejected with reasons', async () => {
    const dataDir = join(dir, 'data');
    const csv = join(dir, 'contacts.csv');
    writeFileSync(
      csv,
      ['first_name,last_name,email,phone', 'Mary,Somerville,mary@example.com,(415) 555-0142', 'No,Phone,np@example.com,', 'Bad,Number,bn@example.com,12'].join('\n') + '\n',
    );
    const r = await switchboard(['import', 'contacts', csv], { SWITCHBOARD_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('imported 1 contact, rejected 2');
    expect(lines[1]).toMatch(/^ {2}line 3: /);
    expect(lines[2]).toMatch(/^ {2}line 4: .*12/);
  });
});
