/**
 * Secrets out of anything shown or stored for people: the audit log's
 * before/after and the adapters' settings in the console. Keys that name a
 * secret are dropped (not masked: a mask still says how long the secret is);
 * `passwordEnv` and `passwordFile` name where a secret lives, not the secret,
 * and stay.
 */

const SECRET_KEY = /^(password|passwordhash|password_hash|secret|token|tokenhash|token_hash|authtoken|apikey|api_key|privatekey|hmackey)$|(secret|passwordhash|authtoken)$/i;

/** Whether a key names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` without secret-named keys, and without any string that looks like a password hash. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (typeof value === 'string') return /^scrypt\$/.test(value) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isSecretKey(k) && v !== undefined) out[k] = redact(v, depth + 1);
    return out;
  }
  return value;
}
