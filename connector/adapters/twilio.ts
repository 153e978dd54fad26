/**
 * Building a Twilio adapter from its config entry (the connector's side of
 * adapters/twilio), mounting the webhook routes of whichever Twilio adapters run
 * now, and its line in `switchboard adapters check`.
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { PbxAdapter, Prompt } from '../../adapters/adapter.js';
import type { TwilioAdapterOptions } from '../../adapters/twilio/options.js';
import { TwilioAdapter } from '../../adapters/twilio/twilio-adapter.js';
import type { AdapterConfig } from '../config/schema.js';
import { readSecret } from '../config/secrets.js';

export type TwilioAdapterConfig = Extract<AdapterConfig, { kind: 'twilio' }>;

export interface TwilioContext {
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Switchboard's prompt renderer (`PromptAudio.promptUrl`): text prompts are played from `<publicUrl>/prompts/<hash>.wav`. */
  prompts?: { promptUrl(prompt: Pick<Prompt, 'text' | 'language'>, baseUrl: string): string };
}

/** The auth token from `token`, the environment variable `tokenEnv`, or the file `tokenFile`. */
export function twilioToken(a: TwilioAdapterConfig, env: NodeJS.ProcessEnv = process.env): string {
  return readSecret({ value: a.token, env: a.tokenEnv, file: a.tokenFile }, `adapters.${a.id}.token`, env);
}

export function webhookPathOf(a: TwilioAdapterConfig): string {
  return a.webhookPath ?? `/twilio/${a.id}`;
}

export function twilioOptions(a: TwilioAdapterConfig, ctx: TwilioContext = {}): TwilioAdapterOptions {
  const publicUrl = a.publicUrl.replace(/\/+$/, '');
  const renderer = ctx.prompts;
  return {
    id: a.id,
    accountSid: a.accountSid,
    authToken: twilioToken(a, ctx.env),
    publicUrl,
    webhookPath: webhookPathOf(a),
    apiBaseUrl: a.apiBaseUrl,
    requestTimeoutMs: a.requestTimeoutMs,
    ringTimeoutSec: a.ringTimeoutSec,
    callerId: a.callerId,
    holdMusicUrl: a.holdMusicUrl,
    holdPauseSec: a.holdPauseSec,
    gather: a.gather,
    prompts: {
      sounds: a.prompts.sounds,
      urlTemplate: a.prompts.urlTemplate,
      tts: a.prompts.tts,
      voice: a.prompts.voice,
      language: a.prompts.language,
      render: renderer ? (p) => renderer.promptUrl(p, publicUrl) : undefined,
    },
    ...(ctx.log ? { log: ctx.log.child({ adapter: a.id }) } : {}),
  };
}

export function createTwilioAdapter(a: TwilioAdapterConfig, ctx: TwilioContext = {}): TwilioAdapter {
  return new TwilioAdapter(twilioOptions(a, ctx));
}

/**
 * The webhook routes of the Twilio adapters running now (`current` is asked on
 * every request: adapters are added and removed at run time). Mount it before any
 * body parser: the signature covers the raw body.
 */
export function twilioRoutes(current: () => readonly PbxAdapter[]): RequestHandler {
  return (req, res, next) => {
    const adapter = current().find((a): a is TwilioAdapter => a instanceof TwilioAdapter && req.path.startsWith(`${a.opts.webhookPath}/`));
    if (!adapter) return next();
    adapter.router()(req, res, next);
  };
}

/**
 * `switchboard adapters check` for one Twilio adapter. Twilio calls Switchboard, so
 * there is nothing to connect to; what can be checked here is the config (the token
 * can be read, the URLs to enter in the console). The REST API (api.twilio.com) is
 * not tried: it is not reachable from where this runs. Returns 1 when misconfigured.
 */
export function checkTwilio(a: TwilioAdapterConfig, print: (line: string) => void, env: NodeJS.ProcessEnv = process.env): number {
  const where = `${a.id} (twilio ${a.accountSid.slice(0, 6)}...)`;
  try {
    twilioToken(a, env);
  } catch (err) {
    print(`${where}: misconfigured: ${(err as { problems?: string[] }).problems?.join('; ') ?? (err as Error).message}`);
    return 1;
  }
  const base = `${a.publicUrl.replace(/\/+$/, '')}${webhookPathOf(a)}`;
  const http = a.publicUrl.startsWith('http:') ? ' (http: Twilio needs https unless SSL validation is off)' : '';
  print(
    `${where}: configured; voice URL ${base}/voice, status callback ${base}/status${http}; ` +
      `not verified: ${new URL(a.apiBaseUrl).host} cannot be reached from here, so the credentials were not tried`,
  );
  return 0;
}
