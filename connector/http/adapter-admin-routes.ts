/**
 * `/api/admin/adapters/...` (admin role): add, change, enable, disable and test a
 * PBX adapter while Switchboard runs. A change is validated like the config file,
 * applied to that adapter alone (calls on the others go on), kept in the store and
 * written to the audit log; a change that does not validate or build changes nothing.
 */
import { Router, type Request } from 'express';
import type { AuditLog } from '../admin/audit-log.js';
import { redact } from '../admin/redact.js';
import type { AdapterManager } from '../adapters/manager.js';
import { INLINE_SECRET_KEYS, type AdapterOverrides, effectiveAdapters } from '../adapters/overrides.js';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import { checkAdapters } from '../cli/adapters-check.js';
import { adapterSchema, type AdapterConfig, type Config } from '../config/schema.js';
import { AppError } from '../errors.js';
import { requireRole } from './auth-routes.js';
import { parseOrThrow } from './validate.js';

export interface AdapterAdminDeps {
  manager: AdapterManager;
  overrides: AdapterOverrides;
  /** The config file's adapters (they change when the file is edited). */
  fromConfig: () => readonly AdapterConfig[];
  config: Config;
  audit: AuditLog;
  sessions: SessionStoreLike;
  agents: AgentDirectory;
}

/** Secret-source keys: a changed setting without them keeps the adapter's current source. */
const SECRET_SOURCES = ['password', 'passwordEnv', 'passwordFile', 'secret', 'secretEnv', 'secretFile', 'token', 'tokenEnv', 'tokenFile', 'authToken'];

function refuseInlineSecrets(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const found = INLINE_SECRET_KEYS.filter((k) => k in body);
  if (found.length > 0) {
    const fields = Object.fromEntries(found.map((k) => [k, [`not stored: give ${k}Env or ${k}File instead`]]));
    throw new AppError('VALIDATION_FAILED', 'Secrets are not stored by the admin API; name an environment variable or a file.', { fields });
  }
}

export function adapterAdminRoutes(d: AdapterAdminDeps): Router {
  const r = Router();
  const admin = requireRole(d.sessions, d.agents, 'admin');
  const param = (req: Request): string => (typeof req.params.id === 'string' ? req.params.id : '');
  const current = (id: string): AdapterConfig => {
    const c = d.manager.configs.find((x) => x.id === id);
    if (!c) throw new AppError('NOT_FOUND', `No adapter ${id}.`);
    return c;
  };

  /** Validates, applies, and only then stores and audits. */
  const change = async (req: Request, action: string, before: AdapterConfig | null, next: AdapterConfig | null, id: string) => {
    const overrides = d.overrides.list().filter((o) => o.id !== id);
    const wanted = effectiveAdapters(d.fromConfig(), next ? [...overrides, next] : overrides);
    try {
      await d.manager.apply(wanted);
    } catch (err) {
      const problems = (err as { problems?: string[] }).problems;
      if (!problems) throw err;
      throw new AppError('VALIDATION_FAILED', 'The adapter could not be started with these settings; nothing changed.', { fields: { settings: problems } });
    }
    if (next) d.overrides.set(next);
    else d.overrides.remove(id);
    d.audit.record({ actor: req.res?.locals.username as string, action, target: `adapter:${id}`, before: before && redact(before), after: redact(d.manager.configs.find((c) => c.id === id) ?? null) });
    return d.manager.configs.find((c) => c.id === id) ?? null;
  };

  r.post('/api/admin/adapters', admin, async (req, res) => {
    refuseInlineSecrets(req.body);
    const settings = parseOrThrow(adapterSchema, req.body, 'adapter');
    if (d.manager.configs.some((c) => c.id === settings.id)) throw new AppError('VALIDATION_FAILED', 'That id is taken.', { fields: { id: ['an adapter with this id exists'] } });
    const after = await change(req, 'adapter.created', null, settings, settings.id);
    res.status(201).json({ adapter: redact(after) });
  });

  r.put('/api/admin/adapters/:id', admin, async (req, res) => {
    const id = param(req);
    const before = current(id);
    refuseInlineSecrets(req.body);
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    // The secret's source stays as it was unless the change names a new one.
    const keep = SECRET_SOURCES.some((k) => k in body) ? {} : Object.fromEntries(SECRET_SOURCES.filter((k) => k in before).map((k) => [k, (before as Record<string, unknown>)[k]]));
    const settings = parseOrThrow(adapterSchema, { ...body, ...keep, id }, 'adapter');
    if (settings.kind !== before.kind) throw new AppError('VALIDATION_FAILED', 'An adapter keeps its kind; add a new one instead.', { fields: { kind: [`expected ${before.kind}`] } });
    res.json({ adapter: redact(await change(req, 'adapter.changed', before, settings, id)) });
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    r.post(`/api/admin/adapters/:id/${verb}`, admin, async (req, res) => {
      const id = param(req);
      const before = current(id);
      const after = await change(req, `adapter.${verb}d`, before, { ...before, enabled }, id);
      res.json({ adapter: redact(after), health: d.manager.get(id)?.health() ?? null });
    });
  }

  // Back to the config file's settings for this adapter.
  r.delete('/api/admin/adapters/:id/override', admin, async (req, res) => {
    const id = param(req);
    const before = current(id);
    if (!d.overrides.list().some((o) => o.id === id)) throw new AppError('NOT_FOUND', `Adapter ${id} has no console settings.`);
    res.json({ adapter: redact(await change(req, 'adapter.reset', before, null, id)) });
  });

  // "Test connection": what `switchboard adapters check` says for this adapter, now.
  r.post('/api/admin/adapters/:id/test', admin, async (req, res) => {
    const c = current(param(req));
    const lines: string[] = [];
    const failed = await checkAdapters({ ...d.config, adapters: [{ ...c, enabled: true }] }, (l) => lines.push(l));
    res.json({ ok: failed === 0, lines, health: d.manager.get(c.id)?.health() ?? null });
  });

  return r;
}
