/** zod validation for REST bodies, queries and socket payloads, with per-field errors. */
import type { z } from 'zod';
import { formatPath } from '../config/load.js';
import { AppError } from '../errors.js';

export function fieldErrors(issues: ReadonlyArray<z.core.$ZodIssue>): Record<string, string[]> {
  // A Map, not `{}`: a field named `constructor` or `__proto__` (found by test/fuzz.test.ts) must not hit Object.prototype.
  const fields = new Map<string, string[]>();
  for (const issue of issues) {
    const paths =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => formatPath([...issue.path, k])) : [formatPath(issue.path)];
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    for (const p of paths) fields.set(p, [...(fields.get(p) ?? []), message]);
  }
  return Object.fromEntries(fields);
}

/** Parses `value` or throws VALIDATION_FAILED listing every field's problems. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', `The ${what} has invalid fields.`, { fields: fieldErrors(result.error.issues) });
  }
  return result.data;
}
