/**
 * `switchboard backup [--out FILE]`: a consistent copy of the embedded store,
 * taken with SQLite's online backup while Switchboard keeps running (WAL mode
 * lets it go on writing). The copy is checked before it is reported done.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config/schema.js';
import { openDatabase } from '../store/db.js';

export async function backup(config: Config, out: string | undefined): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = out ?? join(config.dataDir, 'backups', `switchboard-${stamp}.db`);
  if (existsSync(target)) throw Object.assign(new Error(`${target} exists; not overwriting it`), { code: 'BACKUP_TARGET_EXISTS' });
  const db = openDatabase(config.dataDir);
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(target, '..'), { recursive: true });
    await db.backup(target);
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(target, { readonly: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`the backup failed its integrity check: ${String(check)}`), { code: 'BACKUP_CORRUPT' });
    const cases = (copy.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
    return `${target}: ok (${cases} cases)`;
  } finally {
    copy.close();
  }
}
