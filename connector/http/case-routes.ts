/** `/api/cases`: log a call as a case, list, read and change cases. */
import { Router } from 'express';
import type { SessionStore } from '../auth/sessions.js';
import type { CaseService } from '../cases/case-service.js';
import type { CaseEscalation } from '../cases/escalation.js';
import { requireAgent } from './auth-routes.js';

export function caseRoutes(deps: { cases: CaseService; escalation: CaseEscalation; sessions: SessionStore }): Router {
  const r = Router();
  const auth = requireAgent(deps.sessions);

  r.post('/api/cases', auth, (req, res) => {
    const { created, record } = deps.cases.create(res.locals.username as string, req.body, req.header('idempotency-key'));
    res.status(created ? 201 : 200).location(`/api/cases/${record.number}`).json(record);
  });

  r.get('/api/cases', auth, (req, res) => {
    res.json({ cases: deps.cases.list(req.query, res.locals.username as string) });
  });

  r.get('/api/cases/:number', auth, (req, res) => {
    const n = req.params.number;
    res.json(deps.cases.get(typeof n === 'string' ? n : ''));
  });

  r.get('/api/cases/:number/events', auth, (req, res) => {
    const n = req.params.number;
    res.json({ events: deps.cases.events(typeof n === 'string' ? n : '') });
  });

  r.post('/api/cases/:number/escalate', auth, (req, res) => {
    const n = req.params.number;
    res.json(deps.escalation.escalate(res.locals.username as string, typeof n === 'string' ? n : '', req.body));
  });

  r.patch('/api/cases/:number', auth, (req, res) => {
    const n = req.params.number;
    res.json(deps.cases.update(res.locals.username as string, typeof n === 'string' ? n : '', req.body));
  });

  return r;
}
