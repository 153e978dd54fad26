/**
 * Generates `adapters/asterisk/ari/types.gen.ts` from Asterisk's ARI Swagger
 * declarations (the vendored copy in `test/fixtures/ari-api-docs`, Asterisk 22.10.1):
 * every model as an interface, the union of every event, and one entry per REST
 * operation (path, query and body parameters, response) keyed `METHOD /path`.
 *
 *   npx tsx scripts/gen-ari-types.ts          # rewrite the file
 *   npx tsx scripts/gen-ari-types.ts --check  # exit 1 when the file is stale
 *
 * `test/asterisk/ari-types.test.ts` fails when the committed file differs from
 * what this script generates, so the types cannot drift from the Swagger files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SwaggerProperty {
  type: string;
  required?: boolean;
  description?: string;
  allowableValues?: { valueType: string; values?: string[] };
}
interface SwaggerModel {
  id: string;
  description?: string;
  properties?: Record<string, SwaggerProperty>;
  subTypes?: string[];
  discriminator?: string;
}
interface SwaggerParameter {
  name: string;
  paramType: 'path' | 'query' | 'body';
  required?: boolean;
  allowMultiple?: boolean;
  dataType: string;
  description?: string;
  allowableValues?: { valueType: string; values?: string[]; min?: number; max?: number };
}
interface SwaggerOperation {
  httpMethod: string;
  nickname: string;
  summary?: string;
  responseClass: string;
  upgrade?: string;
  parameters?: SwaggerParameter[];
  errorResponses?: Array<{ code: number; reason: string }>;
}
export interface SwaggerFile {
  apis: Array<{ path: string; operations: SwaggerOperation[] }>;
  models?: Record<string, SwaggerModel>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DOCS_DIR = join(ROOT, 'test', 'fixtures', 'ari-api-docs');
export const OUT_FILE = join(ROOT, 'adapters', 'asterisk', 'ari', 'types.gen.ts');

/** The API declaration files resources.json lists, in its order. */
export function apiFiles(dir = DOCS_DIR): string[] {
  const resources = JSON.parse(readFileSync(join(dir, 'resources.json'), 'utf8')) as { apis: Array<{ path: string }> };
  return resources.apis.map((a) => a.path.replace('/api-docs/', '').replace('.{format}', '.json'));
}

const PRIMITIVE: Record<string, string> = {
  string: 'string',
  int: 'number',
  long: 'number',
  double: 'number',
  boolean: 'boolean',
  Date: 'string',
  object: 'Record<string, unknown>',
  containers: 'Record<string, unknown>',
  void: 'void',
  binary: 'ArrayBuffer',
};

function tsType(t: string, allowable?: { valueType: string; values?: string[] }): string {
  if (allowable?.valueType === 'LIST' && allowable.values?.length) return allowable.values.map((v) => JSON.stringify(v)).join(' | ');
  const list = /^List\[(.+)\]$/.exec(t);
  if (list) return `${tsType(list[1] as string)}[]`;
  return PRIMITIVE[t] ?? t;
}

const doc = (text: string | undefined, indent: string): string[] => {
  if (!text) return [];
  const lines = text.trim().replace(/\*\//g, '* /').split('\n');
  return lines.length === 1 ? [`${indent}/** ${lines[0]} */`] : [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
};

const prop = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

export function generate(dir = DOCS_DIR): string {
  const files = apiFiles(dir).map((name) => ({ name, doc: JSON.parse(readFileSync(join(dir, name), 'utf8')) as SwaggerFile }));
  const models = new Map<string, { file: string; model: SwaggerModel }>();
  for (const f of files) for (const m of Object.values(f.doc.models ?? {})) models.set(m.id, { file: f.name, model: m });
  const parentOf = new Map<string, string>();
  for (const { model } of models.values()) for (const sub of model.subTypes ?? []) parentOf.set(sub, model.id);

  const out: string[] = [
    '/* eslint-disable */',
    '/**',
    " * ARI types generated from Asterisk's Swagger declarations (Asterisk 22.10.1, test/fixtures/ari-api-docs).",
    ' * DO NOT EDIT: run `npx tsx scripts/gen-ari-types.ts`. Each declaration names the JSON file it comes from.',
    ' */',
    '',
  ];

  for (const { file, model } of models.values()) {
    const parent = parentOf.get(model.id);
    out.push(...doc(`${model.description ?? model.id}\n\nSource: ${file}, model ${model.id}.`, ''));
    out.push(`export interface ${model.id}${parent ? ` extends ${parent}` : ''} {`);
    // A concrete subtype of a discriminated base names itself in the discriminator.
    const disc = parent && !model.subTypes?.length ? discriminatorOf(parent, models, parentOf) : undefined;
    if (disc) out.push(`  ${disc}: ${JSON.stringify(model.id)};`);
    for (const [name, p] of Object.entries(model.properties ?? {})) {
      if (disc && name === disc) continue;
      out.push(...doc(p.description, '  '));
      out.push(`  ${prop(name)}${p.required ? '' : '?'}: ${tsType(p.type, p.allowableValues)};`);
    }
    out.push('}', '');
  }

  const events = [...models.values()].filter(({ model }) => isSubtypeOf(model.id, 'Event', parentOf)).map(({ model }) => model.id);
  out.push('/** Every event Asterisk sends on the events WebSocket (events.json, subtypes of Event). */');
  out.push(`export type AriEvent =\n${events.map((e) => `  | ${e}`).join('\n')};`, '');
  out.push("export type AriEventType = AriEvent['type'];", '');
  out.push(`export const ARI_EVENT_TYPES = [\n${events.map((e) => `  ${JSON.stringify(e)},`).join('\n')}\n] as const satisfies readonly AriEventType[];`, '');

  out.push('/** Every REST operation, keyed `METHOD /path` as the Swagger files declare it. */');
  out.push('export interface AriOperations {');
  for (const f of files) {
    for (const api of f.doc.apis) {
      for (const op of api.operations) {
        if (op.upgrade) continue; // the events WebSocket is not a REST call
        const params = op.parameters ?? [];
        const group = (kind: SwaggerParameter['paramType']): string => {
          const ps = params.filter((p) => p.paramType === kind);
          if (ps.length === 0) return 'Record<string, never>';
          return `{ ${ps
            .map((p) => {
              const t = kind === 'body' ? 'Record<string, unknown>' : tsType(p.dataType, p.allowableValues);
              const type = p.allowMultiple ? `${t.includes(' ') ? `(${t})` : t} | Array<${t}>` : t;
              return `${prop(p.name)}${p.required || kind === 'path' ? '' : '?'}: ${type}`;
            })
            .join('; ')} }`;
        };
        out.push(`  /** ${op.nickname}: ${(op.summary ?? '').replace(/\*\//g, '* /')} (${f.name}) */`);
        out.push(`  ${JSON.stringify(`${op.httpMethod} ${api.path}`)}: {`);
        out.push(`    path: ${group('path')};`);
        out.push(`    query: ${group('query')};`);
        out.push(`    body: ${group('body')};`);
        out.push(`    response: ${tsType(op.responseClass)};`);
        out.push('  };');
      }
    }
  }
  out.push('}', '', 'export type AriOperation = keyof AriOperations;', '');
  return out.join('\n');
}

function isSubtypeOf(id: string, base: string, parentOf: Map<string, string>): boolean {
  for (let p = parentOf.get(id); p; p = parentOf.get(p)) if (p === base) return true;
  return false;
}

function discriminatorOf(id: string, models: Map<string, { model: SwaggerModel }>, parentOf: Map<string, string>): string | undefined {
  for (let m: string | undefined = id; m; m = parentOf.get(m)) {
    const d = models.get(m)?.model.discriminator;
    if (d) return d;
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUT_FILE, 'utf8');
    if (current !== text) {
      console.error(`${OUT_FILE} is stale: run npx tsx scripts/gen-ari-types.ts`);
      process.exit(1);
    }
    console.log('ARI types are up to date');
  } else {
    writeFileSync(OUT_FILE, text);
    console.log(`wrote ${OUT_FILE}`);
  }
}
