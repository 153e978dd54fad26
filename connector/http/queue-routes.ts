/**
 * `GET /api/queues` (supervisors and admins): each queue now: calls waiting, the
 * longest wait, its agents by state, and today's service level (answered calls
 * an agent took within `routing.serviceLevelSeconds` of their arrival, UTC day).
 */
import { Router } from 'express';
import type { PresenceBoard } from '../agents/presence.js';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { SessionStore } from '../auth/sessions.js';
import type { Dispatcher } from '../calls/dispatcher.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/db.js';
import { requireRole } from './auth-routes.js';

export function queueRoutes(d: {
  db: Database;
  config: Config;
  dispatcher: Dispatcher;
  presence: PresenceBoard;
  sessions: SessionStore;
  agents: AgentDirectory;
}): Router {
  const r = Router();
  const served = d.db.prepare<[number, string], { queue: string | null; answered: number; within: number }>(
    `SELECT queue, COUNT(*) AS answered,
            SUM((julianday(json_extract(record, '$.connectedAt')) - julianday(arrived_at)) * 86400 <= ?) AS within
       FROM calls WHERE outcome = 'answered' AND arrived_at >= ? GROUP BY queue`,
  );

  r.get('/api/queues', requireRole(d.sessions, d.agents, 'supervisor'), (_req, res) => {
    const now = Date.now();
    const threshold = d.config.routing.serviceLevelSeconds;
    const today = new Date(now).toISOString().slice(0, 10);
    const sl = new Map(served.all(threshold, today).map((row) => [row.queue, row]));
    const waiting = d.dispatcher.waitingCalls();
    const agents = [...d.presence.all()];
    res.json({
      at: new Date(now).toISOString(),
      serviceLevelSeconds: threshold,
      queues: d.config.queues.map((q) => {
        const line = waiting.filter((c) => c.record.queue === q.id);
        const oldest = line.reduce<number | null>((min, c) => {
          const t = Date.parse(c.record.queuedAt ?? c.record.arrivedAt);
          return min === null || t < min ? t : min;
        }, null);
        const mine = agents.filter((a) => a.queues.includes(q.id));
        const count = (state: string) => mine.filter((a) => a.state === state).length;
        const s = sl.get(q.id);
        return {
          id: q.id,
          name: q.name,
          waiting: line.length,
          longestWaitSeconds: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
          agents: { available: count('available'), onCall: count('on-call'), afterCallWork: count('after-call-work'), away: count('away') },
          serviceLevel: s ? { answered: s.answered, withinThreshold: s.within ?? 0, percent: Math.round((100 * (s.within ?? 0)) / s.answered) } : { answered: 0, withinThreshold: 0, percent: null },
        };
      }),
    });
  });
  return r;
}
