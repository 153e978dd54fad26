/**
 * IVR flow files: the zod schema. A flow is a set of named nodes and a start
 * node; every node kind is plain data. `validate.ts` adds the graph checks
 * (dangling targets, unreachable nodes, loops with no way out, prompts missing
 * for a declared language); `compile.ts` turns a valid flow into an XState machine.
 */
import { z } from 'zod';

const nodeId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected a node id: lowercase letters, digits, - and _' });
const target = nodeId;
const language = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { error: 'expected a language code such as en or ja' });
const dtmfKey = z.string().regex(/^[0-9*#]$/, { error: 'expected one DTMF key: 0-9, * or #' });
const ms = (min: number, max: number, dflt: number) =>
  z
    .number({ error: 'expected a number of milliseconds' })
    .int({ error: 'expected whole milliseconds' })
    .min(min, { error: `expected at least ${min} ms` })
    .max(max, { error: `expected at most ${max} ms` })
    .default(dflt);

/** One language's prompt: text to speak and/or an audio file (a PBX media URI or an HTTP URL). */
const promptPart = z.union([
  z.string().min(1, { error: 'expected prompt text' }),
  z
    .strictObject({ text: z.string().min(1).optional(), audio: z.string().min(1).optional() })
    .refine((p) => p.text !== undefined || p.audio !== undefined, { error: 'expected text or audio' }),
]);

/** A prompt in each of the flow's languages: `{ en: "...", ja: "..." }`. */
export const promptSchema = z.record(language, promptPart, { error: 'expected prompts by language, e.g. { en: "..." }' });

const retries = z.number().int().min(0).max(10).default(2);

const menu = z.strictObject({
  kind: z.literal('menu'),
  prompt: promptSchema,
  /** Key -> node. */
  options: z.record(dtmfKey, target).refine((o) => Object.keys(o).length > 0, { error: 'expected at least one option' }),
  noInput: z.strictObject({ prompt: promptSchema.optional(), timeoutMs: ms(1_000, 60_000, 5_000) }),
  invalid: z.strictObject({ prompt: promptSchema }),
  /** Failures (no input or invalid key) after the first try before `fallback`; 2 -> three tries in all. */
  retries,
  fallback: target,
});

const gather = z
  .strictObject({
    kind: z.literal('gather'),
    prompt: promptSchema,
    /** The call attribute the digits are stored in. */
    attribute: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, { error: 'expected an attribute name' }),
    minDigits: z.number().int().min(1).max(32).default(1),
    maxDigits: z.number().int().min(1).max(32).default(16),
    finishKey: z.enum(['#', '*']).nullable().default('#'),
    firstDigitTimeoutMs: ms(1_000, 60_000, 5_000),
    interDigitTimeoutMs: ms(500, 30_000, 3_000),
    overallTimeoutMs: ms(2_000, 300_000, 30_000),
    /** A regular expression the whole entry must match. */
    pattern: z
      .string()
      .refine(
        (p) => {
          try {
            new RegExp(p);
            return true;
          } catch {
            return false;
          }
        },
        { error: 'expected a valid regular expression' },
      )
      .optional(),
    invalid: z.strictObject({ prompt: promptSchema }),
    noInput: z.strictObject({ prompt: promptSchema }),
    retries,
    /** Keep the value out of logs, pops and cases (shown masked). */
    sensitive: z.boolean().default(false),
    next: target,
    fallback: target,
  })
  .refine((g) => g.minDigits <= g.maxDigits, { path: ['minDigits'], error: 'expected minDigits <= maxDigits' });

const play = z.strictObject({
  kind: z.literal('play'),
  prompt: promptSchema,
  /** A key stops the prompt and is carried to the next node (false: the caller hears it all; keys still count). */
  bargeIn: z.boolean().default(true),
  next: target,
});

const condition = z.union([
  z.strictObject({ attribute: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]) }),
  z.strictObject({ attribute: z.string().min(1), in: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.strictObject({ attribute: z.string().min(1), exists: z.boolean() }),
  /** True when the account number in `attribute` names an existing account. */
  z.strictObject({ accountExists: z.string().min(1) }),
]);
export type Condition = z.output<typeof condition>;

const branch = z.strictObject({
  kind: z.literal('branch'),
  rules: z.array(z.strictObject({ when: condition, next: target })).min(1),
  default: target,
});

const hhmm = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
const range = z
  .string()
  .regex(hhmm, { error: 'expected a time range such as 09:00-17:30', abort: true })
  .refine((r) => r.slice(0, 5) < r.slice(6), {
    error: 'expected the end after the start; split overnight hours over two days (22:00-24:00, then 00:00-06:00)',
  });
const ranges = z.array(range);
const day = ranges.default([]);

/** A weekly schedule in a time zone with holiday overrides (the hours node; queues' hours too). */
export const openingHours = z.strictObject({
  timezone: z.string().refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected an IANA time zone such as America/New_York' },
  ),
  weekly: z.strictObject({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
  /** Dates (YYYY-MM-DD, in the time zone) with other hours; no hours = closed all day. */
  holidays: z
    .array(z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected YYYY-MM-DD' }), name: z.string().optional(), hours: ranges.default([]) }))
    .default([]),
});

const hours = openingHours.extend({
  kind: z.literal('hours'),
  open: target,
  closed: target,
});

const languageNode = z.strictObject({
  kind: z.literal('language'),
  prompt: promptSchema,
  /** Key -> language. */
  options: z.record(dtmfKey, language),
  timeoutMs: ms(1_000, 60_000, 5_000),
  /** With no (valid) key the caller keeps the flow's default language. */
  next: target,
});

const queue = z.strictObject({
  kind: z.literal('queue'),
  queue: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected a queue id' }),
  /** Higher is served first (0-9). */
  priority: z.number().int().min(0).max(9).default(0),
  prompt: promptSchema.optional(),
});

const callback = z.strictObject({
  kind: z.literal('callback'),
  prompt: promptSchema,
  /** The number to call back: the caller's own (`ani`) or a gathered attribute. */
  number: z.union([z.literal('ani'), z.strictObject({ attribute: z.string().min(1) })]).default('ani'),
  /** The queue whose case type the callback case gets. */
  queue: z.string().min(1),
});

const voicemail = z.strictObject({
  kind: z.literal('voicemail'),
  prompt: promptSchema,
  maxSeconds: z.number().int().min(5).max(600).default(120),
  queue: z.string().min(1),
});

const transfer = z.strictObject({
  kind: z.literal('transfer'),
  prompt: promptSchema.optional(),
  /** External number, E.164. */
  to: z.string().regex(/^\+[1-9]\d{6,14}$/, { error: 'expected an E.164 number such as +14155550100' }),
});

const hangup = z.strictObject({
  kind: z.literal('hangup'),
  prompt: promptSchema.optional(),
});

export const nodeSchema = z.discriminatedUnion(
  'kind',
  [menu, gather, play, branch, hours, languageNode, queue, callback, voicemail, transfer, hangup],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'expected kind: menu, gather, play, branch, hours, language, queue, callback, voicemail, transfer or hangup'
        : undefined,
  },
);

export const flowSchema = z.strictObject({
  name: nodeId,
  description: z.string().optional(),
  languages: z.array(language).min(1).default(['en']),
  defaultLanguage: language.default('en'),
  start: target,
  nodes: z.record(nodeId, nodeSchema).refine((n) => Object.keys(n).length > 0, { error: 'expected at least one node' }),
});

export type FlowInput = z.input<typeof flowSchema>;
export type Flow = z.output<typeof flowSchema>;
export type FlowNode = z.output<typeof nodeSchema>;
export type NodeKind = FlowNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<FlowNode, { kind: K }>;
export type PromptSpec = z.output<typeof promptSchema>;

/** Node kinds that end the IVR (the caller leaves the flow). */
export const TERMINAL_KINDS: ReadonlySet<NodeKind> = new Set(['queue', 'callback', 'voicemail', 'transfer', 'hangup']);
