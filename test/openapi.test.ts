/** The OpenAPI document is served, comes from the validating schemas, and docs/api.md is rendered from it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../connector/http/openapi.js';
import { withEndpoints } from '../connector/http/openapi-markdown.js';
import { api } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

describe('API reference', () => {
  it('is served at /api/openapi.json', async () => {
    const srv = await startTestServer();
    try {
      const r = await api(srv.url, 'GET', '/api/openapi.json');
      expect(r.status).toBe(200);
      expect(r.body.openapi).toBe('3.1.0');
      const post = r.body.paths['/api/cases'].post;
      expect(post.requestBody.content['application/json'].schema.required).toEqual(['subject', 'type']);
      expect(post.requestBody.content['application/json'].schema.properties.type.enum).toEqual([
        'technical_support', 'billing_question', 'feature_request', 'customer_info_change',
      ]);
      expect(Object.keys(post.responses).sort()).toEqual(['201', '400', '401', '403', '409', '413', '422']);
    } finally {
      await srv.close();
    }
  });

  it('docs/api.md is up to date (run `npm run docs:api`)', () => {
    const md = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(withEndpoints(md, openApiDocument(version))).toBe(md);
  });
});
