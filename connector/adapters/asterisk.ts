/** Building an Asterisk adapter from its config entry (the connector's side of adapters/asterisk). */
import { readSecret } from '../config/secrets.js';
import type { Logger } from 'pino';
import type { Prompt } from '../../adapters/adapter.js';
import { AsteriskAdapter } from '../../adapters/asterisk/asterisk-adapter.js';
import type { AsteriskAdapterOptions } from '../../adapters/asterisk/options.js';
import type { AdapterConfig, AgentConfig } from '../config/schema.js';

export type AsteriskAdapterConfig = Extract<AdapterConfig, { kind: 'asterisk' }>;

export interface AsteriskContext {
  agents: readonly AgentConfig[];
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Switchboard's prompt renderer (`PromptAudio.promptUrl`), for `prompts.switchboardUrl`. */
  prompts?: { promptUrl(prompt: Pick<Prompt, 'text' | 'language'>, baseUrl: string): string };
}

/** The ARI password from `password`, the environment variable `passwordEnv`, or the file `passwordFile`. */
export function asteriskPassword(a: AsteriskAdapterConfig, env: NodeJS.ProcessEnv = process.env): string {
  return readSecret({ value: a.password, env: a.passwordEnv, file: a.passwordFile }, `adapters.${a.id}.password`, env);
}

export function asteriskOptions(a: AsteriskAdapterConfig, ctx: AsteriskContext): AsteriskAdapterOptions {
  const base = a.prompts.switchboardUrl;
  const renderer = ctx.prompts;
  return {
    id: a.id,
    url: a.url,
    application: a.application,
    credentials: { username: a.username, password: asteriskPassword(a, ctx.env), mode: a.auth },
    requestTimeoutMs: a.requestTimeoutMs,
    reconnect: { initialMs: a.reconnect.initialDelayMs, maxMs: a.reconnect.maxDelayMs },
    pingIntervalMs: 15_000,
    originateTimeoutSec: a.originateTimeoutSec,
    mohClass: a.mohClass,
    prompts: {
      sounds: a.prompts.sounds,
      urlTemplate: a.prompts.urlTemplate,
      language: a.prompts.language,
      render: base && renderer ? (p) => renderer.promptUrl(p, base) : undefined,
    },
    observeEndpoints: a.observe ? [...new Set(ctx.agents.flatMap((g) => (g.endpoint ? [g.endpoint] : [])))] : [],
    dialEndpointTemplate: a.dial?.endpointTemplate,
    dialCallerId: a.dial?.callerId,
    transferContext: a.transferContext,
    ...(ctx.log ? { log: ctx.log.child({ adapter: a.id }) } : {}),
  };
}

export function createAsteriskAdapter(a: AsteriskAdapterConfig, ctx: AsteriskContext): AsteriskAdapter {
  return new AsteriskAdapter(asteriskOptions(a, ctx));
}
