/**
 * `GET /api/queues` (supervisors and admins): each queue now: calls waiting, the
 * longest wait, its agents by state, and today's service level (answered calls
 * an agent took within `routing.serviceLevelSeconds` of their arrival, UTC day);
 * with the agents and the waiting line (callers masked). The same snapshot the
 * `/supervisor` namespace pushes (connector/supervisor/queue-snapshot.ts).
 */
import { Router } from 'express';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { QueueSnapshots } from '../supervisor/queue-snapshot.js';
import { requireRole } from './auth-routes.js';

export function queueRoutes(d: { snapshots: QueueSnapshots; sessions: SessionStoreLike; agents: AgentDirectory }): Router {
  const r = Router();
  r.get('/api/queues', requireRole(d.sessions, d.agents, 'supervisor'), async (_req, res) => {
    res.json(await d.snapshots.read());
  });
  return r;
}
