/**
 * `/api/flows`: the IVR flows in service. Reading needs a login; changing a flow
 * needs the admin role. An uploaded flow is validated like a file on disk: a
 * valid one applies to new calls (calls in progress keep their version), an
 * invalid one is refused with every problem and changes nothing.
 */
import express, { Router } from 'express';
import type { AuditLog } from '../admin/audit-log.js';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import { AppError } from '../errors.js';
import type { Flows } from '../flows.js';
import { requireAgent, requireRole } from './auth-routes.js';

export function flowRoutes(deps: { flows: Flows; sessions: SessionStoreLike; agents: AgentDirectory; audit?: AuditLog }): Router {
  const r = Router();
  const { registry } = deps.flows;
  const summary = (f: NonNullable<ReturnType<typeof registry.get>>) => ({
    name: f.name,
    version: f.version,
    description: f.flow.description ?? null,
    languages: f.flow.languages,
    nodes: Object.keys(f.flow.nodes).length,
  });
  const param = (v: unknown): string => (typeof v === 'string' ? v : '');

  r.get('/api/flows', requireAgent(deps.sessions), (_req, res) => {
    res.json({ flows: registry.list().map(summary) });
  });

  r.get('/api/flows/:name', requireAgent(deps.sessions), (req, res) => {
    const flow = registry.get(param(req.params.name));
    if (!flow) throw new AppError('NOT_FOUND', `No flow ${param(req.params.name)}.`);
    if (req.accepts(['application/json', 'application/yaml']) === 'application/yaml') res.type('application/yaml').send(flow.text);
    else res.json({ ...summary(flow), source: flow.text });
  });

  // The body is the YAML file itself (text), as an admin would upload it.
  r.put(
    '/api/flows/:name',
    requireRole(deps.sessions, deps.agents, 'admin'),
    express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: '256kb' }),
    (req, res) => {
      if (typeof req.body !== 'string' || req.body.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'Send the flow file as the body, with content-type application/yaml.', { fields: { body: ['required'] } });
      }
      const previous = registry.get(param(req.params.name));
      const result = registry.put(param(req.params.name), req.body);
      if (!result.ok) {
        const fields: Record<string, string[]> = {};
        for (const p of result.problems) (fields[p.path] ??= []).push(p.line !== null ? `line ${p.line}: ${p.message}` : p.message);
        throw new AppError('VALIDATION_FAILED', 'The flow is not valid; the running version stays.', { fields });
      }
      if (result.changed) {
        deps.audit?.record({
          actor: res.locals.username as string,
          action: 'flow.uploaded',
          target: result.flow.name,
          before: previous ? { version: previous.version, source: previous.text } : null,
          after: { version: result.flow.version, source: result.flow.text },
        });
      }
      res.json({ ...summary(result.flow), changed: result.changed });
    },
  );

  return r;
}
