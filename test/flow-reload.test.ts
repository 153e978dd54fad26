/**
 * Hot reload of IVR flows: a new valid version applies to new calls while calls
 * already in the flow finish on theirs; an invalid version (uploaded or written
 * to the flows directory) is rejected, its problems logged, the running one kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../connector/logger.js';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAIN = readFileSync(new URL('../ivr/flows/main.yaml', import.meta.url), 'utf8');
const V2 = MAIN.replace('en: "For support, press 1. For billing, press 2."', 'en: "For support, press 1. For billing, press 2. For anything else, press 3."').replace(
  '"2": billing',
  '"2": billing\n      "3": general',
);

let srv: TestServer;
let admin: string;
const logLines: Array<Record<string, unknown>> = [];
const logWaiters: Array<() => void> = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _e, cb) {
      logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      for (const w of logWaiters.splice(0)) w();
      cb();
    },
  });
  srv = await startTestServer({ log: createLogger('info', sink) });
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.close();
});

async function logged(pred: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const found = logLines.find(pred);
    if (found) return found;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('log line did not come')), 5_000);
      logWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

async function call(): Promise<string> {
  const r = await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } });
  return r.body.callId as string;
}

const put = (name: string, text: string, token = admin) =>
  api(srv.url, 'PUT', `/api/flows/${name}`, { token, raw: text, headers: { 'content-type': 'application/yaml' } });

describe('flow hot reload', () => {
  it('an uploaded version applies to new calls; a call already in the flow keeps its version', async () => {
    const v1 = (await api(srv.url, 'GET', '/api/flows/main', { token: admin })).body.version as string;
    const first = await call();
    const r = await put('main', V2);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'main', changed: true });
    const v2 = r.body.version as string;
    expect(v2).not.toBe(v1);

    const second = await call();
    expect(srv.sb.callCenter.getCall(first)?.flow).toEqual({ name: 'main', version: v1 });
    expect(srv.sb.callCenter.getCall(second)?.flow).toEqual({ name: 'main', version: v2 });
    const sim = srv.sb.simulators[0]!;
    await expect.poll(() => sim.transcript(second).promptTexts().at(-1), { timeout: 5_000 }).toMatch(/press 3/);

    // 3 is no option in the version the first call started on, and is in the new one.
    await expect.poll(() => sim.transcript(first).promptTexts().length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    await api(srv.url, 'POST', `/api/simulator/calls/${first}/digits`, { body: { digits: '3' } });
    await api(srv.url, 'POST', `/api/simulator/calls/${second}/digits`, { body: { digits: '3' } });
    await expect.poll(() => sim.transcript(first).promptTexts().includes('That is not a valid choice.'), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => srv.sb.callCenter.getCall(second)?.queue, { timeout: 5_000 }).toBe('general');
    expect(srv.sb.callCenter.getCall(first)?.queue).toBeNull();
    await api(srv.url, 'POST', `/api/simulator/calls/${first}/hangup`);
    await api(srv.url, 'POST', `/api/simulator/calls/${second}/hangup`);

    // The same text again is no change.
    expect((await put('main', V2)).body).toMatchObject({ version: v2, changed: false });
  });

  it('an invalid upload is refused with its problems and lines; the running version stays', async () => {
    const before = (await api(srv.url, 'GET', '/api/flows/main', { token: admin })).body.version;
    const broken = V2.replace('fallback: general', 'fallback: nowhere');
    const r = await put('main', broken);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields['nodes.main-menu.fallback']).toEqual([expect.stringMatching(/^line \d+: unknown node "nowhere"$/)]);
    expect((await api(srv.url, 'GET', '/api/flows/main', { token: admin })).body.version).toBe(before);
    // A flow naming a queue no agent serves is refused too.
    const r2 = await put('main', V2.replace('queue: billing', 'queue: sales'));
    expect(r2.body.error.fields['nodes.billing.queue']).toEqual([expect.stringContaining('unknown queue "sales"')]);
  });

  it('only admins may change flows', async () => {
    const alice = await login(srv.url, 'alice');
    expect((await put('main', V2, alice)).status).toBe(403);
    expect((await api(srv.url, 'PUT', '/api/flows/main', { raw: V2, headers: { 'content-type': 'application/yaml' } })).status).toBe(401);
    expect((await api(srv.url, 'GET', '/api/flows', { token: alice })).body.flows.map((f: { name: string }) => f.name)).toEqual(['callback-offer', 'main', 'service-desk']);
  });

  it('a file edited in the flows directory is applied; an invalid one is logged and the running version kept', async () => {
    const dir = srv.sb.flows.dir;
    const running = srv.sb.flows.registry.get('main')?.version;
    writeFileSync(join(dir, 'main.yaml'), 'name: main\nstart: nowhere\nnodes: {}\n');
    const rejected = await logged((l) => l.msg === 'flow rejected; the running version stays' && String(l.file).endsWith('main.yaml'));
    expect(rejected.keeping).toBe(running);
    expect((rejected.problems as string[]).length).toBeGreaterThan(0);
    expect(srv.sb.flows.registry.get('main')?.version).toBe(running);

    writeFileSync(join(dir, 'main.yaml'), MAIN);
    await logged((l) => l.msg === 'flow version applied to new calls' && l.flow === 'main' && l.previous === running);
    expect(srv.sb.flows.registry.get('main')?.text).toBe(MAIN);
  });
});
