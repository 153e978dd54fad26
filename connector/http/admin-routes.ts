/**
 * `/api/admin/...`: the admin console's API, admin role only (checked against
 * the live agents in the store). Agents created, changed, disabled and their
 * passwords reset; the audit log; adapters' settings (secrets removed) with
 * their live health; flows validated without applying them, and drawn.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import type { PbxAdapter } from '../../adapters/adapter.js';
import { validateFlowText } from '../../ivr/flow/validate.js';
import { flowToMermaid } from '../../ivr/tools/graph.js';
import type { AgentAdmin } from '../admin/agent-admin.js';
import type { AuditLog } from '../admin/audit-log.js';
import { flowToSvg } from '../admin/flow-svg.js';
import { redact } from '../admin/redact.js';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { AdapterConfig } from '../config/schema.js';
import { AppError } from '../errors.js';
import type { Flows } from '../flows.js';
import { requireRole } from './auth-routes.js';
import { parseOrThrow } from './validate.js';

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const id = z.string({ error: 'expected a string' }).regex(ID_RE, { error: 'expected an id: lowercase letters, digits, - and _ (at most 64)' });
const displayName = z.string({ error: 'expected a string' }).trim().min(1, { error: 'required' }).max(100, { error: 'at most 100 characters' });
const password = z.string({ error: 'expected a string' }).min(8, { error: 'at least 8 characters' }).max(256, { error: 'at most 256 characters' });
const role = z.enum(['agent', 'supervisor', 'admin'], { error: 'expected agent, supervisor or admin' });
const queues = z.array(id, { error: 'expected a list of queue ids' }).max(50, { error: 'at most 50 queues' });
const skills = z.array(id, { error: 'expected a list of skill ids' }).max(50, { error: 'at most 50 skills' });
const endpoint = z.string({ error: 'expected a string' }).min(1).max(200, { error: 'at most 200 characters' });
/** Calls at once (call waiting); null: `routing.maxCallsPerAgent`. */
const maxCalls = z
  .number({ error: 'expected a number of calls from 1 to 4, or null for the default' })
  .int({ error: 'expected a whole number of calls from 1 to 4' })
  .min(1, { error: 'expected a number of calls from 1 to 4' })
  .max(4, { error: 'expected a number of calls from 1 to 4' })
  .nullable();

export const createAgentBody = z.strictObject({
  username: id,
  displayName,
  password,
  role: role.default('agent'),
  queues: queues.default([]),
  skills: skills.default([]),
  endpoint: endpoint.optional(),
  maxCalls: maxCalls.optional(),
});

export const patchAgentBody = z
  .strictObject({ displayName: displayName.optional(), role: role.optional(), queues: queues.optional(), skills: skills.optional(), endpoint: endpoint.nullable().optional(), maxCalls: maxCalls.optional(), disabled: z.boolean({ error: 'expected true or false' }).optional() })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { error: 'expected at least one field to change' });

export const passwordBody = z.strictObject({ password });

const intParam = (max: number) =>
  z
    .string({ error: 'expected a number' })
    .regex(/^\d{1,9}$/, { error: 'expected a whole number' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { error: `expected 1 to ${max}` });

export const auditQuery = z.strictObject({
  limit: intParam(500).default(100),
  before: intParam(1e9).optional(),
  target: z.string({ error: 'expected a string' }).max(64).optional(),
  action: z.string({ error: 'expected a string' }).max(64).optional(),
});

export interface AdminRouteDeps {
  admin: AgentAdmin;
  audit: AuditLog;
  agents: AgentDirectory;
  sessions: SessionStoreLike;
  flows: Flows;
  /** The configured queues (agents are assigned to these). */
  queues: ReadonlyArray<{ id: string; name: string }>;
  adapters: readonly PbxAdapter[];
  adapterConfigs: readonly AdapterConfig[];
  /** The last normalized event of a running adapter (AdapterManager.lastEvent). */
  lastEvent?: (id: string) => { type: string; at: string } | null;
}

export function adminRoutes(d: AdminRouteDeps): Router {
  const r = Router();
  const queueIds = new Set(d.queues.map((q) => q.id));
  const admin = requireRole(d.sessions, d.agents, 'admin');
  const actor = (res: express.Response): string => res.locals.username as string;
  const username = (v: unknown): string => {
    if (typeof v !== 'string' || !ID_RE.test(v)) throw new AppError('AGENT_NOT_FOUND', 'No agent with that username.');
    return v;
  };
  const flowName = (v: unknown): string => {
    const flow = typeof v === 'string' ? d.flows.registry.get(v) : undefined;
    if (!flow) throw new AppError('NOT_FOUND', 'No such flow.');
    return flow.name;
  };

  r.use('/api/admin', admin);

  r.get('/api/admin/agents', (_req, res) => {
    res.json({ agents: d.admin.list(), queues: d.queues.map((q) => ({ id: q.id, name: q.name })) });
  });

  r.post('/api/admin/agents', async (req, res) => {
    const body = parseOrThrow(createAgentBody, req.body, 'agent');
    const agent = await d.admin.create(actor(res), body);
    res.status(201).location(`/api/admin/agents/${agent.username}`).json({ agent });
  });

  r.patch('/api/admin/agents/:username', (req, res) => {
    const name = username(req.params.username);
    const patch = parseOrThrow(patchAgentBody, req.body, 'change');
    res.json({ agent: d.admin.update(actor(res), name, patch) });
  });

  r.post('/api/admin/agents/:username/password', async (req, res) => {
    const name = username(req.params.username);
    const { password: pw } = parseOrThrow(passwordBody, req.body, 'password');
    await d.admin.resetPassword(actor(res), name, pw);
    res.status(204).end();
  });

  r.get('/api/admin/audit', (req, res) => {
    const q = parseOrThrow(auditQuery, req.query, 'query');
    res.json({ entries: d.audit.list(q) });
  });

  // Each configured adapter: its settings with secrets removed, its live health and last event when running.
  r.get('/api/admin/adapters', (_req, res) => {
    res.json({
      adapters: d.adapterConfigs.map((c) => ({
        id: c.id,
        kind: c.kind,
        enabled: c.enabled,
        settings: redact(c),
        health: d.adapters.find((a) => a.id === c.id)?.health() ?? null,
        lastEvent: d.lastEvent?.(c.id) ?? null,
      })),
    });
  });

  // Validates a flow file without applying it: every problem with its line.
  r.post(
    '/api/admin/flows/:name/validate',
    express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: '256kb' }),
    (req, res) => {
      if (typeof req.body !== 'string' || req.body.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'Send the flow file as the body, with content-type application/yaml.', { fields: { body: ['required'] } });
      }
      const name = typeof req.params.name === 'string' ? req.params.name : '';
      if (!ID_RE.test(name)) throw new AppError('VALIDATION_FAILED', 'Bad flow name.', { fields: { name: ['expected a flow name: lowercase letters, digits, - and _'] } });
      const v = validateFlowText(req.body, { queues: queueIds });
      const problems = v.ok ? [] : v.problems;
      if (v.ok && v.flow.name !== name) problems.push({ path: 'name', line: 1, message: `the file says name "${v.flow.name}", the request "${name}"` });
      res.json({ ok: problems.length === 0, problems });
    },
  );

  r.get('/api/admin/flows/:name/diagram', (req, res) => {
    const flow = d.flows.registry.get(flowName(req.params.name)) as NonNullable<ReturnType<typeof d.flows.registry.get>>;
    res.json({ name: flow.name, version: flow.version, mermaid: flowToMermaid(flow.flow), svg: flowToSvg(flow.name, flow.flow) });
  });

  return r;
}
