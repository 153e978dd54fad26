/**
 * The freeswitch adapter's config keys, how they become adapter options, and
 * `switchboard adapters check` run as a real process against the fake Event Socket.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptMedia } from '../../adapters/freeswitch/prompts.js';
import { freeswitchOptions, type FreeSwitchAdapterConfig } from '../../connector/adapters/freeswitch.js';
import { parseConfig } from '../../connector/config/load.js';
import { ConfigError } from '../../connector/errors.js';
import { FakeEslServer } from './fake-esl/server.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-fs-config-'));

function parse(adapter: Record<string, unknown>) {
  return parseConfig({ adapters: [{ id: 'fs1', kind: 'freeswitch', host: '10.0.0.6', ...adapter }] });
}

function problems(adapter: Record<string, unknown>): string[] {
  try {
    parse(adapter);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('freeswitch adapter config', () => {
  it('defaults', () => {
    expect(parse({ password: 'ClueCon' }).adapters[0]).toMatchObject({
      port: 8021, application: 'switchboard', requestTimeoutMs: 5_000, reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 }, originateTimeoutSec: 60,
      mohSound: 'local_stream://moh', prompts: { sounds: {} }, recordingsDir: '/var/lib/freeswitch/recordings',
    });
  });

  it('exactly one password source; a port, a context and a directory that fit; freeswitch among the kinds', () => {
    expect(problems({})).toEqual(['adapters[0].password: expected exactly one of password, passwordEnv, passwordFile']);
    expect(problems({ password: 'x', passwordFile: '/etc/fs.secret' })).toEqual(['adapters[0].password: expected exactly one of password, passwordEnv, passwordFile']);
    expect(problems({ password: 'x', port: 70_000 })).toEqual(['adapters[0].port: expected a port from 1 to 65535']);
    expect(problems({ password: 'x', transferContext: 'a b' })).toEqual(['adapters[0].transferContext: expected a context name']);
    expect(problems({ password: 'x', recordingsDir: 'recordings' })).toEqual(['adapters[0].recordingsDir: expected an absolute path without spaces']);
    expect(problems({ password: 'x', prompts: { urlTemplate: 'file:///tmp/{id}.wav' } })).toEqual(['adapters[0].prompts.urlTemplate: expected an http(s) URL template']);
    expect(problems({ password: 'x', kind: 'freeswich' })[0]).toMatch(/expected kind to be one of: .*freeswitch/);
  });

  it('the password from the environment or a file; a missing one is a config error', () => {
    const env = parse({ passwordEnv: 'ESL_PASSWORD' }).adapters[0] as FreeSwitchAdapterConfig;
    expect(freeswitchOptions(env, { env: { ESL_PASSWORD: 's3cret' } }).password).toBe('s3cret');
    expect(() => freeswitchOptions(env, { env: {} })).toThrow(ConfigError);
    const file = join(dir, 'esl.secret');
    writeFileSync(file, 'from-a-file\n');
    expect(freeswitchOptions(parse({ passwordFile: file }).adapters[0] as FreeSwitchAdapterConfig).password).toBe('from-a-file');
  });

  it('switchboardUrl: text prompts rendered by Switchboard, played through mod_http_cache', () => {
    const a = parse({ password: 'x', prompts: { switchboardUrl: 'http://10.0.0.2:3000' } }).adapters[0] as FreeSwitchAdapterConfig;
    const asked: string[] = [];
    const o = freeswitchOptions(a, { prompts: { promptUrl: (p, base) => (asked.push(p.text), `${base}/prompts/abc.wav`) } });
    expect(promptMedia({ id: 'w', text: 'Welcome.' }, o.prompts)).toBe('http_cache://http://10.0.0.2:3000/prompts/abc.wav');
    expect(asked).toEqual(['Welcome.']);
  });
});

const run = promisify(execFile);

async function check(configYaml: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, configYaml);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'adapters', 'check', '--config', file], {
      env: { ...process.env, ...env, SWITCHBOARD_LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('switchboard adapters check with a FreeSWITCH', () => {
  let fake: FakeEslServer;
  beforeAll(async () => {
    fake = await new FakeEslServer().start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('connects, authenticates, asks api version; a wrong password or a closed port is reported and exits 1', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await check(
      [
        'adapters:',
        `  - { id: fs1, kind: freeswitch, host: 127.0.0.1, port: ${fake.listenPort}, passwordEnv: ESL_PASSWORD }`,
        `  - { id: fs2, kind: freeswitch, host: 127.0.0.1, port: ${fake.listenPort}, password: wrong }`,
        `  - { id: fs3, kind: freeswitch, host: 127.0.0.1, port: ${closedPort}, password: x, requestTimeoutMs: 2000 }`,
        '',
      ].join('\n'),
      { ESL_PASSWORD: fake.password },
    );
    expect(r.stdout.trim().split('\n')).toEqual([
      `fs1 (freeswitch 127.0.0.1:${fake.listenPort}): reachable, FreeSWITCH 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit, events subscribed; calls need switchboard_app=switchboard before park`,
      `fs2 (freeswitch 127.0.0.1:${fake.listenPort}): unreachable: authentication failed (-ERR invalid): check the password against event_socket.conf.xml`,
      expect.stringMatching(new RegExp(`^fs3 \\(freeswitch 127\\.0\\.0\\.1:${closedPort}\\): unreachable: connecting to 127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`)),
    ]);
    expect(r.code).toBe(1);
    expect(fake.problems).toEqual([]);
  });
});
