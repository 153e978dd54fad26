/**
 * fast-check arbitraries for test/fuzz.test.ts: request bodies, path parameters,
 * query strings and headers that are wrong in every way we could think of, and
 * never accidentally right (a fuzzed request MUST be refused, so it writes nothing).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';

export interface Body {
  text: string;
}

const MAIN_FLOW = readFileSync(new URL('../../ivr/flows/main.yaml', import.meta.url), 'utf8');
const printable = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

/** JSON text of any value, top-level undefined as `null`. */
const asJson = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return 'null';
  }
};

const nested = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

/** Bodies: random values as JSON, broken JSON, unicode junk, deep nesting, prototype keys, huge strings. */
export function body(): fc.Arbitrary<Body> {
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 6 }).map(asJson) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(asJson) },
      // Known field names with values of the wrong type: always refused.
      {
        weight: 3,
        arbitrary: fc
          .record({
            k: fc.constantFrom('username', 'password', 'subject', 'type', 'callId', 'number', 'digits', 'from', 'to', 'displayName', 'role', 'queues', 'disabled', 'contactId'),
            v: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 })),
          })
          .map(({ k, v }) => asJson({ [k]: v, role: 42 })),
      },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '', '{', '{"a":', '[1,2', 'null', '"x"', '12', 'true', '{}', '[]', '{"a":1,}', "{'a':1}", '\u0000', '\ufeff{}',
          '{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"isAdmin":true}}}',
          '{"username":"\ud800","password":"\udfff"}', '{"subject":"\u202e\u0000\ud83d\ude00","type":"\u0000"}',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom(nested(5_000, '[', ']'), `{"a":${nested(3_000, '{"a":', '}').slice(0, -1)}null}}`, nested(2_000, '[', ']')) },
      { weight: 1, arbitrary: fc.constantFrom(asJson({ subject: 'x'.repeat(70_000), type: 'billing_question' }), 'x'.repeat(70_000), asJson({ username: 'é'.repeat(40_000) })) },
    )
    .map((text) => ({ text }));
}

/** YAML bodies: junk text, random YAML documents, and the real flow broken (always invalid). */
export function yamlBody(): fc.Arbitrary<Body> {
  const lines = MAIN_FLOW.split('\n');
  return fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
      fc.constantFrom('', '---\n...', 'name: main', '{{{{', '- - - -', 'a: &x [*x]', `a: ${'['.repeat(2_000)}`, 'x'.repeat(300_000)),
      // The shipped flow with a line dropped and a broken line added: never a valid flow.
      fc.nat(lines.length - 1).map((i) => [...lines.slice(0, i), ...lines.slice(i + 1), 'broken: [unclosed'].join('\n')),
    )
    .map((text) => ({ text }));
}

/** A path parameter: the given valid ones sometimes, else unicode, traversal, bad percent-encoding, huge. */
export function pathParam(known: readonly string[]): fc.Arbitrary<string> {
  const junk = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => s.length > 0).map(encodeURIComponent),
    fc.constantFrom('%zz', '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '-1', '0', '1e999', 'NaN', '__proto__', 'constructor', 'a'.repeat(3_000), '%F0%9F%98%80', 'x.wav'),
  );
  return known.length > 0 ? fc.oneof(fc.constantFrom(...known), junk) : junk;
}

/** A query string: known keys with junk values, repeated keys, brackets, bad percent-encoding. */
export function queryString(): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom('by', 'from', 'to', 'interval', 'format', 'limit', 'before', 'target', 'action', 'status', 'type', 'phone', 'agent', 'contactId', 'a[b]', 'by[]', '__proto__', '%zz'),
    fc.string({ maxLength: 10 }).map(encodeURIComponent),
  );
  const value = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom('', '%zz', '%E0%A4%A', '-1', '0', '99999999999', '1.5', 'csv', 'hour', 'week', '2026-02-30', '0000-00-00T00:00:00Z', '9999-12-31', 'null', '[]', 'x'.repeat(2_000)),
  );
  return fc
    .array(fc.tuple(key, value), { maxLength: 5 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
}

/** A content type: mostly the right one, else wrong types, bad charsets, garbage. */
export function contentType(right: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(right) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/json', 'text/plain', 'application/yaml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
        'application/json; charset=utf-7', 'application/json; charset=latin1', 'application/octet-stream', 'text/html', ';;;', 'application/json; charset=',
      ),
    },
  );
}

/** Mostly none; sometimes an encoding the body does not have. */
export function contentEncoding(): fc.Arbitrary<string | null> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'zstd', 'x-junk') });
}

/** An Authorization header that grants nothing (null: none at all). */
export function badAuthHeader(): fc.Arbitrary<string | null> {
  return fc.oneof(
    fc.constant(null),
    fc.constantFrom('', 'Bearer', 'Bearer ', 'bearer x', 'Basic YWRtaW46YWRtaW4tZGVtbw==', `Bearer ${'a'.repeat(3_000)}`, 'Bearer a b', `Bearer ${'A'.repeat(43)}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 200 }).filter(printable).map((s) => `Bearer ${s}`),
  );
}
