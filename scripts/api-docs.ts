// Regenerates the endpoint reference in docs/api.md from the OpenAPI document.
import { readFileSync, writeFileSync } from 'node:fs';
import { openApiDocument } from '../connector/http/openapi.js';
import { withEndpoints } from '../connector/http/openapi-markdown.js';

const file = new URL('../docs/api.md', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
writeFileSync(file, withEndpoints(readFileSync(file, 'utf8'), openApiDocument(version)));
console.log('docs/api.md: endpoints regenerated');
