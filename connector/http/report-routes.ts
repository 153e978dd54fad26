/** `/api/reports/...`: for supervisors and admins; JSON, or CSV with `format=csv`. */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { AgentDirectory } from '../agents/agent-store.js';
import { AppError } from '../errors.js';
import { toCsv, type Range, type Reports } from '../reports/report-store.js';
import { requireRole } from './auth-routes.js';
import { parseOrThrow } from './validate.js';

const DAY = 86_400_000;
const iso = z.iso.datetime({ offset: true, error: 'expected an ISO date-time such as 2026-11-01T00:00:00Z' }).or(z.iso.date({ error: 'expected a date such as 2026-11-01' }));

const common = {
  from: iso.optional(),
  to: iso.optional(),
  interval: z.enum(['total', 'day', 'hour'], { error: 'expected total, day or hour' }).default('total'),
  format: z.enum(['json', 'csv'], { error: 'expected json or csv' }).default('json'),
};
export const casesQuery = z.strictObject({ by: z.enum(['type', 'origin', 'customer', 'status', 'agent'], { error: 'expected type, origin, customer, status or agent' }).default('type'), ...common });
export const callsQuery = z.strictObject({ by: z.enum(['queue', 'outcome'], { error: 'expected queue or outcome' }).default('queue'), ...common });

/** The range: the last 7 days by default; at most 366 days (an hourly report of years is not a report). */
function range(q: { from?: string | undefined; to?: string | undefined; interval: Range['interval'] }): Range {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY);
  if (to.getTime() - from.getTime() > 366 * DAY) {
    throw new AppError('VALIDATION_FAILED', 'The range is too long.', { fields: { from: ['at most 366 days before to'] } });
  }
  return { from: from.toISOString(), to: to.toISOString(), interval: q.interval };
}

/** `reports`: the store's (`DataLayer.reports`): SQLite, or PostgreSQL in scale-out mode. */
export function reportRoutes(deps: { reports: Reports; sessions: SessionStoreLike; agents: AgentDirectory }): Router {
  const r = Router();
  const store = deps.reports;
  const supervisor = requireRole(deps.sessions, deps.agents, 'supervisor');

  const send = (res: import('express').Response, name: string, q: { format: string }, rng: Range, rows: Array<Record<string, unknown>>, columns: string[]) => {
    if (q.format === 'csv') {
      res.type('text/csv').attachment(`${name}-${rng.from.slice(0, 10)}-${rng.to.slice(0, 10)}.csv`).send(toCsv(rows, columns));
    } else res.json({ ...rng, rows });
  };

  r.get('/api/reports/cases', supervisor, async (req, res) => {
    const q = parseOrThrow(casesQuery.refine((x) => !x.from || !x.to || x.from < x.to, { path: ['to'], error: 'expected to after from' }), req.query, 'query');
    const rng = range(q);
    const rows = await store.cases(q.by, rng);
    send(res, `cases-by-${q.by}`, q, rng, rows as unknown as Array<Record<string, unknown>>, ['bucket', 'key', 'cases', 'avgResponseSeconds', 'awaitingResponse']);
  });

  r.get('/api/reports/calls', supervisor, async (req, res) => {
    const q = parseOrThrow(callsQuery.refine((x) => !x.from || !x.to || x.from < x.to, { path: ['to'], error: 'expected to after from' }), req.query, 'query');
    const rng = range(q);
    const rows = await store.calls(q.by, rng);
    send(res, `calls-by-${q.by}`, q, rng, rows as unknown as Array<Record<string, unknown>>, [
      'bucket', 'key', 'calls', 'answered', 'containedInIvr', 'abandoned', 'avgSpeedOfAnswerSeconds', 'avgTalkSeconds', 'avgHandleSeconds',
    ]);
  });

  return r;
}
