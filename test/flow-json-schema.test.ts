/**
 * The JSON Schema editors use for flow files (`ivr/flow.schema.json`): the
 * committed file is exactly what `scripts/flow-schema.ts` generates from the zod
 * schema, so the two cannot drift, and every shipped flow names it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema, flowJsonSchemaText } from '../ivr/flow-json-schema.js';
import { nodeSchema } from '../ivr/flow/schema.js';

const root = new URL('../', import.meta.url);

describe('flow JSON Schema', () => {
  it('the committed ivr/flow.schema.json equals the generated one (run scripts/flow-schema.ts after changing ivr/flow/schema.ts)', () => {
    expect(readFileSync(new URL('ivr/flow.schema.json', root), 'utf8')).toBe(flowJsonSchemaText());
  });

  it('describes the input side: one definition per node kind, defaults optional, descriptions on fields', () => {
    const s = flowJsonSchema() as {
      $schema: string;
      required: string[];
      $defs: Record<string, { properties: Record<string, { description?: string; default?: unknown }>; required?: string[]; description?: string }>;
    };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.required).toEqual(['name', 'start', 'nodes']);
    const kinds = nodeSchema.options.map((o) => o.shape.kind.value);
    for (const kind of kinds) expect(s.$defs[`${kind}Node`]?.description, kind).toBeTruthy();
    const gather = s.$defs['gatherNode'];
    // Fields with a default are optional to write; the default is shown.
    expect(gather?.required).not.toContain('maxDigits');
    expect(gather?.properties['maxDigits']?.default).toBe(16);
    expect(gather?.properties['sensitive']?.description).toMatch(/masked/);
    expect(s.$defs['menuNode']?.required).toEqual(expect.arrayContaining(['kind', 'prompt', 'options', 'noInput', 'invalid', 'fallback']));
  });

  it('every shipped flow names the schema in its first line, for yaml-language-server', () => {
    const dir = new URL('ivr/flows/', root);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(new URL(f, dir), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../flow.schema.json');
  });
});
