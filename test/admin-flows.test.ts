/** Flows in the admin API: validated without applying (problems with lines), drawn as Mermaid and SVG, text escaped. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowToSvg } from '../connector/admin/flow-svg.js';
import { compileFlowText } from '../ivr/flow/registry.js';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let admin: string;
beforeAll(async () => {
  srv = await startTestServer();
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.close();
});

const validate = async (name: string, text: string) => {
  const r = await fetch(`${srv.url}/api/admin/flows/${name}/validate`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' }, body: text });
  return { status: r.status, body: (await r.json()) as { ok: boolean; problems: Array<{ path: string; line: number | null; message: string }> } };
};

describe('flows in the admin API', () => {
  it('validates without applying: every problem with its line; the running version stays', async () => {
    const main = readFileSync(new URL('../ivr/flows/main.yaml', import.meta.url), 'utf8');
    const before = (await api(srv.url, 'GET', '/api/flows/main', { token: admin })).body.version;
    expect((await validate('main', main)).body).toEqual({ ok: true, problems: [] });
    const broken = main.replace('fallback: general', 'fallback: nowhere').replace('queue: billing }', 'queue: sales }');
    const r = await validate('main', broken);
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(false);
    const lineOf = (needle: string) => broken.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(r.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: lineOf('fallback: nowhere'), message: expect.stringContaining('nowhere') }),
        expect.objectContaining({ line: lineOf('queue: sales'), message: expect.stringContaining('sales') }),
      ]),
    );
    expect((await validate('other', main)).body.problems).toEqual([{ path: 'name', line: 1, message: 'the file says name "main", the request "other"' }]);
    expect((await api(srv.url, 'GET', '/api/flows/main', { token: admin })).body.version).toBe(before);
  });

  it('draws a flow: Mermaid text and an SVG with every node', async () => {
    const r = await api(srv.url, 'GET', '/api/admin/flows/service-desk/diagram', { token: admin });
    expect(r.status).toBe(200);
    expect(r.body.mermaid).toMatch(/^stateDiagram-v2\n/);
    const flow = compileFlowText(readFileSync(new URL('../ivr/flows/service-desk.yaml', import.meta.url), 'utf8'));
    if (!flow.ok) throw new Error('service-desk.yaml must be valid');
    for (const id of Object.keys(flow.flow.flow.nodes)) expect(r.body.svg).toContain(`data-node="${id}"`);
    expect(r.body.svg).toContain('→ queue general priority 5');
    expect((await api(srv.url, 'GET', '/api/admin/flows/nope/diagram', { token: admin })).body.error.code).toBe('NOT_FOUND');
  });

  it('escapes text from the flow file in the SVG', () => {
    const yaml = [
      'name: evil',
      'languages: [en]',
      'defaultLanguage: en',
      'start: check',
      'nodes:',
      '  check:',
      '    kind: branch',
      '    rules:',
      '      - when: { attribute: x, equals: "<script>alert(1)</script>&" }',
      '        next: done',
      '    default: done',
      '  done: { kind: hangup }',
    ].join('\n');
    const flow = compileFlowText(yaml);
    if (!flow.ok) throw new Error(JSON.stringify(flow.problems));
    const svg = flowToSvg('evil"<', flow.flow.flow);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('aria-label="Flow evil&quot;&lt;"');
  });
});
