/**
 * Secrets in the config (ARI passwords, HMAC keys, Twilio tokens) come from exactly
 * one of: the value itself, an environment variable, or a file (Docker/Kubernetes
 * secrets). They are read at start-up and never logged or returned by the API.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export interface SecretSource {
  value?: string | undefined;
  env?: string | undefined;
  file?: string | undefined;
}

/** Reads a secret; `path` names it in errors (e.g. `adapters.pbx1.password`). */
export function readSecret(src: SecretSource, path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (src.value !== undefined) return src.value;
  if (src.env !== undefined) {
    const v = env[src.env];
    if (!v) throw new ConfigError([`${path}Env: the environment variable ${src.env} is not set`]);
    return v;
  }
  try {
    return readFileSync(src.file ?? '', 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError([`${path}File: cannot read ${src.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`], { cause: err });
  }
}
