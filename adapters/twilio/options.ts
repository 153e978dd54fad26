/** Options of one Twilio adapter (one per Twilio account, or per set of numbers). */
import type { Prompt } from '../adapter.js';

/** The logging the adapter needs (pino's Logger fits). Never given the auth token. */
export interface AdapterLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const SILENT_LOG: AdapterLog = { debug() {}, info() {}, warn() {}, error() {} };

/** How prompts become `<Play>` or `<Say>`; see prompts.ts. */
export interface TwilioPromptOptions {
  /** Prompt id -> audio URL (http or https). */
  sounds: Record<string, string>;
  /** URL of an outside renderer with `{id}`, `{text}`, `{lang}`, `{hash}` replaced. */
  urlTemplate?: string | undefined;
  /** `switchboard`: rendered by Switchboard's TTS and played by URL; `twilio`: `<Say>`. */
  tts: 'switchboard' | 'twilio';
  /** `<Say voice>`, e.g. `Polly.Joanna`. */
  voice?: string | undefined;
  /** Language when the prompt has none (`en`, `ja`, or BCP-47 such as `en-GB`). */
  language?: string | undefined;
  /** The public URL of a prompt rendered by Switchboard (`PromptAudio.promptUrl`). Throws when it cannot be. */
  render?: ((prompt: Prompt) => string) | undefined;
}

/** The `<Gather>` attributes of the documents that wait for keys (see documents.ts). */
export interface GatherOptions {
  /**
   * `timeout` (seconds) of a Gather that waits for a key with nothing else to do,
   * and after a prompt: how often Twilio comes back for instructions meanwhile.
   */
  timeoutSec: number;
  /** `numDigits` while the caller is typing an entry (the IVR took a key and asked for nothing). */
  entryMaxDigits: number;
  /** `timeout` (seconds) between the keys of an entry. Keep it below the flows' inter-digit timeouts. */
  entryTimeoutSec: number;
}

export interface TwilioAdapterOptions {
  id: string;
  /** `AC` + 32 hex digits. */
  accountSid: string;
  /** The account's auth token: signs webhooks (HMAC key) and authenticates REST requests. MUST NOT be logged. */
  authToken: string;
  /** The URL Twilio reaches this Switchboard at (scheme, host, any path prefix of a reverse proxy); no trailing slash. */
  publicUrl: string;
  /** Where the webhook routes are mounted locally, e.g. `/twilio/tw1`. Twilio calls `publicUrl + webhookPath + /voice`. */
  webhookPath: string;
  /** REST API base (`https://api.twilio.com`); tests point it at a fake. */
  apiBaseUrl: string;
  requestTimeoutMs: number;
  /** `Timeout` of agent legs (seconds): Twilio's own ring limit, above the connector's ring timeout. */
  ringTimeoutSec: number;
  /** `From` of agent legs that ring a phone number (a number of the account). Default: the number the caller dialed. */
  callerId?: string | undefined;
  /** Hold music (played in the queue's wait documents); silence in `holdPauseSec` pieces when unset. */
  holdMusicUrl?: string | undefined;
  holdPauseSec: number;
  gather: GatherOptions;
  prompts: TwilioPromptOptions;
  log?: AdapterLog;
}
