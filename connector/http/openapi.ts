/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate the
 * requests, so the reference cannot drift from the code. Served at
 * `/api/openapi.json`; `scripts/api-docs.ts` renders it into docs/api.md.
 */
import { z } from 'zod';
import { digitsBody, startBody } from '../../adapters/simulator/http.js';
import { createCaseBody, listCasesQuery, patchCaseBody } from '../cases/case-schema.js';
import { escalateBody } from '../cases/escalation.js';
import { ERROR_CATALOG } from '../errors.js';
import { ADMIN_OPS } from './admin-openapi.js';
import { loginBody } from './auth-routes.js';
import { callsQuery, casesQuery } from './report-routes.js';

type Schema = Record<string, unknown>;

const json = (schema: z.ZodType): Schema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;

/** Query parameters from a zod object schema. */
function queryParams(schema: z.ZodObject): Schema[] {
  const js = json(schema) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: (js.required ?? []).includes(name) && !('default' in s),
    schema: s,
  }));
}

const errorResponse = (codes: Array<keyof typeof ERROR_CATALOG>): Schema => ({
  description: codes.map((c) => `\`${c}\`: ${ERROR_CATALOG[c].text}`).join(' '),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export interface Op {
  summary: string;
  auth?: 'agent' | 'supervisor' | 'admin';
  body?: z.ZodType | 'yaml';
  query?: z.ZodObject;
  path?: string[];
  headers?: Array<{ name: string; description: string }>;
  ok: { status: number; description: string };
  errors: Array<keyof typeof ERROR_CATALOG>;
}

const OPS: Record<string, Record<string, Op>> = {
  '/api/auth/login': { post: { summary: 'Log in; returns a bearer token', body: loginBody, ok: { status: 200, description: '`{token, expiresAt, agent}`' }, errors: ['VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS'] } },
  '/api/auth/logout': { post: { summary: 'Revoke this token', auth: 'agent', ok: { status: 204, description: 'Logged out' }, errors: ['UNAUTHORIZED'] } },
  '/api/auth/logout-all': { post: { summary: 'Revoke every session of this user and close their widgets', auth: 'agent', ok: { status: 204, description: 'Logged out everywhere' }, errors: ['UNAUTHORIZED'] } },
  '/api/me': { get: { summary: 'The logged-in agent', auth: 'agent', ok: { status: 200, description: '`{agent}`' }, errors: ['UNAUTHORIZED'] } },
  '/api/cases': {
    post: {
      summary: 'Log a case (from a call: the call fields are filled by the server)',
      auth: 'agent',
      body: createCaseBody,
      headers: [{ name: 'Idempotency-Key', description: 'A retried save with the same key and body returns the same case (200).' }],
      ok: { status: 201, description: 'The case' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'FORBIDDEN', 'UNKNOWN_CALL', 'CONTACT_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'PAYLOAD_TOO_LARGE'],
    },
    get: { summary: 'List cases, newest first', auth: 'agent', query: listCasesQuery, ok: { status: 200, description: '`{cases}`' }, errors: ['VALIDATION_FAILED', 'UNAUTHORIZED'] },
  },
  '/api/cases/{number}': {
    get: { summary: 'One case', auth: 'agent', path: ['number'], ok: { status: 200, description: 'The case' }, errors: ['CASE_NOT_FOUND', 'UNAUTHORIZED'] },
    patch: {
      summary: 'Change a case (status, priority, disposition, subject, description); the first change is its first response',
      auth: 'agent',
      path: ['number'],
      body: patchCaseBody,
      ok: { status: 200, description: 'The case, with `firstResponseAt` and `firstResponseBy`' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'CASE_NOT_FOUND', 'PAYLOAD_TOO_LARGE'],
    },
  },
  '/api/cases/{number}/events': {
    get: { summary: "The case's history, oldest first: created, updated (fields), escalated (from, to, note), assigned", auth: 'agent', path: ['number'], ok: { status: 200, description: '`{events}`' }, errors: ['CASE_NOT_FOUND', 'UNAUTHORIZED'] },
  },
  '/api/cases/{number}/escalate': {
    post: {
      summary: "Escalate a case to its queue's `escalateTo` (tier 1 -> tier 2) or to `toQueue`; routed at once to the longest-idle available agent there with its history, else waiting in that queue",
      auth: 'agent',
      path: ['number'],
      body: escalateBody,
      ok: { status: 200, description: 'The case: `queue` the new queue, `assignee` the agent given it or null' },
      errors: ['VALIDATION_FAILED', 'INVALID_JSON', 'UNAUTHORIZED', 'CASE_NOT_FOUND', 'CASE_CLOSED', 'PAYLOAD_TOO_LARGE'],
    },
  },
  '/api/flows': { get: { summary: 'The IVR flows in service', auth: 'agent', ok: { status: 200, description: '`{flows}`' }, errors: ['UNAUTHORIZED'] } },
  '/api/flows/{name}': {
    get: { summary: 'One flow, with its YAML source', auth: 'agent', path: ['name'], ok: { status: 200, description: 'The flow' }, errors: ['NOT_FOUND', 'UNAUTHORIZED'] },
    put: {
      summary: 'Upload a new version of a flow (YAML); new calls get it, calls in progress keep theirs',
      auth: 'admin',
      path: ['name'],
      body: 'yaml',
      ok: { status: 200, description: '`{name, version, changed}`' },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
    },
  },
  '/api/reports/cases': { get: { summary: 'Cases by type, origin, customer, status or agent, with the average response time (case created to first agent action) and the cases awaiting one', auth: 'supervisor', query: casesQuery, ok: { status: 200, description: 'JSON rows, or CSV with format=csv' }, errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'] } },
  '/api/queues': { get: { summary: 'Each queue now: calls waiting, longest wait, agents by state, today\'s service level; the agents and the waiting calls (callers masked). Pushed live on the /supervisor socket.io namespace (docs/supervisor.md)', auth: 'supervisor', ok: { status: 200, description: '`{at, serviceLevelSeconds, queues, agents, waitingCalls}`' }, errors: ['UNAUTHORIZED', 'FORBIDDEN'] } },
  '/api/reports/calls': { get: { summary: 'Calls by queue or outcome, with ASA, talk time and IVR containment', auth: 'supervisor', query: callsQuery, ok: { status: 200, description: 'JSON rows, or CSV with format=csv' }, errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'] } },
  '/api/embed/config': { get: { summary: 'The origins allowed to embed the agent widget and talk to it with postMessage (server.allowedOrigins)', ok: { status: 200, description: '`{allowedOrigins}`' }, errors: [] } },
  '/api/simulator/calls': { post: { summary: 'Simulator: a caller dials in', body: startBody, ok: { status: 201, description: '`{callId}`' }, errors: ['VALIDATION_FAILED'] } },
  '/api/simulator/calls/{callId}/digits': { post: { summary: 'Simulator: the caller presses keys', path: ['callId'], body: digitsBody, ok: { status: 202, description: 'Sent' }, errors: ['VALIDATION_FAILED', 'CALL_NOT_FOUND'] } },
  '/api/simulator/calls/{callId}/hangup': { post: { summary: 'Simulator: the caller hangs up', path: ['callId'], ok: { status: 202, description: 'Hung up' }, errors: ['CALL_NOT_FOUND'] } },
  '/healthz': { get: { summary: 'Each adapter\'s state', ok: { status: 200, description: '`{status, adapters, callsInProgress}`; 503 when an adapter is not connected' }, errors: [] } },
  '/metrics': { get: { summary: 'Prometheus metrics', ok: { status: 200, description: 'Prometheus text format' }, errors: [] } },
  ...ADMIN_OPS,
};

export function openApiDocument(version: string): Schema {
  const paths: Record<string, Schema> = {};
  for (const [path, methods] of Object.entries(OPS)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const parameters = [
        ...(op.path ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(op.query ? queryParams(op.query) : []),
        ...(op.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string', maxLength: 200 } })),
      ];
      const responses: Schema = { [op.ok.status]: { description: op.ok.description } };
      const byStatus = new Map<number, Array<keyof typeof ERROR_CATALOG>>();
      for (const code of op.errors) byStatus.set(ERROR_CATALOG[code].status, [...(byStatus.get(ERROR_CATALOG[code].status) ?? []), code]);
      for (const [status, codes] of byStatus) responses[status] = errorResponse(codes);
      (paths[path] as Schema)[method] = {
        summary: op.summary,
        ...(op.auth ? { security: [{ bearer: [] }], 'x-role': op.auth } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(op.body === 'yaml'
          ? { requestBody: { required: true, content: { 'application/yaml': { schema: { type: 'string', description: 'A flow file; see docs/ivr.md and ivr/flow.schema.json' } } } } }
          : op.body
            ? { requestBody: { required: true, content: { 'application/json': { schema: json(op.body) } } } }
            : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard API', version, description: 'CTI connector and IVR with screen-pop. The /agent socket.io protocol is in connector/protocol.ts.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_CATALOG) },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
