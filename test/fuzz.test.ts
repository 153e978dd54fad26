/**
 * Fuzzing every REST endpoint and every `/agent` socket event with random and
 * malformed input (fast-check): wrong types, huge strings, unicode, nested junk,
 * bad JSON, bad query strings, bad path parameters, bad headers. Asserted after
 * each request: no 5xx, a 4xx carries an error code from the catalog, nothing is
 * written (row counts), and the server keeps answering /healthz.
 * Bounded: about 600 requests, well under 30 s.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../connector/errors.js';
import { openApiDocument } from '../connector/http/openapi.js';
import { connectAgent, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { badAuthHeader, body, contentEncoding, contentType, pathParam, queryString, yamlBody, type Body } from './helpers/fuzz-arbitraries.js';

type Auth = 'none' | 'agent' | 'admin' | 'junk';
type Kind = 'json' | 'yaml' | 'query' | 'none';
/** Paths as the OpenAPI document writes them; `{x}` is filled with fuzzed (or the given) values. */
const ENDPOINTS: Array<[string, string, Auth, Kind, string[]?]> = [
  ['POST', '/api/auth/logout', 'junk', 'json'],
  ['POST', '/api/auth/logout-all', 'junk', 'json'],
  ['GET', '/api/me', 'agent', 'query'],
  ['POST', '/api/cases', 'agent', 'json'],
  ['GET', '/api/cases', 'agent', 'query'],
  ['GET', '/api/cases/{number}', 'agent', 'none', ['00001001', '1']],
  ['PATCH', '/api/cases/{number}', 'agent', 'json', ['00001001', '1001']],
  ['GET', '/api/cases/{number}/events', 'agent', 'none', ['00001001', '1']],
  ['POST', '/api/cases/{number}/escalate', 'agent', 'json', ['00001001', '1001']],
  ['POST', '/api/calls/dial', 'agent', 'json'],
  ['GET', '/api/flows', 'agent', 'query'],
  ['GET', '/api/flows/{name}', 'agent', 'none', ['main']],
  ['PUT', '/api/flows/{name}', 'admin', 'yaml', ['main']],
  ['GET', '/api/reports/cases', 'admin', 'query'],
  ['GET', '/api/reports/calls', 'admin', 'query'],
  ['GET', '/api/queues', 'admin', 'query'],
  ['POST', '/api/simulator/calls', 'none', 'json'],
  ['POST', '/api/simulator/calls/{callId}/digits', 'none', 'json'],
  ['POST', '/api/simulator/calls/{callId}/hangup', 'none', 'json'],
  ['GET', '/api/simulator/calls/{callId}', 'none', 'none'],
  ['GET', '/api/simulator/calls/{callId}/events', 'none', 'none'],
  ['GET', '/healthz', 'none', 'query'],
  ['GET', '/metrics', 'none', 'query'],
  ['GET', '/api/openapi.json', 'none', 'query'],
  ['GET', '/api/embed/config', 'none', 'query'],
  ['GET', '/prompts/{name}', 'none', 'none'],
  ['GET', '/api/admin/agents', 'admin', 'query'],
  ['POST', '/api/admin/agents', 'admin', 'json'],
  ['PATCH', '/api/admin/agents/{username}', 'admin', 'json', ['bob']],
  ['POST', '/api/admin/agents/{username}/password', 'admin', 'json', ['bob']],
  ['GET', '/api/admin/audit', 'admin', 'query'],
  ['GET', '/api/admin/adapters', 'admin', 'query'],
  ['POST', '/api/admin/flows/{name}/validate', 'admin', 'yaml', ['main']],
  ['GET', '/api/admin/flows/{name}/diagram', 'admin', 'none', ['main']],
  // Last: failed logins lock this address out (throttling), so every token is taken before.
  ['POST', '/api/auth/login', 'none', 'json'],
];
const RUNS = Number(process.env.FUZZ_RUNS ?? 14);
const TABLES = ['cases', 'contacts', 'sessions', 'agents', 'audit_log', 'idempotency_keys'];

let srv: TestServer;
const tokens: Record<'agent' | 'admin', string> = { agent: '', admin: '' };
/** Row counts, and the cases' changeable fields (PATCH /api/cases/:number changes rows, not counts). */
const counts = (): Record<string, number | string> => ({
  ...Object.fromEntries(TABLES.map((t) => [t, (srv.sb.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n])),
  caseFields: createHash('sha256')
    .update(JSON.stringify(srv.sb.db.prepare('SELECT number, subject, description, status, priority, disposition, first_response_at FROM cases ORDER BY number').all()))
    .digest('hex'),
});
let baseline: Record<string, number | string>;

beforeAll(async () => {
  srv = await startTestServer();
  tokens.agent = await login(srv.url, 'alice');
  tokens.admin = await login(srv.url, 'admin');
  baseline = counts();
});
afterAll(async () => {
  await srv?.close();
});

async function send(method: string, path: string, headers: Record<string, string>, payload: Body | null) {
  const res = await fetch(srv.url + path, { method, headers, body: payload?.text ?? null, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // checked below
  }
  return { status: res.status, json, text };
}

function check(what: string, r: { status: number; json: any; text: string }): void {
  expect(r.status, `${what} -> ${r.status} ${r.text.slice(0, 200)}`).toBeLessThan(500);
  if (r.status >= 400) {
    expect(Object.keys(ERROR_CATALOG), `${what}: ${r.text.slice(0, 200)}`).toContain(r.json?.error?.code);
    expect(typeof r.json.error.message).toBe('string');
  }
  expect(counts(), `${what} wrote something`).toEqual(baseline);
}

describe('REST fuzz', () => {
  it('covers every endpoint of the OpenAPI document', () => {
    const fuzzed = new Set(ENDPOINTS.map(([m, p]) => `${m} ${p}`));
    const documented = Object.entries(openApiDocument('0').paths as Record<string, Record<string, unknown>>).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.filter((d) => !fuzzed.has(d))).toEqual([]);
  });

  for (const [method, template, auth, kind, known] of ENDPOINTS) {
    it(`${method} ${template}`, async () => {
      const arb = fc.record({
        params: fc.array(pathParam(known ?? []), { minLength: 3, maxLength: 3 }),
        query: queryString(),
        payload: kind === 'json' ? body() : kind === 'yaml' ? yamlBody() : fc.constant(null),
        type: contentType(kind === 'yaml' ? 'application/yaml' : 'application/json'),
        encoding: contentEncoding(),
        junkAuth: badAuthHeader(),
        useJunkAuth: fc.boolean(),
        idempotencyKey: fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 400 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
      });
      await fc.assert(
        fc.asyncProperty(arb, async (c) => {
          let i = 0;
          const path = template.replace(/\{[a-zA-Z]+\}/g, () => c.params[i++] as string) + (kind === 'query' || kind === 'none' ? c.query : '');
          const headers: Record<string, string> = {};
          if (auth === 'junk' || (auth !== 'none' && c.useJunkAuth)) {
            if (c.junkAuth !== null) headers.authorization = c.junkAuth;
          } else if (auth !== 'none') headers.authorization = `Bearer ${tokens[auth]}`;
          if (c.payload) {
            headers['content-type'] = c.type;
            if (c.encoding) headers['content-encoding'] = c.encoding;
          }
          if (c.idempotencyKey !== null) headers['idempotency-key'] = c.idempotencyKey;
          check(`${method} ${path}`, await send(method, path, headers, c.payload));
        }),
        { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1e9), endOnFailure: true },
      );
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    });
  }

  it('malformed HTTP on a raw socket gets a 4xx and the server goes on', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = connect(Number(new URL(srv.url).port), '127.0.0.1', () => s.end(text));
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    for (const text of [
      'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /api/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'BREW /api/cases HTCPCP/1.0\r\n\r\n',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":',
    ]) {
      const reply = await raw(text);
      if (reply) expect(Number(reply.split(' ')[1])).toBeLessThan(500);
    }
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect(counts()).toEqual(baseline);
  });
});

describe('socket fuzz', () => {
  const EVENTS = ['agent.state.set', 'call.accept', 'call.decline', 'call.hangup', 'call.hold', 'call.resume', 'wrapup.finish', 'phone.state.set'];
  const payload = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.record({ callId: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.anything({ maxDepth: 1 })) }),
    fc.record({ state: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('on-call', 'after-call-work', 'AVAILABLE'), fc.anything({ maxDepth: 1 })) }),
    fc.record({ registered: fc.anything({ maxDepth: 1 }) }),
  );

  it('a bad handshake is refused with UNAUTHORIZED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 2 }), async (auth) => {
        const s = io(`${srv.url}/agent`, { auth: { token: auth } as never, transports: ['websocket'], reconnection: false });
        const err = await new Promise<Error>((resolve) => s.on('connect_error', resolve));
        s.close();
        expect(err.message).toBe('UNAUTHORIZED');
      }),
      { numRuns: 15 },
    );
  });

  it('every event answers junk with a coded error (or ignores it without an ack); nothing is written', async () => {
    const { socket } = await connectAgent(srv.url, tokens.agent);
    // Untyped on purpose: the point is to send what the event maps forbid.
    const raw = socket as unknown as { emit(...a: unknown[]): void; timeout(ms: number): { emitWithAck(...a: unknown[]): Promise<unknown> } };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVENTS), payload, fc.anything({ maxDepth: 1 }), async (event, body, extra) => {
        const reply = (await raw.timeout(5_000).emitWithAck(event, body)) as any;
        if (!reply.ok) expect(Object.keys(ERROR_CATALOG)).toContain(reply.error.code);
        // Valid state reports; wrapup.finish is idempotent (nothing to finish is not an error).
        else expect(event).toMatch(/^(agent\.state\.set|phone\.state\.set|wrapup\.finish)$/);
        // No ack function, extra arguments, unknown events: ignored, never a crash.
        raw.emit(event, body);
        raw.emit(event, body, extra, () => {});
        raw.emit(`junk.${event}`, body, () => {});
        expect(socket.connected).toBe(true);
      }),
      { numRuns: 60 },
    );
    // An oversized frame closes that socket only.
    const closed = new Promise((resolve) => socket.on('disconnect', resolve));
    raw.emit('agent.state.set', { state: 'x'.repeat(100_000) });
    await closed;
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect(counts()).toEqual(baseline);
    expect(srv.sb.callCenter.hasAgent('alice')).toBe(true);
  });
});
