/**
 * `/api/cases`: log a call as a case, list, read and change cases. Handlers are async
 * (the data layer): express 5 passes a rejected promise to the error handler, which
 * answers with the error's code (`error-handler.ts`).
 */
import { Router } from 'express';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { CaseService } from '../cases/case-service.js';
import type { CaseEscalation } from '../cases/escalation.js';
import { requireAgent } from './auth-routes.js';

export function caseRoutes(deps: { cases: CaseService; escalation: CaseEscalation; sessions: SessionStoreLike }): Router {
  const r = Router();
  const auth = requireAgent(deps.sessions);
  const param = (n: unknown): string => (typeof n === 'string' ? n : '');

  r.post('/api/cases', auth, async (req, res) => {
    const { created, record } = await deps.cases.create(res.locals.username as string, req.body, req.header('idempotency-key'));
    res.status(created ? 201 : 200).location(`/api/cases/${record.number}`).json(record);
  });

  r.get('/api/cases', auth, async (req, res) => {
    res.json({ cases: await deps.cases.list(req.query, res.locals.username as string) });
  });

  r.get('/api/cases/:number', auth, async (req, res) => {
    res.json(await deps.cases.get(param(req.params.number)));
  });

  r.get('/api/cases/:number/events', auth, async (req, res) => {
    res.json({ events: await deps.cases.events(param(req.params.number)) });
  });

  r.post('/api/cases/:number/escalate', auth, async (req, res) => {
    res.json(await deps.escalation.escalate(res.locals.username as string, param(req.params.number), req.body));
  });

  r.patch('/api/cases/:number', auth, async (req, res) => {
    res.json(await deps.cases.update(res.locals.username as string, param(req.params.number), req.body));
  });

  return r;
}
