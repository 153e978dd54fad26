#!/usr/bin/env node
/**
 * Builds the browser bundles:
 *   softphone-widget/src/main.ts            -> softphone-widget/dist/agent.js (+ index.html, styles.css)  served at /agent/
 *   softphone-widget/src/embed/loader.ts    -> softphone-widget/dist/embed.js (a classic script: <switchboard-widget>)  /agent/embed.js
 *   adapters/simulator/phone-page/phone.ts  -> softphone-widget/dist/phone/phone.js (+ index.html, phone.css)  served at /phone/
 *   admin-console/{admin,reports,supervisor}/main.ts -> softphone-widget/dist/{admin,reports,supervisor}/*.js (+ index.html, styles.css, console.css)
 * ESM, browser, minified, with source maps. Prints each bundle's size and gzipped
 * size and fails when the agent bundle exceeds its gzipped budget.
 *
 * Usage: node scripts/build-widget.mjs
 */
import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'softphone-widget', 'dist');

/** The agent widget's budget, gzipped (SIP.js included, from issue 5 on). */
const AGENT_BUDGET_GZIP = 250 * 1024;

const bundles = [
  {
    name: 'agent',
    entry: join(root, 'softphone-widget', 'src', 'main.ts'),
    outfile: join(outDir, 'agent.js'),
    assets: [join(root, 'softphone-widget', 'index.html'), join(root, 'softphone-widget', 'styles.css')],
    budgetGzip: AGENT_BUDGET_GZIP,
  },
  // The CRM page's loader: a classic script (IIFE), so a plain <script src> loads it from any origin.
  {
    name: 'embed',
    entry: join(root, 'softphone-widget', 'src', 'embed', 'loader.ts'),
    outfile: join(outDir, 'embed.js'),
    assets: [],
    budgetGzip: 8 * 1024,
    format: 'iife',
  },
  {
    name: 'phone',
    entry: join(root, 'adapters', 'simulator', 'phone-page', 'phone.ts'),
    outfile: join(outDir, 'phone', 'phone.js'),
    assets: [join(root, 'adapters', 'simulator', 'phone-page', 'index.html'), join(root, 'adapters', 'simulator', 'phone-page', 'phone.css')],
    budgetGzip: null,
  },
  // The admin console (/admin/), the reports page (/reports/) and the supervisor view (/supervisor/): small bundles on the widget's styles.
  ...['admin', 'reports', 'supervisor'].map((name) => ({
    name,
    entry: join(root, 'admin-console', name, 'main.ts'),
    outfile: join(outDir, name, `${name}.js`),
    assets: [join(root, 'admin-console', name, 'index.html'), join(root, 'softphone-widget', 'styles.css'), join(root, 'admin-console', 'console.css')],
    budgetGzip: 40 * 1024,
  })),
];

function kib(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}

/**
 * Writes a file atomically (temp file + rename): test files that build the widget
 * at the same time as a browser loads it never serve a half-written bundle.
 */
async function writeAtomic(file, contents) {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, file);
}

export async function buildWidget({ quiet = false } = {}) {
  const results = [];
  for (const b of bundles) {
    const out = await build({
      write: false,
      entryPoints: [b.entry],
      outfile: b.outfile,
      bundle: true,
      format: b.format ?? 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
      minify: true,
      sourcemap: true,
      legalComments: 'linked',
      logLevel: 'warning',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    for (const f of out.outputFiles) await writeAtomic(f.path, f.contents);
    for (const asset of b.assets) await writeAtomic(join(dirname(b.outfile), asset.split('/').pop()), await readFile(asset));
    const code = await readFile(b.outfile);
    const gz = gzipSync(code, { level: 9 }).length;
    results.push({ name: b.name, file: relative(root, b.outfile), bytes: code.length, gzip: gz, budgetGzip: b.budgetGzip });
  }
  if (!quiet) {
    for (const r of results) {
      const budget = r.budgetGzip ? `  (budget ${kib(r.budgetGzip)} gzipped)` : '';
      console.log(`${r.name.padEnd(6)} ${r.file.padEnd(40)} ${kib(r.bytes).padStart(10)}  ${kib(r.gzip).padStart(9)} gzipped${budget}`);
    }
  }
  const over = results.filter((r) => r.budgetGzip && r.gzip > r.budgetGzip);
  if (over.length) {
    throw new Error(`Over budget: ${over.map((r) => `${r.name} ${kib(r.gzip)} > ${kib(r.budgetGzip)}`).join(', ')}`);
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWidget().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
