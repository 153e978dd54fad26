/**
 * The JSON Schema of flow files, for editor completion (yaml-language-server,
 * VS Code): built from the zod schema with `z.toJSONSchema`, so the two cannot
 * disagree. `scripts/flow-schema.ts` writes it to `ivr/flow.schema.json`; a test
 * checks the committed file is what this function builds.
 *
 * The zod schema describes the *output* (defaults filled in); editors check what
 * an admin writes, so the schema is the *input* side: fields with a default are
 * optional. Graph rules (dangling targets, loops with no way out...) and refinements
 * such as `minDigits <= maxDigits` cannot be said in JSON Schema:
 * `switchboard flow validate` checks them.
 */
import { z } from 'zod';
import { flowSchema, nodeSchema, promptSchema, type NodeKind } from './flow/schema.js';

type Descriptions = { description: string; fields: Record<string, string> };

/** What each node kind does, and its fields, as an editor shows them on hover. */
const NODE_DESCRIPTIONS: Record<NodeKind, Descriptions> = {
  menu: {
    description: 'Plays the options; a key chooses. No input or a key that is no option is a failure; after `retries` failures the caller goes to `fallback`.',
    fields: {
      prompt: 'The options, e.g. "For support, press 1." Keys pressed while it plays are taken at once and stop it.',
      options: 'Key (0-9, * or #) -> node.',
      noInput: 'With no key for `timeoutMs` after the prompt ends: play `prompt` (if any), then the menu again.',
      invalid: 'Played after a key that is no option, then the menu again.',
      retries: 'Failures allowed before `fallback`: 2 means three tries in all.',
      fallback: 'The node after too many failures (usually a queue where a person answers).',
    },
  },
  gather: {
    description: 'Collects digits into a call attribute (an account number, a PIN), checks them, then goes to `next`.',
    fields: {
      prompt: 'Asks for the digits; the first key may interrupt it.',
      attribute: 'The call attribute the digits are stored in (a flow can branch on it).',
      minDigits: 'Fewest digits accepted.',
      maxDigits: 'Most digits: the entry ends at once when reached.',
      finishKey: 'The key that ends the entry (not stored); null for none.',
      firstDigitTimeoutMs: 'Time for the first key, from the end of the prompt.',
      interDigitTimeoutMs: 'Time between keys; restarts after every key.',
      overallTimeoutMs: 'Time for one attempt, from the start of its prompt.',
      pattern: 'A regular expression the whole entry must match.',
      invalid: 'Played after an entry that fails min/max digits or the pattern.',
      noInput: 'Played after an empty entry.',
      retries: 'Failures allowed before `fallback`: 2 means three tries in all.',
      sensitive: 'Keep the value out of logs, pops and cases: shown masked (••••).',
      next: 'The node after a valid entry.',
      fallback: 'The node after too many failures.',
    },
  },
  play: {
    description: 'Plays a prompt, then goes to `next`.',
    fields: {
      prompt: 'What the caller hears.',
      bargeIn: 'A key cuts the prompt short (default true). Either way keys are kept for the next menu, gather or language node.',
      next: 'The node after the prompt.',
    },
  },
  branch: {
    description: 'Chooses the next node from call attributes (ani, caller.known, account.vip, gathered values...): the first rule that holds, else `default`.',
    fields: {
      rules: 'Checked in order; the first whose `when` holds wins.',
      default: 'The node when no rule holds.',
    },
  },
  hours: {
    description: 'Open or closed by a weekly schedule in a time zone; holidays replace the weekday hours.',
    fields: {
      timezone: 'An IANA time zone, e.g. America/New_York.',
      weekly: 'Opening hours per weekday, e.g. mon: ["08:00-18:00"]; a day left out is closed.',
      holidays: 'Dates (YYYY-MM-DD) with other hours; no hours = closed all day.',
      open: 'The node while open.',
      closed: 'The node while closed.',
    },
  },
  language: {
    description: 'Lets the caller choose the language of the prompts that follow.',
    fields: {
      prompt: 'Offers the languages, usually one sentence in each.',
      options: 'Key -> language code (one of the flow\'s languages).',
      timeoutMs: 'With no language key this long after the prompt, the flow\'s default language stays.',
      next: 'The node after the choice (or the timeout).',
    },
  },
  queue: {
    description: 'Ends the IVR: the caller waits in a queue for an agent.',
    fields: {
      queue: 'A queue id from the configuration.',
      priority: 'Higher is served first (0-9).',
      prompt: 'Played before the caller is queued.',
    },
  },
  callback: {
    description: 'Ends the IVR: records the number to call back and opens a callback case.',
    fields: {
      prompt: 'Confirms the callback to the caller.',
      number: 'The number to call back: "ani" (the caller\'s own) or { attribute: NAME } (a gathered number).',
      queue: 'The queue whose case type the callback case gets.',
    },
  },
  voicemail: {
    description: 'Ends the IVR: records a message (until #, a hangup or `maxSeconds`) and opens a case.',
    fields: {
      prompt: 'Played before the tone.',
      maxSeconds: 'Longest message.',
      queue: 'The queue whose case type the voicemail case gets.',
    },
  },
  transfer: {
    description: 'Ends the IVR: a blind transfer to an outside number.',
    fields: { prompt: 'Played before the transfer.', to: 'An E.164 number, e.g. +14155550100.' },
  },
  hangup: {
    description: 'Ends the call.',
    fields: { prompt: 'Played before hanging up, e.g. "Goodbye."' },
  },
};

const FLOW_DESCRIPTIONS: Record<string, string> = {
  name: 'The flow name: the file is <name>.yaml and the configuration routes numbers to it.',
  description: 'A note for admins.',
  languages: 'The prompt languages; every prompt must have each of them.',
  defaultLanguage: 'The language until a language node changes it; one of `languages`.',
  start: 'The first node after the call is answered.',
  nodes: 'The nodes by id (lowercase letters, digits, - and _).',
};

type JsonObject = Record<string, unknown>;

function describe(target: JsonObject | undefined, where: string, text: string): void {
  // A description for a field the schema lost is a drift: fail loudly (the test runs this).
  if (!target) throw new Error(`flow JSON Schema: no ${where} to describe`);
  target['description'] = text;
}

/** The JSON Schema (draft 2020-12) of a flow file as written, with descriptions. */
export function flowJsonSchema(): JsonObject {
  const ids = z.registry<{ id: string }>();
  ids.add(promptSchema, { id: 'prompt' });
  ids.add(nodeSchema, { id: 'node' });
  for (const variant of nodeSchema.options) ids.add(variant, { id: `${variant.shape.kind.value}Node` });

  const schema = z.toJSONSchema(flowSchema, { io: 'input', target: 'draft-2020-12', metadata: ids }) as JsonObject;
  const defs = schema['$defs'] as Record<string, JsonObject>;
  const properties = schema['properties'] as Record<string, JsonObject>;
  for (const [field, text] of Object.entries(FLOW_DESCRIPTIONS)) describe(properties[field], `flow field "${field}"`, text);
  describe(defs['prompt'], 'prompt', 'A prompt per language: text to speak, e.g. { en: "Thank you for calling." }, or { text, audio } with an audio file (a PBX media URI or an HTTP URL).');
  for (const [kind, d] of Object.entries(NODE_DESCRIPTIONS)) {
    const def = defs[`${kind}Node`];
    describe(def, `node kind "${kind}"`, d.description);
    const props = (def?.['properties'] ?? {}) as Record<string, JsonObject>;
    for (const [field, text] of Object.entries(d.fields)) describe(props[field], `field "${field}" of ${kind}`, text);
  }
  return {
    $schema: schema['$schema'],
    title: 'Switchboard IVR flow',
    description: 'An IVR flow: named nodes and a start node. Check a file with `switchboard flow validate FILE`.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The text of `ivr/flow.schema.json`: the schema, two-space indented, with a final newline. */
export function flowJsonSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}
