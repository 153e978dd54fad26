/** The twilio adapter's config keys, how they become adapter options, and its `adapters check` line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTwilio, twilioOptions, type TwilioAdapterConfig } from '../../connector/adapters/twilio.js';
import { checkAdapters } from '../../connector/cli/adapters-check.js';
import { parseConfig } from '../../connector/config/load.js';
import { ConfigError } from '../../connector/errors.js';
import { ACCOUNT_SID } from './helpers.js';

function parse(adapter: Record<string, unknown>) {
  return parseConfig({ adapters: [{ id: 'tw1', kind: 'twilio', accountSid: ACCOUNT_SID, publicUrl: 'https://sb.example.com', ...adapter }] });
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

describe('twilio adapter config', () => {
  it('defaults', () => {
    const a = parse({ tokenEnv: 'TWILIO_AUTH_TOKEN' }).adapters[0] as TwilioAdapterConfig;
    expect(a).toMatchObject({
      apiBaseUrl: 'https://api.twilio.com', requestTimeoutMs: 5_000, ringTimeoutSec: 60, holdPauseSec: 5,
      gather: { timeoutSec: 1, entryMaxDigits: 20, entryTimeoutSec: 1 }, prompts: { sounds: {}, tts: 'switchboard' },
    });
    const o = twilioOptions(a, { env: { TWILIO_AUTH_TOKEN: 'from-env' } });
    expect(o).toMatchObject({ webhookPath: '/twilio/tw1', publicUrl: 'https://sb.example.com', authToken: 'from-env' });
  });

  it('exactly one token source; an Account SID; an http(s) public URL; a clean webhook path', () => {
    expect(problems({})).toEqual(['adapters[0].token: expected exactly one of token, tokenEnv, tokenFile']);
    expect(problems({ token: 'x', tokenEnv: 'T' })).toEqual(['adapters[0].token: expected exactly one of token, tokenEnv, tokenFile']);
    expect(problems({ token: 'x', accountSid: 'AC123' })).toEqual(['adapters[0].accountSid: expected an Account SID: AC and 32 hex digits']);
    expect(problems({ token: 'x', publicUrl: 'ftp://sb.example.com' })).toEqual(['adapters[0].publicUrl: expected the http(s) URL Twilio reaches Switchboard at']);
    expect(problems({ token: 'x', webhookPath: '/twilio/../x' })).toEqual(['adapters[0].webhookPath: expected a path such as /twilio/main']);
    expect(problems({ token: 'x', callerId: '4155550100' })).toEqual(['adapters[0].callerId: expected an E.164 number']);
    expect(problems({ token: 'x', gather: { timeoutSec: 0 } })[0]).toMatch(/^adapters\[0\]\.gather\.timeoutSec: /);
    expect(problems({ token: 'x', kind: 'twillio' })[0]).toMatch(/^adapters\[0\]\.kind: expected kind to be one of: .*\btwilio\b/);
  });

  it('the token from a file; a missing env variable or file is a config error naming the key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-twilio-')), 'token');
    writeFileSync(file, 'from-a-file\n');
    expect(twilioOptions(parse({ tokenFile: file }).adapters[0] as TwilioAdapterConfig).authToken).toBe('from-a-file');
    expect(() => twilioOptions(parse({ tokenEnv: 'NOPE_NOT_SET' }).adapters[0] as TwilioAdapterConfig, { env: {} })).toThrow(/adapters\.tw1\.tokenEnv/);
    expect(() => twilioOptions(parse({ tokenFile: '/nonexistent/token' }).adapters[0] as TwilioAdapterConfig)).toThrow(/adapters\.tw1\.tokenFile/);
  });

  it('text prompts are played from <publicUrl>/prompts/<hash>.wav when Switchboard renders them', () => {
    const a = parse({ token: 'x', publicUrl: 'https://sb.example.com/' }).adapters[0] as TwilioAdapterConfig;
    const o = twilioOptions(a, { prompts: { promptUrl: (_p, base) => `${base}/prompts/abc.wav` } });
    expect(o.prompts.render?.({ id: 'w', text: 'Welcome.' })).toBe('https://sb.example.com/prompts/abc.wav');
  });
});

describe('switchboard adapters check (twilio)', () => {
  it('prints the URLs to set in the console, says the REST API was not tried, never prints the token', async () => {
    const lines: string[] = [];
    const cfg = parse({ token: 'super-secret-token' });
    expect(await checkAdapters(cfg, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([
      'tw1 (twilio AC0123...): configured; voice URL https://sb.example.com/twilio/tw1/voice, status callback https://sb.example.com/twilio/tw1/status; ' +
        'not verified: api.twilio.com cannot be reached from here, so the credentials were not tried',
    ]);
    expect(lines.join('')).not.toContain('super-secret-token');
  });

  it('a token that cannot be read is a failure (exit 1)', () => {
    const lines: string[] = [];
    const a = parse({ tokenEnv: 'TWILIO_TOKEN_UNSET' }).adapters[0] as TwilioAdapterConfig;
    expect(checkTwilio(a, (l) => lines.push(l), {})).toBe(1);
    expect(lines[0]).toBe('tw1 (twilio AC0123...): misconfigured: adapters.tw1.tokenEnv: the environment variable TWILIO_TOKEN_UNSET is not set');
  });
});
