/**
 * Writes `ivr/flow.schema.json`, the JSON Schema of flow files that editors use
 * for completion (flow files name it in their first line:
 * `# yaml-language-server: $schema=../flow.schema.json`).
 *
 *   node --import tsx scripts/flow-schema.ts           write the file
 *   node --import tsx scripts/flow-schema.ts --check   exit 1 when the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowJsonSchemaText } from '../ivr/flow-json-schema.js';

const file = fileURLToPath(new URL('../ivr/flow.schema.json', import.meta.url));
const text = flowJsonSchemaText();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== text) {
    console.error(`${file} is stale: run node --import tsx scripts/flow-schema.ts`);
    process.exit(1);
  }
  console.log(`${file}: up to date`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
