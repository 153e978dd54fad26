/**
 * Building a FreeSWITCH adapter from its config entry (the connector's side of
 * adapters/freeswitch), and its line in `switchboard adapters check`.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Prompt } from '../../adapters/adapter.js';
import { connectEsl } from '../../adapters/freeswitch/esl/connection.js';
import { EslConnectFailed } from '../../adapters/freeswitch/esl/failures.js';
import { FreeSwitchAdapter } from '../../adapters/freeswitch/freeswitch-adapter.js';
import type { FreeSwitchAdapterOptions } from '../../adapters/freeswitch/options.js';
import type { AdapterConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';

export type FreeSwitchAdapterConfig = Extract<AdapterConfig, { kind: 'freeswitch' }>;

export interface FreeSwitchContext {
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Switchboard's prompt renderer (`PromptAudio.promptUrl`), for `prompts.switchboardUrl`. */
  prompts?: { promptUrl(prompt: Pick<Prompt, 'text' | 'language'>, baseUrl: string): string };
}

/** The Event Socket password from `password`, the environment variable `passwordEnv`, or the file `passwordFile`. */
export function freeswitchPassword(a: FreeSwitchAdapterConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (a.password !== undefined) return a.password;
  if (a.passwordEnv !== undefined) {
    const v = env[a.passwordEnv];
    if (!v) throw new ConfigError([`adapters.${a.id}.passwordEnv: the environment variable ${a.passwordEnv} is not set`]);
    return v;
  }
  try {
    return readFileSync(a.passwordFile ?? '', 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError([`adapters.${a.id}.passwordFile: cannot read ${a.passwordFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`], { cause: err });
  }
}

export function freeswitchOptions(a: FreeSwitchAdapterConfig, ctx: FreeSwitchContext = {}): FreeSwitchAdapterOptions {
  const base = a.prompts.switchboardUrl;
  const renderer = ctx.prompts;
  return {
    id: a.id,
    host: a.host,
    port: a.port,
    password: freeswitchPassword(a, ctx.env),
    application: a.application,
    requestTimeoutMs: a.requestTimeoutMs,
    reconnect: { initialMs: a.reconnect.initialDelayMs, maxMs: a.reconnect.maxDelayMs },
    probeIntervalMs: 15_000,
    originateTimeoutSec: a.originateTimeoutSec,
    mohSound: a.mohSound,
    prompts: {
      sounds: a.prompts.sounds,
      urlTemplate: a.prompts.urlTemplate,
      language: a.prompts.language,
      render: base && renderer ? (p) => renderer.promptUrl(p, base) : undefined,
    },
    recordingsDir: a.recordingsDir,
    transferContext: a.transferContext,
    ...(ctx.log ? { log: ctx.log.child({ adapter: a.id }) } : {}),
  };
}

export function createFreeSwitchAdapter(a: FreeSwitchAdapterConfig, ctx: FreeSwitchContext = {}): FreeSwitchAdapter {
  return new FreeSwitchAdapter(freeswitchOptions(a, ctx));
}

/**
 * `switchboard adapters check` for one FreeSWITCH: connect to the Event Socket,
 * authenticate, subscribe, and ask `api version`. Prints one line; returns 1 when
 * unreachable or refused.
 */
export async function checkFreeSwitch(a: FreeSwitchAdapterConfig, print: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const where = `${a.id} (freeswitch ${a.host}:${a.port})`;
  const conn = await connectEsl({
    host: a.host,
    port: a.port,
    password: freeswitchPassword(a, env),
    events: ['BACKGROUND_JOB'],
    timeoutMs: a.requestTimeoutMs,
    probeIntervalMs: 0,
    onEvent: () => {},
    onClose: () => {},
  });
  if (conn instanceof EslConnectFailed) {
    const why = conn.stage === 'auth' && conn.reply ? `authentication failed (${conn.reply}): check the password against event_socket.conf.xml` : conn.message;
    print(`${where}: unreachable: ${why}`);
    return 1;
  }
  try {
    const version = await conn.api('version', a.requestTimeoutMs);
    if (typeof version !== 'string') {
      print(`${where}: unreachable: ${version.message}`);
      return 1;
    }
    const v = /FreeSWITCH Version (\S+)/.exec(version)?.[1] ?? version.trim().split('\n')[0] ?? 'unknown version';
    print(`${where}: reachable, FreeSWITCH ${v}, events subscribed; calls need switchboard_app=${a.application} before park`);
    return 0;
  } finally {
    conn.close('check done');
  }
}
