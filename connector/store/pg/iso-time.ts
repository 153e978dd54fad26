/**
 * ISO times kept as text (inside the call record's `jsonb`, and the generated
 * `calls.arrived_at`), read as `timestamptz` in SQL the way SQLite's `julianday()`
 * and `strftime()` read them in the SQLite queries: a value that is not an ISO time
 * with a zone gives NULL, never an error that would fail the whole report.
 */

/** An ISO 8601 date-time with a zone (`Z`, `+02:00`, `+0200`), as the records carry. */
const ISO_WITH_ZONE = String.raw`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$`;

/** SQL: the text expression `expr` as `timestamptz`, or NULL when it is not an ISO time. */
export function isoTime(expr: string): string {
  return `(CASE WHEN ${expr} ~ '${ISO_WITH_ZONE}' THEN (${expr})::timestamptz END)`;
}

/** SQL: seconds from `from` to `to` (both `timestamptz` expressions), as float8. */
export function secondsBetweenSql(from: string, to: string): string {
  return `EXTRACT(EPOCH FROM (${to} - ${from}))::float8`;
}

/** SQL: `ts` (a `timestamptz` expression) formatted in UTC with a `to_char` pattern. */
export function utcText(ts: string, pattern: string): string {
  return `to_char((${ts}) AT TIME ZONE 'UTC', '${pattern}')`;
}
