/**
 * The configuration schema. One YAML file plus environment overrides, validated
 * here; every default lives in this file so `switchboard` runs with no file at all.
 */
import { z } from 'zod';
import { agentSipSchema } from './agent-sip.js';
import { DEFAULT_AWAY_REASONS, queueSchema, routingRuleSchema, type OverflowAction } from './routing-schema.js';

const id = z
  .string({ error: 'expected a string' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected an id: lowercase letters, digits, - and _ (at most 64)' });

const duration = (min: number, max: number) =>
  z
    .number({ error: 'expected a number of milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .min(min, { error: `expected at least ${min} ms` })
    .max(max, { error: `expected at most ${max} ms` });

const url = z.url({ error: 'expected a URL' });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' });

/** A secret given exactly once: as the value `name`, an environment variable `nameEnv`, or a file `nameFile`. */
function exactlyOneSecret(name: string) {
  const keys = [name, `${name}Env`, `${name}File`];
  return (a: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (keys.filter((k) => a[k] !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', path: [name], message: `expected exactly one of ${keys.join(', ')}` });
    }
  };
}

const simulatorAdapter = z.strictObject({
  id,
  kind: z.literal('simulator'),
  enabled: z.boolean().default(true),
  /** Prompt speaking rate in characters per second (real TTS: about 15). */
  charsPerSecond: z.number().positive({ error: 'expected a positive number' }).max(10_000).default(15),
});

/** One Asterisk server over ARI; see docs/adapters/asterisk.md. */
const asteriskAdapter = z
  .strictObject({
    id,
    kind: z.literal('asterisk'),
    enabled: z.boolean().default(true),
    /** The ARI base URL, e.g. http://pbx.example:8088/ari */
    url,
    /** The Stasis application the dialplan sends calls to: Stasis(switchboard). */
    application: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, _ . or -' }).default('switchboard'),
    /** An ari.conf user; its password from exactly one of password, passwordEnv, passwordFile. */
    username: z.string().min(1, { error: 'expected a user name' }),
    password: z.string().min(1, { error: 'expected a password' }).optional(),
    passwordEnv: envName.optional(),
    passwordFile: z.string().min(1).optional(),
    /** basic: an Authorization header; api_key: ?api_key=user:password on every request. */
    auth: z.enum(['basic', 'api_key']).default('basic'),
    requestTimeoutMs: duration(100, 60_000).default(5_000),
    reconnect: z
      .strictObject({ initialDelayMs: duration(10, 60_000).default(500), maxDelayMs: duration(100, 600_000).default(30_000) })
      .prefault({}),
    /** Asterisk's own limit on ringing an agent leg (seconds); keep it above routing.ringTimeoutMs. */
    originateTimeoutSec: z.number().int().min(5).max(600).default(60),
    /** musiconhold.conf class for queued callers (Asterisk's default class when unset). */
    mohClass: z.string().min(1).optional(),
    prompts: z
      .strictObject({
        /** Prompt id -> media URI, e.g. "main-menu.welcome": "sound:custom/welcome". */
        sounds: z.record(z.string(), z.string().min(1)).default({}),
        /** HTTP-served rendered prompts; {id} {text} {lang} {hash} are replaced. */
        urlTemplate: z.string().regex(/^https?:\/\//, { error: 'expected an http(s) URL template' }).optional(),
        /** Where Asterisk reaches this Switchboard: text prompts are rendered here and served at <url>/prompts/<hash>.wav. */
        switchboardUrl: url.optional(),
        language: z.string().min(1).optional(),
      })
      .prefault({}),
    /** Observe mode: subscribe to the agents' endpoints and pop calls the dialplan rings them with. */
    observe: z.boolean().default(false),
    /** Click-to-dial: how to dial a customer, {number} replaced (E.164), e.g. PJSIP/{number}@trunk. */
    dial: z
      .strictObject({
        endpointTemplate: z.string().regex(/\{number\}/, { error: 'expected a dial string with {number}' }),
        callerId: z.string().min(1).optional(),
      })
      .optional(),
    /** Blind transfer: the dialplan context the caller continues in, the number as the extension. */
    transferContext: z.string().min(1).optional(),
  })
  .superRefine(exactlyOneSecret('password'));

/** Any PBX that can send an HTTP request on call events (observe mode); see docs/adapters/generic-http.md. */
const httpCtiAdapter = z
  .strictObject({
    id,
    kind: z.literal('http'),
    enabled: z.boolean().default(true),
    /** bearer: `Authorization: Bearer <secret>`; hmac: the body signed with the secret. */
    auth: z.enum(['bearer', 'hmac'], { error: 'expected bearer or hmac' }).default('bearer'),
    secret: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    secretEnv: envName.optional(),
    secretFile: z.string().min(1).optional(),
  })
  .superRefine(exactlyOneSecret('secret'));

/** One FreeSWITCH server over the Event Socket (inbound mode); see docs/adapters/freeswitch.md. */
const freeswitchAdapter = z
  .strictObject({
    id,
    kind: z.literal('freeswitch'),
    enabled: z.boolean().default(true),
    /** The Event Socket's address (event_socket.conf.xml listen-ip / listen-port). */
    host: z.string().min(1, { error: 'expected a host name or address' }),
    port: z.number().int({ error: 'expected a port from 1 to 65535' }).min(1, { error: 'expected a port from 1 to 65535' }).max(65_535, { error: 'expected a port from 1 to 65535' }).default(8021),
    /** event_socket.conf.xml password, from exactly one of password, passwordEnv, passwordFile. */
    password: z.string().min(1, { error: 'expected a password' }).regex(/^[^\r\n]+$/, { error: 'expected a password on one line' }).optional(),
    passwordEnv: envName.optional(),
    passwordFile: z.string().min(1).optional(),
    /** The dialplan marks calls for Switchboard with the channel variable switchboard_app=<application>, then parks them. */
    application: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, _ . or -' }).default('switchboard'),
    /** Every command's reply (and its background job) ends by then. */
    requestTimeoutMs: duration(100, 60_000).default(5_000),
    reconnect: z
      .strictObject({ initialDelayMs: duration(10, 60_000).default(500), maxDelayMs: duration(100, 600_000).default(30_000) })
      .prefault({}),
    /** FreeSWITCH's own limit on ringing an agent leg (originate_timeout, seconds); keep it above routing.ringTimeoutMs. */
    originateTimeoutSec: z.number().int().min(5).max(600).default(60),
    /** What queued callers hear (mod_local_stream). */
    mohSound: z.string().min(1).regex(/^\S+$/, { error: 'expected a sound without spaces' }).default('local_stream://moh'),
    prompts: z
      .strictObject({
        /** Prompt id -> what playback plays, e.g. "main-menu.welcome": "ivr/ivr-welcome.wav". */
        sounds: z.record(z.string(), z.string().min(1)).default({}),
        /** HTTP-served rendered prompts (played through mod_http_cache); {id} {text} {lang} {hash} are replaced. */
        urlTemplate: z.string().regex(/^https?:\/\//, { error: 'expected an http(s) URL template' }).optional(),
        /** Where FreeSWITCH reaches this Switchboard: text prompts are rendered here and served at <url>/prompts/<hash>.wav. */
        switchboardUrl: url.optional(),
        language: z.string().min(1).optional(),
      })
      .prefault({}),
    /** Where uuid_record writes voicemail recordings, on the FreeSWITCH host. */
    recordingsDir: z.string().regex(/^\/\S*$/, { error: 'expected an absolute path without spaces' }).default('/var/lib/freeswitch/recordings'),
    /** Blind transfer: the dialplan context (XML dialplan) the caller continues in, the number as the extension. */
    transferContext: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected a context name' }).optional(),
  })
  .superRefine(exactlyOneSecret('password'));

/** One Twilio account's numbers, over webhooks and TwiML; see docs/adapters/twilio.md. */
const twilioAdapter = z
  .strictObject({
    id,
    kind: z.literal('twilio'),
    enabled: z.boolean().default(true),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { error: 'expected an Account SID: AC and 32 hex digits' }),
    /** The auth token (signs webhooks, authenticates REST requests), from exactly one of token, tokenEnv, tokenFile. */
    token: z.string().min(1, { error: 'expected a token' }).optional(),
    tokenEnv: envName.optional(),
    tokenFile: z.string().min(1).optional(),
    /** The URL Twilio reaches this Switchboard at (the reverse proxy's public https URL): webhooks are signed over it. */
    publicUrl: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL Twilio reaches Switchboard at' }),
    /** Where the webhook routes live; default /twilio/<id> (the voice URL is <publicUrl><webhookPath>/voice). */
    webhookPath: z.string().regex(/^(\/[A-Za-z0-9_-]+)+$/, { error: 'expected a path such as /twilio/main' }).optional(),
    apiBaseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default('https://api.twilio.com'),
    requestTimeoutMs: duration(100, 60_000).default(5_000),
    /** Twilio's own limit on ringing an agent leg (seconds); keep it above routing.ringTimeoutMs. */
    ringTimeoutSec: z.number().int().min(5).max(600).default(60),
    /** From of agent legs that ring a phone number (a number of the account); default: the number the caller dialed. */
    callerId: z.string().regex(/^\+[1-9][0-9]{6,14}$/, { error: 'expected an E.164 number' }).optional(),
    /** Hold music Twilio plays in the queue (short: announcements come between plays); silence when unset. */
    holdMusicUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    holdPauseSec: z.number().int().min(1).max(60).default(5),
    gather: z
      .strictObject({
        /** <Gather timeout> while waiting for a key: Twilio comes back this often. */
        timeoutSec: z.number().int().min(1).max(10).default(1),
        /** numDigits while the caller types an entry. */
        entryMaxDigits: z.number().int().min(1).max(64).default(20),
        /** <Gather timeout> between the keys of an entry; keep it below the flows' inter-digit timeouts. */
        entryTimeoutSec: z.number().int().min(1).max(10).default(1),
      })
      .prefault({}),
    prompts: z
      .strictObject({
        /** Prompt id -> audio URL. */
        sounds: z.record(z.string(), z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).default({}),
        /** HTTP-served rendered prompts; {id} {text} {lang} {hash} are replaced. */
        urlTemplate: z.string().regex(/^https?:\/\//, { error: 'expected an http(s) URL template' }).optional(),
        /** switchboard: rendered here and played by URL (<publicUrl>/prompts/<hash>.wav); twilio: <Say>. */
        tts: z.enum(['switchboard', 'twilio']).default('switchboard'),
        /** <Say voice>, e.g. Polly.Joanna. */
        voice: z.string().min(1).optional(),
        language: z.string().min(1).optional(),
      })
      .prefault({}),
  })
  .superRefine(exactlyOneSecret('token'));

export const adapterSchema = z.discriminatedUnion('kind', [simulatorAdapter, asteriskAdapter, httpCtiAdapter, freeswitchAdapter, twilioAdapter], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'expected kind to be one of: simulator, asterisk, http, freeswitch, twilio' : undefined,
});

/** `scrypt$N$r$p$salt$hash` as printed by `switchboard hash-password`. */
export const PASSWORD_HASH_RE = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

/** 1: one call at a time; 2 to 4: call waiting (a further call is offered while the agent is on one). */
const maxCalls = z
  .number({ error: 'expected a number of calls from 1 to 4' })
  .int({ error: 'expected a whole number of calls from 1 to 4' })
  .min(1, { error: 'expected a number of calls from 1 to 4' })
  .max(4, { error: 'expected a number of calls from 1 to 4 (more callers on hold than that is not a service)' });

const agentSchema = z.strictObject({
  username: id,
  displayName: z.string().min(1),
  passwordHash: z.string().regex(PASSWORD_HASH_RE, {
    error: 'expected a password hash from `switchboard hash-password` (scrypt$...), never a plain password',
  }),
  /** `agent` takes calls; `admin` may also change flows and settings. */
  role: z.enum(['agent', 'supervisor', 'admin'], { error: 'expected agent, supervisor or admin' }).default('agent'),
  /** Queues this user takes calls from (none for an admin who takes no calls). */
  queues: z.array(id).default([]),
  /** Skills (ids, e.g. `spanish`, `billing-l2`): an agent is offered a queue's calls only with all the skills it requires. */
  skills: z.array(id).max(50, { error: 'at most 50 skills' }).default([]),
  /** PBX endpoint that rings this agent (e.g. `PJSIP/alice`); the simulator rings a virtual phone. */
  endpoint: z.string().min(1).optional(),
  /** Calls this agent may be connected to at once (call waiting, docs/routing.md); default `routing.maxCallsPerAgent`. */
  maxCalls: maxCalls.optional(),
  /** The widget's softphone (SIP over WebSocket); without it the agent works in desk-phone mode. */
  sip: agentSipSchema.optional(),
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z
          .number({ error: 'expected a port number' })
          .int({ error: 'expected a port from 0 to 65535' })
          .min(0, { error: 'expected a port from 0 to 65535' })
          .max(65_535, { error: 'expected a port from 0 to 65535' })
          .default(3000),
        /** Serve HTTPS and WSS with this certificate (browsers need it for the softphone outside localhost). */
        tls: z
          .strictObject({
            certFile: z.string().min(1, { error: 'expected the path of a PEM certificate (chain)' }),
            keyFile: z.string().min(1, { error: 'expected the path of its PEM private key' }),
          })
          .optional(),
        /** Origins (scheme://host:port) allowed to call the API from a browser and to embed the widget. */
        allowedOrigins: z.array(z.url({ error: 'expected an origin such as https://crm.example.com' })).default([]),
      })
      .prefault({}),
    dataDir: z.string().min(1).default('./data'),
    /** Seed demo accounts and contacts on first start (an empty store). */
    seedDemoData: z.boolean().default(false),
    phone: z
      .strictObject({
        /** ISO 3166 region for numbers written without a country code. */
        defaultRegion: z
          .string()
          .regex(/^[A-Z]{2}$/, { error: 'expected a two-letter region code such as US or GB' })
          .default('US'),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
    auth: z
      .strictObject({
        tokenTtlMinutes: z.number().int().min(1).max(7 * 24 * 60).default(12 * 60),
      })
      .prefault({}),
    ivr: z
      .strictObject({
        /** Directory of flow files (`*.yaml`); default `<dataDir>/flows`, seeded with the shipped flows. */
        flowsDir: z.string().min(1).optional(),
        /** The flow calls run unless their dialed number has its own. */
        defaultFlow: id.default('main'),
        /** Dialed number (as the PBX sends it, or in E.164) -> flow name. */
        flowsByNumber: z.record(z.string().min(1), id).default({}),
        /** Where a caller goes when the IVR itself fails: always a human. */
        fallbackQueue: id.default('general'),
        /** Apply edited flow files without a restart. */
        watch: z.boolean().default(true),
      })
      .prefault({}),
    routing: z
      .strictObject({
        /** How long an offer rings one agent before moving to the next. */
        ringTimeoutMs: duration(1_000, 120_000).default(20_000),
        /** How often a waiting caller hears the hold announcement again. */
        holdAnnouncementIntervalMs: duration(5_000, 600_000).default(30_000),
        /** Service level: the share of answered calls an agent took within this many seconds of arrival. */
        serviceLevelSeconds: z.number().int().min(1).max(3_600).default(20),
        /** After-call work ends by itself after this many seconds (the agent becomes available); 0: when the agent is done. */
        wrapUpSeconds: z
          .number({ error: 'expected a number of seconds' })
          .int({ error: 'expected a whole number of seconds' })
          .min(0, { error: 'expected 0 (no limit) or more seconds' })
          .max(86_400, { error: 'expected at most 86400 seconds' })
          .default(0),
        /**
         * Calls an agent may be connected to at once (an agent's own `maxCalls` wins). 1: one
         * call at a time. Above 1: call waiting; an agent on a call is offered another when no
         * agent is free, and answering it puts the first caller on hold (docs/routing.md).
         */
        maxCallsPerAgent: maxCalls.default(1),
        /** Evaluated in order when the IVR queues a call; the first rule that matches applies (docs/routing.md). */
        rules: z.array(routingRuleSchema).default([]),
        /** Reasons an agent may give for being away (the widget offers them); `missed-call` and `phone-unreachable` are also set by the connector. */
        awayReasons: z.array(id).min(1).max(30).default([...DEFAULT_AWAY_REASONS]),
      })
      .prefault({}),
    adapters: z.array(adapterSchema).min(1, { error: 'expected at least one adapter' }).prefault([{ id: 'sim', kind: 'simulator' }]),
    queues: z.array(queueSchema).min(1).prefault([
      { id: 'support', name: 'Support', caseType: 'technical_support' },
      { id: 'billing', name: 'Billing', caseType: 'billing_question' },
      { id: 'general', name: 'General', caseType: 'technical_support' },
    ]),
    agents: z.array(agentSchema).default([]),
    /**
     * Scale-out mode (docs/scale-out.md): several nodes share contacts, cases and calls in
     * PostgreSQL and routing state, pops and sessions over Redis. Absent: one process with
     * its embedded SQLite store, no server needed.
     */
    cluster: z
      .strictObject({
        /** This node's name, unique in the cluster (default: host name and process id). */
        nodeId: id.optional(),
        /** e.g. redis://127.0.0.1:6379 */
        redisUrl: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }),
        /** e.g. postgres://switchboard@db.example/switchboard */
        postgresUrl: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' }),
        /** The PostgreSQL schema (default: the user's search path). */
        postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lowercase schema name' }).optional(),
        /** Key prefix in Redis, so clusters can share a server. */
        redisPrefix: z.string().regex(/^[A-Za-z0-9:_-]{1,32}$/, { error: 'expected letters, digits, :, _ or -' }).default('sb:'),
        /** Signs session tokens so any node can check them: at least 32 characters, the same on every node; exactly one of secret, secretEnv, secretFile. */
        secret: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
        secretEnv: envName.optional(),
        secretFile: z.string().min(1).optional(),
      })
      .superRefine(exactlyOneSecret('secret'))
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    const queueIds = new Set(cfg.queues.map((q) => q.id));
    const seen = (items: Array<{ id?: string; username?: string }>, key: 'id' | 'username', path: string): void => {
      const ids = new Set<string>();
      items.forEach((item, i) => {
        const v = item[key];
        if (v === undefined) return;
        if (ids.has(v)) ctx.addIssue({ code: 'custom', path: [path, i, key], message: `duplicate ${key} "${v}"` });
        ids.add(v);
      });
    };
    seen(cfg.adapters, 'id', 'adapters');
    seen(cfg.queues, 'id', 'queues');
    seen(cfg.agents, 'username', 'agents');
    cfg.agents.forEach((a, i) =>
      a.queues.forEach((q, j) => {
        if (!queueIds.has(q)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'queues', j], message: `unknown queue "${q}"` });
      }),
    );
    const known = (q: string | undefined, path: Array<string | number>) => {
      if (q !== undefined && !queueIds.has(q)) ctx.addIssue({ code: 'custom', path, message: `unknown queue "${q}"` });
    };
    cfg.queues.forEach((q, i) => {
      known(q.escalateTo, ['queues', i, 'escalateTo']);
      if (q.overflow && 'queue' in q.overflow) known(q.overflow.queue, ['queues', i, 'overflow', 'queue']);
      if (q.overflow && !q.maxWaitSeconds && !q.hours) ctx.addIssue({ code: 'custom', path: ['queues', i, 'overflow'], message: 'an overflow needs maxWaitSeconds or hours to apply' });
    });
    const cycle = overflowCycle(cfg.queues);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['queues', cfg.queues.findIndex((q) => q.id === cycle[0]), 'overflow'], message: `overflow loops: ${cycle.join(' -> ')}` });
    cfg.routing.rules.forEach((r, i) => {
      known(r.queue, ['routing', 'rules', i, 'queue']);
      r.when.queue?.forEach((q, j) => known(q, ['routing', 'rules', i, 'when', 'queue', j]));
    });
    if (!queueIds.has(cfg.ivr.fallbackQueue)) {
      ctx.addIssue({ code: 'custom', path: ['ivr', 'fallbackQueue'], message: `unknown queue "${cfg.ivr.fallbackQueue}"` });
    }
    if (!cfg.adapters.some((a) => a.enabled)) ctx.addIssue({ code: 'custom', path: ['adapters'], message: 'expected at least one enabled adapter' });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type AdapterConfig = z.output<typeof adapterSchema>;
export type AgentConfig = Config['agents'][number];
export type QueueConfig = Config['queues'][number];
export type { OverflowAction };

/** The first loop of queue overflows (a -> b -> a), or null. */
function overflowCycle(queues: ReadonlyArray<{ id: string; overflow?: OverflowAction | undefined }>): string[] | null {
  const next = new Map(queues.flatMap((q) => (q.overflow && 'queue' in q.overflow ? [[q.id, q.overflow.queue] as const] : [])));
  for (const start of next.keys()) {
    const seen: string[] = [start];
    for (let q = next.get(start); q !== undefined; q = next.get(q)) {
      if (q === start) return [...seen, q];
      if (seen.includes(q)) break;
      seen.push(q);
    }
  }
  return null;
}
