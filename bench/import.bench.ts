/**
 * Contact import: `switchboard import contacts` on a 1,000,000-row CSV (see
 * contacts-dataset.ts), in a child process, into a fresh file store that holds
 * the 1,000 accounts the rows refer to. Time (wall, including Node start-up) and
 * peak resident memory of that process (`process.resourceUsage().maxRSS`).
 * Baseline, same run: a child process reading and parsing the same CSV with the
 * same csv-parse options, writing nothing.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dataset, ROWS, runMeasured } from './contacts-dataset.js';
import type { Bench } from './harness.js';

const MiB = 2 ** 20;

export const importBench: Bench = {
  name: 'import',
  async run() {
    const d = await dataset();
    const parsed = await runMeasured([fileURLToPath(new URL('./csv-parse-child.ts', import.meta.url)), d.csv]);
    const m = /imported (\d+) contacts?, rejected (\d+)/.exec(d.import.stdout);
    const imported = Number(m?.[1] ?? 0);
    const rejected = Number(m?.[2] ?? 0);
    if (imported !== ROWS - d.badRows || rejected !== d.badRows) {
      throw new Error(`import: expected ${ROWS - d.badRows} imported and ${d.badRows} rejected, got: ${d.import.stdout.split('\n')[0]}`);
    }
    const s = d.import.ms / 1000;
    const rss = d.import.maxRssBytes / MiB;
    return {
      title: `Contact import: ${ROWS.toLocaleString('en')} rows from CSV (${(statSync(d.csv).size / MiB).toFixed(0)} MiB)`,
      command: 'npm run bench -- import',
      baselineDescription: 'a child process reading and parsing the same CSV (csv-parse, same options), writing nothing',
      figures: [
        { name: 'import time', value: s, baseline: parsed.ms / 1000, unit: 's', better: 'lower' },
        { name: 'import rows per second', value: ROWS / s, baseline: ROWS / (parsed.ms / 1000), unit: '/s', better: 'higher' },
        { name: 'import peak RSS', value: rss, baseline: parsed.maxRssBytes / MiB, unit: 'MiB', better: 'lower' },
      ],
      notes: [
        `Targets: under 60 s: ${s.toFixed(1)} s, ${s < 60 ? 'met' : 'NOT met'}; peak memory under 1 GB: ${rss.toFixed(0)} MiB, ${rss * MiB < 1e9 ? 'met' : 'NOT met'}.`,
        `The command: \`node --import tsx connector/cli/main.ts import contacts contacts.csv --config switchboard.yaml\` (what \`switchboard import contacts\` runs), into a file store (WAL, synchronous=FULL); ${imported.toLocaleString('en')} imported, ${rejected.toLocaleString('en')} rejected as planted (an invalid number or a duplicate row every 1,000 rows).`,
        'The rows: mixed number formats (`(415) 2xx-xxxx`, `415.2xx.xxxx`, `+1 415 ...`, bare digits), a mobile on one row in three, an account on one in five, quoted fields, numbers shared by 2 and by 5 contacts.',
        'Time and peak RSS include Node and the TypeScript loader (tsx) starting, for both the import and the baseline.',
      ],
    };
  },
};
