/** `/api/cases`: log a call as a case, list, read and change cases. */
import { Router } from 'express';
import type { SessionStore } from '../auth/sessions.js';
import type { CaseService } from '../cases/case-service.js';
import { requireAgent } from './auth-routes.js';

export function caseRoutes(deps: { cases: CaseService; sessions: SessionStore }): Router {
  const r = Router();
  const auth = requireAgent(deps.sessions);

  r.post('/api/cases', auth, (req, res) => {
    const { created, record } = deps.cases.create(res.locals.username as string, req.body, req.header('idempotency-key'));
    res.status(created ? 201 : 200).location(`/api/cases/${record.number}`).json(record);
  });

  r.get('/api/cases', auth, (req, res) => {
    res.json({ cases: deps.cases.list(req.query) });
  });

  r.get('/api/cases/:number', auth, (req, res) => {
    const n = req.params.number;
    res.json(deps.cases.get(typeof n === 'string' ? n : ''));
  });

  r.patch('/api/cases/:number', auth, (req, res) => {
    const n = req.params.number;
    res.json(deps.cases.update(res.locals.username as string, typeof n === 'string' ? n : '', req.body));
  });

  return r;
}
