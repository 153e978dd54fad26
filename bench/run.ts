/**
 * `npm run bench [-- NAME...]`: runs the benches, each in a process of its own, prints each
 * figure with its ratio to the baseline measured in the same run, and writes docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importBench } from './import.bench.js';
import { ariBench } from './ari.bench.js';
import { ivrBench } from './ivr.bench.js';
import { lookupBench } from './lookup.bench.js';
import { popBench } from './pop.bench.js';
import { processBench } from './process.bench.js';
import { routingBench } from './routing.bench.js';
import { clusterBench } from './cluster.bench.js';
import { machine, ratio, type Bench, type BenchResult } from './harness.js';

const ALL: Bench[] = [importBench, lookupBench, ivrBench, popBench, processBench, ariBench, routingBench, clusterBench];

const fmt = (n: number): string => (n >= 1000 ? Math.round(n).toLocaleString('en') : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function markdown(results: BenchResult[], when: string): string {
  const out = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every figure is measured beside a baseline in the same run, because',
    'the machine is shared and noisy: compare the ratios, not the absolute numbers, across runs.',
    "Each bench runs in a process of its own, so one bench's heap does not slow the next.",
    '',
    `- Machine: ${machine()}`,
    `- Date: ${when}`,
    '',
  ];
  for (const r of results) {
    out.push(`## ${r.title}`, '', `Command: \`${r.command}\`. Baseline: ${r.baselineDescription}.`, '');
    out.push('| figure | value | baseline | ratio |', '| --- | --- | --- | --- |');
    for (const f of r.figures) {
      out.push(`| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baseline === undefined ? '' : `${fmt(f.baseline)} ${f.unit}`} | ${ratio(f)} |`);
    }
    if (r.notes?.length) out.push('', ...r.notes.map((n) => `- ${n}`));
    out.push('');
  }
  // Hand-written findings (what profiling changed), kept beside the benches.
  const notes = new URL('./profiling.md', import.meta.url);
  if (existsSync(notes)) out.push(readFileSync(notes, 'utf8'));
  return out.join('\n');
}

/**
 * Runs one bench in a child process of its own (same flags) and returns its result: one
 * bench's heap (a million imported rows, ten thousand sessions) and GC debt must not slow
 * the next one down.
 */
function runIsolated(name: string): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) return reject(new Error(`bench ${name} failed (exit ${code})`));
      resolve(JSON.parse(line.slice(RESULT.length)) as BenchResult);
    });
  });
}

const RESULT = 'BENCH-RESULT ';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const bench = ALL.find((b) => b.name === args[1]);
    if (!bench) throw new Error(`no bench ${args[1]}`);
    const r = await bench.run();
    process.stdout.write(`${RESULT}${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const wanted = args;
  const benches = wanted.length ? ALL.filter((b) => wanted.includes(b.name)) : ALL;
  if (benches.length === 0) throw new Error(`no bench named ${wanted.join(', ')}; have ${ALL.map((b) => b.name).join(', ')}`);
  console.log(`machine: ${machine()}`);
  const results: BenchResult[] = [];
  for (const b of benches) {
    const r = await runIsolated(b.name);
    results.push(r);
    console.log(`\n${r.title}\n  baseline: ${r.baselineDescription}`);
    for (const f of r.figures) {
      console.log(`  ${f.name.padEnd(24)} ${fmt(f.value).padStart(10)} ${f.unit.padEnd(4)} baseline ${f.baseline === undefined ? '-' : fmt(f.baseline)} ${ratio(f)}`);
    }
    for (const n of r.notes ?? []) console.log(`  - ${n}`);
  }
  if (wanted.length === 0) {
    const file = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
    writeFileSync(file, markdown(results, new Date().toISOString().slice(0, 10)));
    console.log(`\nwrote ${file}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
