/**
 * Loading the configuration: the YAML file (or the embedded default), then
 * environment overrides, then validation. Every problem is reported, one line
 * each, as `path: what is wrong`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { configSchema, type Config } from './schema.js';

/** Environment variables that override the file; documented in the README. */
export const ENV_OVERRIDES: ReadonlyArray<{ name: string; path: [string, string?]; type: 'number' | 'string' }> = [
  { name: 'SWITCHBOARD_HOST', path: ['server', 'host'], type: 'string' },
  { name: 'SWITCHBOARD_PORT', path: ['server', 'port'], type: 'number' },
  { name: 'SWITCHBOARD_DATA_DIR', path: ['dataDir'], type: 'string' },
  { name: 'SWITCHBOARD_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { name: 'SWITCHBOARD_DEFAULT_REGION', path: ['phone', 'defaultRegion'], type: 'string' },
];

export interface LoadedConfig {
  config: Config;
  /** The file read, or null for the embedded default. */
  source: string | null;
}

/** Formats a zod path as `adapters[0].url`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${issueMessage(i)}`);
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return `expected ${issue.expected}`;
  return issue.message;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`], { cause: err });
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  return doc.toJS() ?? {};
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = structuredClone(raw as Record<string, unknown>);
  for (const o of ENV_OVERRIDES) {
    const value = env[o.name];
    if (value === undefined || value === '') continue;
    const parsed = o.type === 'number' && /^\d+$/.test(value) ? Number(value) : value;
    const [head, tail] = o.path;
    if (tail === undefined) out[head] = parsed;
    else {
      const section = out[head];
      out[head] = { ...(typeof section === 'object' && section !== null ? section : {}), [tail]: parsed };
    }
  }
  return out;
}

/** Validates a raw config object (from YAML, the default, or a test). Throws ConfigError. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues));
  return result.data;
}

/**
 * Loads the config from `file` (or `SWITCHBOARD_CONFIG`, or the embedded default)
 * and the environment. Throws ConfigError listing every problem.
 */
export function loadConfig(opts: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.SWITCHBOARD_CONFIG ?? null;
  const raw = file ? readYaml(file) : DEFAULT_CONFIG;
  return { config: parseConfig(applyEnv(raw, env)), source: file };
}
