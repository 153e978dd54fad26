/**
 * The ARI contract, read from Asterisk's own Swagger declarations (the vendored
 * copy in test/fixtures/ari-api-docs): route matching and request validation for
 * the fake ARI server, and model validation for what the fake sends back (REST
 * replies and WebSocket events shaped by events.json).
 *
 * Where Asterisk is lenient, this is stricter on purpose (an unknown query
 * parameter is a 400 here; Asterisk ignores it), so a typo in the adapter fails a
 * test instead of silently doing nothing on a real PBX.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiFiles, type SwaggerFile } from '../../../scripts/gen-ari-types.js';

export const ARI_DOCS_DIR = fileURLToPath(new URL('../../fixtures/ari-api-docs', import.meta.url));

type Operation = SwaggerFile['apis'][number]['operations'][number];
type Parameter = NonNullable<Operation['parameters']>[number];
type Model = NonNullable<SwaggerFile['models']>[string];

interface Route {
  method: string;
  template: string;
  segments: string[];
  op: Operation;
  file: string;
}

export interface ValidRequest {
  /** `METHOD /template`, as in the Swagger files and `AriOperations`. */
  key: string;
  nickname: string;
  path: Record<string, string>;
  /** Query parameters, plus body keys Asterisk reads as query parameters. */
  query: Record<string, string>;
  body: Record<string, unknown>;
  responseClass: string;
  errorCodes: number[];
}

export type RequestCheck = { ok: true; req: ValidRequest } | { ok: false; status: number; message: string };

const INT = /^-?\d+$/;
const BOOL = new Set(['true', 'false', 'yes', 'no', '1', '0', 'on', 'off']);
/** ARI's Date format: ISO 8601 with milliseconds and a numeric zone, e.g. 2025-05-01T10:00:00.123+0000. */
const ARI_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

export class AriSwagger {
  readonly models = new Map<string, Model>();
  private readonly parentOf = new Map<string, string>();
  private readonly routes: Route[] = [];

  constructor(dir = ARI_DOCS_DIR) {
    for (const file of apiFiles(dir)) {
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SwaggerFile;
      for (const m of Object.values(doc.models ?? {})) this.models.set(m.id, m);
      for (const api of doc.apis) {
        for (const op of api.operations) {
          this.routes.push({ method: op.httpMethod, template: api.path, segments: api.path.split('/').filter(Boolean), op, file });
        }
      }
    }
    for (const m of this.models.values()) for (const s of m.subTypes ?? []) this.parentOf.set(s, m.id);
  }

  /** Every operation `METHOD /template`, for coverage reports. */
  operations(): string[] {
    return this.routes.map((r) => `${r.method} ${r.template}`);
  }

  /** Matches and validates one request: method, path, path/query/body parameters, required fields, allowed values, types. */
  check(method: string, pathname: string, search: URLSearchParams, body: unknown): RequestCheck {
    const segs = pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const byPath = this.routes.filter((r) => matchSegments(r.segments, segs) !== null);
    if (byPath.length === 0) return { ok: false, status: 404, message: 'Resource not found' };
    // A literal segment beats a {param} (POST /channels/create vs POST /channels/{channelId}).
    const candidates = byPath.filter((r) => r.method === method).sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
    const route = candidates[0];
    if (!route) return { ok: false, status: 405, message: 'Invalid method' };
    const path = matchSegments(route.segments, segs) as Record<string, string>;
    const params = route.op.parameters ?? [];

    const query: Record<string, string> = {};
    for (const [k, v] of search) {
      if (k === 'api_key') continue; // authentication, not an operation parameter
      if (k in query) return { ok: false, status: 400, message: `parameter ${k} given twice` };
      query[k] = v;
    }
    let bodyObj: Record<string, unknown> = {};
    if (body !== undefined) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, status: 400, message: 'body must be a JSON object' };
      bodyObj = body as Record<string, unknown>;
      // "Other keys in the body object are interpreted as query parameters" (channels.json, variables).
      for (const [k, v] of Object.entries(bodyObj)) {
        const p = params.find((x) => x.name === k);
        if (p?.paramType === 'body') continue;
        if (k in query) return { ok: false, status: 400, message: `parameter ${k} given in both the query and the body` };
        query[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
    }
    for (const k of Object.keys(query)) {
      const p = params.find((x) => x.name === k && x.paramType === 'query');
      if (!p) return { ok: false, status: 400, message: `unknown query parameter ${k} for ${route.op.nickname} (${route.file})` };
      const problem = checkValue(p, query[k] as string);
      if (problem) return { ok: false, status: 400, message: problem };
    }
    for (const p of params) {
      if (p.paramType === 'query' && p.required && !(p.name in query)) return { ok: false, status: 400, message: `missing required parameter ${p.name}` };
      if (p.paramType === 'path' && !path[p.name]) return { ok: false, status: 400, message: `missing path parameter ${p.name}` };
      if (p.paramType === 'body') {
        const v = bodyObj[p.name];
        if (v === undefined && p.required) return { ok: false, status: 400, message: `missing required body field ${p.name}` };
        if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) return { ok: false, status: 400, message: `body field ${p.name} must be an object` };
      }
    }
    const key = `${route.method} ${route.template}`;
    return {
      ok: true,
      req: { key, nickname: route.op.nickname, path, query, body: bodyObj, responseClass: route.op.responseClass, errorCodes: (route.op.errorResponses ?? []).map((e) => e.code) },
    };
  }

  /** Validates a value against a model or type name; returns the problems (empty when valid). */
  validate(value: unknown, type: string, at = '$'): string[] {
    const list = /^List\[(.+)\]$/.exec(type);
    if (list) {
      if (!Array.isArray(value)) return [`${at}: expected a list of ${list[1]}`];
      return value.flatMap((v, i) => this.validate(v, list[1] as string, `${at}[${i}]`));
    }
    switch (type) {
      case 'string':
        return typeof value === 'string' ? [] : [`${at}: expected a string`];
      case 'int':
      case 'long':
        return Number.isInteger(value) ? [] : [`${at}: expected an integer`];
      case 'double':
        return typeof value === 'number' ? [] : [`${at}: expected a number`];
      case 'boolean':
        return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
      case 'Date':
        return typeof value === 'string' && ARI_DATE.test(value) ? [] : [`${at}: expected an ARI date like 2025-05-01T10:00:00.123+0000`];
      case 'object':
        return typeof value === 'object' && value !== null ? [] : [`${at}: expected an object`];
      case 'void':
        return value === undefined ? [] : [`${at}: expected no body`];
      default:
        return this.validateModel(value, type, at);
    }
  }

  private validateModel(value: unknown, type: string, at: string): string[] {
    const model = this.models.get(type);
    if (!model) return [`${at}: unknown type ${type}`];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected a ${type} object`];
    const obj = value as Record<string, unknown>;
    // A discriminated base (Message, Event) validates as the concrete subtype named by `type`.
    if (model.subTypes?.length) {
      const concrete = obj.type;
      if (typeof concrete !== 'string' || !this.isSubtype(concrete, type)) return [`${at}.type: ${String(concrete)} is not a subtype of ${type}`];
      return this.validateModel(value, concrete, at);
    }
    const props = this.allProperties(type);
    const problems: string[] = [];
    for (const [name, p] of Object.entries(props)) {
      const v = obj[name];
      if (v === undefined) {
        if (p.required) problems.push(`${at}.${name}: required by ${type}`);
        continue;
      }
      problems.push(...this.validate(v, p.type, `${at}.${name}`));
      const allowed = p.allowableValues?.values;
      if (allowed && !allowed.includes(v as string)) problems.push(`${at}.${name}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
    }
    for (const name of Object.keys(obj)) if (!(name in props)) problems.push(`${at}.${name}: not a property of ${type}`);
    if (this.parentOf.has(type) && 'type' in props && obj.type !== type) problems.push(`${at}.type: expected "${type}"`);
    return problems;
  }

  /** A model's properties with those of its bases (Event, Message). */
  private allProperties(type: string): Record<string, { type: string; required?: boolean; allowableValues?: { values?: string[] } }> {
    const chain: string[] = [];
    for (let t: string | undefined = type; t; t = this.parentOf.get(t)) chain.unshift(t);
    return Object.assign({}, ...chain.map((t) => this.models.get(t)?.properties ?? {}));
  }

  private isSubtype(type: string, base: string): boolean {
    for (let p = this.parentOf.get(type); p; p = this.parentOf.get(p)) if (p === base) return true;
    return false;
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | null {
  if (template.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const a = actual[i] as string;
    const m = /^\{(.+)\}$/.exec(t);
    if (m) params[m[1] as string] = a;
    else if (t !== a) return null;
  }
  return params;
}

const literalCount = (segs: string[]): number => segs.filter((s) => !s.startsWith('{')).length;

function checkValue(p: Parameter, raw: string): string | null {
  const values = p.allowMultiple ? raw.split(',') : [raw];
  for (const v of values) {
    if (p.dataType === 'int' || p.dataType === 'long') {
      if (!INT.test(v)) return `parameter ${p.name}: expected an integer, got ${JSON.stringify(v)}`;
      const range = p.allowableValues?.valueType === 'RANGE' ? p.allowableValues : undefined;
      if (range?.min !== undefined && Number(v) < range.min) return `parameter ${p.name}: below ${range.min}`;
      if (range?.max !== undefined && Number(v) > range.max) return `parameter ${p.name}: above ${range.max}`;
    }
    if (p.dataType === 'boolean' && !BOOL.has(v.toLowerCase())) return `parameter ${p.name}: expected a boolean, got ${JSON.stringify(v)}`;
    const list = p.allowableValues?.valueType === 'LIST' ? p.allowableValues.values : undefined;
    if (list && !list.includes(v)) return `parameter ${p.name}: ${JSON.stringify(v)} is not one of ${list.join(', ')}`;
  }
  return null;
}
