/** Options of one Asterisk adapter (one per Asterisk server). */
import type { AriCredentials } from './ari/rest-client.js';
import type { BackoffOptions } from './ari/event-socket.js';
import type { PromptOptions } from './prompts.js';

/** The logging the adapter needs (pino's Logger fits). */
export interface AdapterLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const SILENT_LOG: AdapterLog = { debug() {}, info() {}, warn() {}, error() {} };

export interface AsteriskAdapterOptions {
  id: string;
  /** ARI base URL, e.g. `http://pbx.example:8088/ari`. */
  url: string;
  /** The Stasis application name the dialplan sends calls to (`Stasis(switchboard)`). */
  application: string;
  credentials: AriCredentials;
  /** Timeout of every REST request. */
  requestTimeoutMs: number;
  /** Events WebSocket reconnection (exponential backoff with jitter, forever). */
  reconnect: BackoffOptions;
  /** Events WebSocket ping interval; a missing pong drops and reconnects the socket. */
  pingIntervalMs: number;
  /** `timeout` of originated agent legs (seconds): Asterisk's own ring limit, above the connector's ring timeout. */
  originateTimeoutSec: number;
  /** MOH class for callers waiting in a queue (musiconhold.conf); Asterisk's default class when unset. */
  mohClass?: string | undefined;
  prompts: PromptOptions;
  /** Observe mode: endpoints whose channels the application subscribes to (`PJSIP/alice`). Empty: off. */
  observeEndpoints: readonly string[];
  /** Click-to-dial: the customer's dial string, `{number}` replaced, e.g. `PJSIP/{number}@trunk`. Unset: off. */
  dialEndpointTemplate?: string | undefined;
  /** Click-to-dial: the caller ID presented to the customer. */
  dialCallerId?: string | undefined;
  /** Blind transfer: the dialplan context the caller continues in, with the number as the extension. Unset: off. */
  transferContext?: string | undefined;
  log?: AdapterLog;
}
