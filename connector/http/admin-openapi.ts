/** The admin API's entries in the OpenAPI document (merged into `OPS` in openapi.ts). */
import type { Op } from './openapi.js';
import { auditQuery, createAgentBody, passwordBody, patchAgentBody } from './admin-routes.js';

export const ADMIN_OPS: Record<string, Record<string, Op>> = {
  '/api/admin/agents': {
    get: { summary: 'Every agent with role, queues, disabled and live state (never a password hash)', auth: 'admin', ok: { status: 200, description: '`{agents, queues}`' }, errors: ['UNAUTHORIZED', 'FORBIDDEN'] },
    post: {
      summary: 'Create an agent (the password is hashed with scrypt and never returned); audited',
      auth: 'admin',
      body: createAgentBody,
      ok: { status: 201, description: '`{agent}`' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'FORBIDDEN', 'AGENT_EXISTS', 'PAYLOAD_TOO_LARGE'],
    },
  },
  '/api/admin/agents/{username}': {
    patch: {
      summary: 'Change display name, role, queues, endpoint or disabled; disabling ends the agent\'s sessions and closes their widgets; audited',
      auth: 'admin',
      path: ['username'],
      body: patchAgentBody,
      ok: { status: 200, description: '`{agent}`' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'FORBIDDEN', 'AGENT_NOT_FOUND', 'LAST_ADMIN'],
    },
  },
  '/api/admin/agents/{username}/password': {
    post: {
      summary: 'Reset a password; the agent\'s sessions end; audited (without the password)',
      auth: 'admin',
      path: ['username'],
      body: passwordBody,
      ok: { status: 204, description: 'Reset' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'FORBIDDEN', 'AGENT_NOT_FOUND'],
    },
  },
  '/api/admin/audit': {
    get: { summary: 'The audit log, newest first: who, what, when, before and after (secrets removed)', auth: 'admin', query: auditQuery, ok: { status: 200, description: '`{entries}`' }, errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'] },
  },
  '/api/admin/adapters': {
    get: { summary: 'Each configured adapter: settings (secrets removed), live health and last event', auth: 'admin', ok: { status: 200, description: '`{adapters: [{id, kind, enabled, settings, health, lastEvent: {type, at} | null}]}`' }, errors: ['UNAUTHORIZED', 'FORBIDDEN'] },
  },
  '/api/admin/flows/{name}/validate': {
    post: { summary: 'Validate a flow file without applying it', auth: 'admin', path: ['name'], body: 'yaml', ok: { status: 200, description: '`{ok, problems: [{path, line, message}]}`' }, errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE'] },
  },
  '/api/admin/flows/{name}/diagram': {
    get: { summary: 'A flow as a diagram: Mermaid text and an SVG drawing', auth: 'admin', path: ['name'], ok: { status: 200, description: '`{name, version, mermaid, svg}`' }, errors: ['NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'] },
  },
};
