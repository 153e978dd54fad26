/**
 * The rules of the case store that do not depend on the database, shared by the
 * SQLite and PostgreSQL implementations so both number, page and diff cases alike.
 */
import type { CaseEvent, CasePatch, CaseRecord } from './types.js';

/** Page size of a case list when the filter gives none. */
export const LIST_DEFAULT_LIMIT = 50;
/** Largest page of a case list; larger limits are cut to it. */
export const LIST_MAX_LIMIT = 500;

/** Case numbers are shown zero-padded to this width. */
const NUMBER_WIDTH = 8;

/** The first case number of an empty store (`00001001`). */
export const FIRST_CASE_NUMBER = 1001;

/** The fields of a case an agent may change, in the order `changed` lists them. */
export const PATCHABLE = ['subject', 'description', 'status', 'priority', 'disposition'] as const satisfies ReadonlyArray<keyof CasePatch>;

/** `1001` -> `00001001`. */
export function formatNumber(n: number): string {
  return String(n).padStart(NUMBER_WIDTH, '0');
}

/** A case number as the store keys it (`00001001` or `1001` -> 1001); null when it cannot be one. */
export function parseCaseNumber(number: string): number | null {
  return /^\d{1,15}$/.test(number) ? Number(number) : null;
}

/** Clamps a page limit or offset; a non-finite value means "as many as allowed". */
export function clamp(n: number, min: number, max: number): number {
  if (!Number.isFinite(n)) return max;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}

/** The page a case filter asks for, clamped. */
export function page(filter: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return {
    limit: clamp(filter.limit ?? LIST_DEFAULT_LIMIT, 1, LIST_MAX_LIMIT),
    offset: clamp(filter.offset ?? 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The fields of `patch` that differ from `before`, and the record with them applied. */
export function diff(before: CaseRecord, patch: CasePatch): { changed: Array<keyof CasePatch>; next: CaseRecord } {
  const changed = PATCHABLE.filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
  const next = { ...before, ...Object.fromEntries(changed.map((k) => [k, patch[k]])) } as CaseRecord;
  return { changed, next };
}

/** The status an escalation leaves: a case nobody had started on (`new`) is `open` from now on. */
export function statusAfterEscalation(status: CaseRecord['status']): CaseRecord['status'] {
  return status === 'new' ? 'open' : status;
}

/** An event with the fields its kind does not use left empty. */
export function caseEvent(e: Pick<CaseEvent, 'at' | 'by' | 'kind'> & Partial<CaseEvent>): CaseEvent {
  return {
    at: e.at,
    by: e.by,
    kind: e.kind,
    fromQueue: e.fromQueue ?? null,
    toQueue: e.toQueue ?? null,
    assignee: e.assignee ?? null,
    note: e.note ?? null,
    fields: e.fields ?? [],
  };
}
