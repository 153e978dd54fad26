/** Options of one FreeSWITCH adapter (one per FreeSWITCH server). */
import type { AdapterLog } from '../asterisk/options.js';
import type { BackoffOptions } from './esl/link.js';
import type { PromptOptions } from './prompts.js';

export type { AdapterLog };

export interface FreeSwitchAdapterOptions {
  id: string;
  /** The Event Socket's address (event_socket.conf.xml `listen-ip`, `listen-port`: 8021). */
  host: string;
  port: number;
  /** event_socket.conf.xml `password`. */
  password: string;
  /** The value of the channel variable `switchboard_app` the dialplan sets on calls for us. */
  application: string;
  /** Timeout of every command: its reply, and its BACKGROUND_JOB for `bgapi`; each handshake step. */
  requestTimeoutMs: number;
  /** Reconnection (exponential backoff with jitter, forever). */
  reconnect: BackoffOptions;
  /** With nothing received for this long, the socket is probed (`api uptime`); 0: off. */
  probeIntervalMs: number;
  /** `originate_timeout` of agent legs (seconds): FreeSWITCH's own ring limit, above the connector's ring timeout. */
  originateTimeoutSec: number;
  /** What queued callers hear, played until stopped, e.g. `local_stream://moh` (mod_local_stream). */
  mohSound: string;
  prompts: PromptOptions;
  /** Where `uuid_record` writes voicemail recordings (a directory FreeSWITCH can write). */
  recordingsDir: string;
  /** Blind transfer: `uuid_transfer <call> <number> XML <transferContext>`. Unset: off. */
  transferContext?: string | undefined;
  log?: AdapterLog;
}
