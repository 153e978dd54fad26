/** `switchboard adapters check`, run as a real process against the fake ARI server. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAriServer } from './fake-ari/server.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sb-adapters-check-'));

async function check(configYaml: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, configYaml);
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'adapters', 'check', '--config', file], {
      env: { ...process.env, ...env, SWITCHBOARD_LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('switchboard adapters check', () => {
  let fake: FakeAriServer;
  beforeAll(async () => {
    fake = await new FakeAriServer().start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('prints each adapter reachable with its version; exit 0', async () => {
    const r = await check(
      `adapters:\n  - { id: sim, kind: simulator }\n  - { id: pbx1, kind: asterisk, url: "${fake.url}", username: switchboard, passwordEnv: ARI_PASSWORD, auth: api_key }\n`,
      { ARI_PASSWORD: fake.password },
    );
    expect(r.stdout.trim().split('\n')).toEqual([
      'sim (simulator): reachable, built into Switchboard',
      `pbx1 (asterisk ${fake.url}): reachable, Asterisk 22.10.1, application switchboard: not connected (no Switchboard is attached to it now)`,
    ]);
    expect(r.code).toBe(0);
  });

  it('exit 1 when one is unreachable or refuses the credentials', async () => {
    // A port nobody listens on: take a free one and close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await check(
      `adapters:\n  - { id: pbx1, kind: asterisk, url: "${fake.url}", username: switchboard, password: wrong }\n  - { id: pbx2, kind: asterisk, url: "http://127.0.0.1:${closedPort}/ari", username: u, password: p, requestTimeoutMs: 2000 }\n`,
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`pbx1 (asterisk ${fake.url}): unreachable: authentication failed (401): check username and password against ari.conf`);
    expect(lines[1]).toMatch(new RegExp(`^pbx2 \\(asterisk http://127\\.0\\.0\\.1:${closedPort}/ari\\): unreachable: GET /asterisk/info: .*ECONNREFUSED`));
    expect(r.code).toBe(1);
  });
});
