/** The asterisk adapter's config keys and how they become adapter options. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptMedia } from '../../adapters/asterisk/prompts.js';
import { asteriskOptions, type AsteriskAdapterConfig } from '../../connector/adapters/asterisk.js';
import { parseConfig } from '../../connector/config/load.js';
import { ConfigError } from '../../connector/errors.js';

const agents = [
  { username: 'alice', displayName: 'Alice', passwordHash: 'scrypt$32768$8$1$YQ==$YQ==', queues: ['support'], endpoint: 'PJSIP/alice' },
  { username: 'bob', displayName: 'Bob', passwordHash: 'scrypt$32768$8$1$YQ==$YQ==', queues: ['support'], endpoint: 'PJSIP/webrtc-bob' },
  { username: 'carol', displayName: 'Carol', passwordHash: 'scrypt$32768$8$1$YQ==$YQ==', queues: ['support'] },
];

function parse(adapter: Record<string, unknown>) {
  return parseConfig({ adapters: [{ id: 'pbx1', kind: 'asterisk', url: 'http://pbx.example:8088/ari', username: 'switchboard', ...adapter }], agents });
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

describe('asterisk adapter config', () => {
  it('defaults', () => {
    const a = parse({ password: 'secret' }).adapters[0] as AsteriskAdapterConfig;
    expect(a).toMatchObject({ application: 'switchboard', auth: 'basic', requestTimeoutMs: 5_000, reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 }, originateTimeoutSec: 60, observe: false, prompts: { sounds: {} } });
  });

  it('exactly one password source; a dial template needs {number}; a prompt URL template is http(s)', () => {
    expect(problems({})).toEqual(['adapters[0].password: expected exactly one of password, passwordEnv, passwordFile']);
    expect(problems({ password: 'x', passwordEnv: 'ARI_PASSWORD' })).toEqual(['adapters[0].password: expected exactly one of password, passwordEnv, passwordFile']);
    expect(problems({ password: 'x', dial: { endpointTemplate: 'PJSIP/trunk' } })).toEqual(['adapters[0].dial.endpointTemplate: expected a dial string with {number}']);
    expect(problems({ password: 'x', prompts: { urlTemplate: 'file:///tmp/{id}.wav' } })).toEqual(['adapters[0].prompts.urlTemplate: expected an http(s) URL template']);
    expect(problems({ password: 'x', auth: 'digest' })[0]).toMatch(/^adapters\[0\]\.auth: /);
  });

  it('the password from the environment or a file; a missing one is a config error', () => {
    const cfg = parse({ passwordEnv: 'ARI_PASSWORD' });
    const env = cfg.adapters[0] as AsteriskAdapterConfig;
    expect(asteriskOptions(env, { agents: cfg.agents, env: { ARI_PASSWORD: 's3cret' } }).credentials).toEqual({ username: 'switchboard', password: 's3cret', mode: 'basic' });
    expect(() => asteriskOptions(env, { agents: cfg.agents, env: {} })).toThrow(ConfigError);
    const file = join(mkdtempSync(join(tmpdir(), 'sb-ari-')), 'ari.secret');
    writeFileSync(file, 'from-a-file\n');
    const fromFile = parse({ passwordFile: file, auth: 'api_key' }).adapters[0] as AsteriskAdapterConfig;
    expect(asteriskOptions(fromFile, { agents: cfg.agents }).credentials).toEqual({ username: 'switchboard', password: 'from-a-file', mode: 'api_key' });
  });

  it('observe mode watches the agents that have an endpoint; switchboardUrl serves text prompts from Switchboard', () => {
    const cfg = parse({ password: 'x', observe: true, prompts: { switchboardUrl: 'http://10.0.0.2:3000' } });
    const a = cfg.adapters[0] as AsteriskAdapterConfig;
    const asked: string[] = [];
    const o = asteriskOptions(a, { agents: cfg.agents, prompts: { promptUrl: (p, base) => (asked.push(p.text), `${base}/prompts/abc.wav`) } });
    expect(o.observeEndpoints).toEqual(['PJSIP/alice', 'PJSIP/webrtc-bob']);
    expect(promptMedia({ id: 'w', text: 'Welcome.' }, o.prompts)).toBe('sound:http://10.0.0.2:3000/prompts/abc.wav');
    expect(asked).toEqual(['Welcome.']);
  });
});
