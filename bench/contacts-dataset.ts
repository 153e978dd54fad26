/**
 * The 1,000,000-contact dataset the import and lookup benches share: a CSV in a
 * temporary directory, written the way exports from CRMs look (mixed number
 * formats, some mobiles, some accounts, shared main lines, a few bad and duplicate
 * rows), and the database `switchboard import contacts` builds from it.
 *
 * Numbers: contact k's phone is `numberOf(k)`, eight area codes round robin, all
 * valid NANP numbers. Shared lines: rows 10j+9 reuse row 10j+8's number (two
 * contacts), and rows 1000j+1..4 reuse row 1000j's (five contacts).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../connector/store/db.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';

export const ROWS = 1_000_000;
export const ACCOUNTS = 1_000;
const AREAS = ['415', '212', '312', '617', '206', '303', '404', '512'];
const MOBILE_AREAS = ['646', '917', '332', '628'];

/** E.164 number of the k-th phone. */
export const numberOf = (k: number): string => `+1${AREAS[k % 8]}${2_000_000 + Math.floor(k / 8)}`;
/** A valid number no contact has. */
export const missOf = (k: number): string => `+1${AREAS[k % 8]}${8_000_000 + (Math.floor(k / 8) % 1_000_000)}`;
export const mobileOf = (k: number): string => `+1${MOBILE_AREAS[k % 4]}${3_000_000 + Math.floor(k / 4)}`;

/** The row whose number row `i` uses. */
export const phoneRowOf = (i: number): number => (i % 1000 >= 1 && i % 1000 <= 4 ? i - (i % 1000) : i % 10 === 9 ? i - 1 : i);
/** How many contacts share row i's number. */
export const sharersOf = (i: number): number => {
  const r = phoneRowOf(i);
  return r % 1000 === 0 ? 5 : r % 10 === 8 ? 2 : 1;
};

/** As people write numbers in a CRM. */
function written(e164: string, i: number): string {
  const d = e164.slice(2);
  switch (i % 4) {
    case 0: return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
    case 1: return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`;
    case 2: return `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
    default: return d;
  }
}

export interface Dataset {
  dir: string;
  csv: string;
  /** The data directory the import wrote (switchboard.db). */
  dataDir: string;
  config: string;
  /** Rows the CSV has that the import must reject (bad numbers, duplicates). */
  badRows: number;
}

async function writeCsv(path: string): Promise<number> {
  const out = createWriteStream(path);
  const write = (s: string): Promise<void> | void => (out.write(s) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
  await write('first_name,last_name,email,phone,mobile,account\n');
  let bad = 0;
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    let phone = written(numberOf(phoneRowOf(i)), i);
    let first = `First${i}`;
    // One row in 2,000 has a number that is not one; one in 2,000 repeats the row before it
    // (rows 2000j+1998 and +1999: no lookup targets them).
    if (i % 2000 === 1999) {
      phone = '555-01';
      bad++;
    } else if (i % 2000 === 1998) {
      first = `First${i - 1}`;
      phone = written(numberOf(phoneRowOf(i - 1)), i);
      bad++;
    }
    const mobile = i % 3 === 0 ? written(mobileOf(i), i + 1) : '';
    const email = i % 2 === 0 ? `first${i}.last${i}@example.com` : '';
    const account = i % 5 === 0 ? `ACC-${100_000 + (i % ACCOUNTS)}` : '';
    const last = i % 2000 === 1998 ? `Last${i - 1}` : `Last${i}`;
    // A quoted field now and then, as spreadsheets write them.
    chunk += `${first},${i % 7 === 0 ? `"${last}"` : last},${email},${i % 4 === 0 ? `"${phone}"` : phone},${mobile},${account}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return bad;
}

/** Runs a TypeScript entry point in a child Node (tsx), reporting its wall time and peak RSS. */
export function runMeasured(args: string[]): Promise<{ ms: number; maxRssBytes: number; stdout: string }> {
  const preload = fileURLToPath(new URL('./maxrss.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', preload, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const m = /BENCH_MAXRSS_KB (\d+)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ ms, maxRssBytes: Number(m[1]) * 1024, stdout });
    });
  });
}

let building: Promise<Dataset & { import: { ms: number; maxRssBytes: number; stdout: string } }> | null = null;

/** Builds the CSV and imports it once per run (the lookup bench reuses the import bench's database). */
export function dataset(): Promise<Dataset & { import: { ms: number; maxRssBytes: number; stdout: string } }> {
  building ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-contacts-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const csv = join(dir, 'contacts.csv');
    const dataDir = join(dir, 'data');
    const badRows = await writeCsv(csv);
    // The accounts the CSV refers to exist before the import, as in a real store.
    const db = openDatabase(dataDir);
    const contacts = new SqliteContactStore(db);
    db.transaction(() => {
      for (let i = 0; i < ACCOUNTS; i++) {
        contacts.addAccount({ name: `Account ${i}`, accountNumber: `ACC-${100_000 + i}`, tier: i % 10 === 0 ? 'priority' : 'standard' });
      }
    })();
    db.close();
    const config = join(dir, 'switchboard.yaml');
    writeFileSync(config, `dataDir: ${JSON.stringify(dataDir)}\nlog: { level: silent }\nphone: { defaultRegion: US }\n`);
    const cli = fileURLToPath(new URL('../connector/cli/main.ts', import.meta.url));
    const imported = await runMeasured([cli, 'import', 'contacts', csv, '--config', config]);
    return { dir, csv, dataDir, config, badRows, import: imported };
  })();
  return building;
}
