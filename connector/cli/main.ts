#!/usr/bin/env node
/**
 * The `switchboard` command.
 *
 *   switchboard serve [--config FILE]             run the connector (default command)
 *   switchboard config check [--config FILE]      validate a config file and exit
 *   switchboard adapters check [--config FILE]    each adapter's reachability and PBX version (exit 1: one unreachable)
 *   switchboard hash-password [PASSWORD]          print a password hash for the config (stdin if omitted)
 *   switchboard backup [--out FILE]               a consistent copy of the embedded store, while it runs
 *   switchboard import contacts FILE.csv [--config FILE]
 *   switchboard flow validate|simulate|graph FILE ...   IVR flow tools (see flow-commands.ts)
 *
 * Exit codes: 0 success, 1 runtime failure, 2 bad config or bad usage.
 */
import { parseArgs } from 'node:util';
import { createSwitchboard } from '../app.js';
import { backup } from './backup.js';
import { hashPassword } from '../auth/password.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { checkAdapters } from './adapters-check.js';
import type { CountryCode } from '../phone/normalize.js';
import { openDatabase, type Database } from '../store/db.js';
import { FLOW_USAGE, runFlowCommand } from './flow-commands.js';
import { importContactsCsv } from '../store/import-csv.js';
import { createLogger } from '../logger.js';
import { openDataLayer } from '../store/open-data-layer.js';

const USAGE = `usage:
  switchboard serve [--config FILE]
  switchboard config check [--config FILE]
  switchboard adapters check [--config FILE]
  switchboard hash-password [PASSWORD]
  switchboard backup [--out FILE] [--config FILE]
  switchboard import contacts FILE.csv [--config FILE]
${FLOW_USAGE}`;

class UsageError extends Error {}

function config(file: string | undefined): LoadedConfig {
  return loadConfig({ file });
}

async function serve(file: string | undefined): Promise<void> {
  const { config: cfg, source } = config(file);
  const log = createLogger(cfg.log.level);
  // Scale-out mode (`cluster`): contacts, cases and calls in PostgreSQL; else the node's SQLite.
  const data = await openDataLayer(cfg, { log });
  const sb = createSwitchboard(cfg, { configFile: source, log, ...(data ? { data } : {}) });
  const url = await sb.listen();
  sb.log.info({ config: source ?? '(embedded default)' }, `Switchboard is up: agent widget ${url}/agent/ , caller phone ${url}/phone/`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    sb.log.info({ signal }, 'shutting down');
    sb.close()
      .then(() => data?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<number> {
  // `flow` has options of its own (--queues, --keys...): it parses its arguments itself.
  if (argv[0] === 'flow') return runFlowCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command = 'serve', ...rest] = positionals;
  switch (command) {
    case 'serve':
      await serve(values.config);
      return -1; // keeps running
    case 'config': {
      if (rest[0] !== 'check') throw new UsageError(`unknown config command "${rest[0] ?? ''}"`);
      const { source } = config(values.config ?? rest[1]);
      console.log(`${source ?? 'embedded default'}: ok`);
      return 0;
    }
    case 'adapters': {
      if (rest[0] !== 'check') throw new UsageError(`unknown adapters command "${rest[0] ?? ''}"`);
      return checkAdapters(config(values.config).config, (line) => console.log(line));
    }
    case 'backup': {
      const { config: cfg } = config(values.config);
      console.log(await backup(cfg, values.out));
      return 0;
    }
    case 'hash-password': {
      const password = rest[0] ?? (process.stdin.isTTY ? '' : await readStdin());
      if (!password) throw new UsageError('give the password as an argument or on standard input');
      console.log(await hashPassword(password));
      return 0;
    }
    case 'import': {
      if (rest[0] !== 'contacts' || !rest[1]) throw new UsageError('expected: import contacts FILE.csv');
      const { config: cfg } = config(values.config);
      // Scale-out mode: into PostgreSQL, where the nodes look callers up; else the node's SQLite.
      const data = await openDataLayer(cfg, { seed: false });
      const db = data ? null : openDatabase(cfg.dataDir);
      try {
        const into = data ? data.contacts : (db as Database);
        const report = await importContactsCsv(into, rest[1], cfg.phone.defaultRegion as CountryCode);
        console.log(`imported ${report.imported} contact${report.imported === 1 ? '' : 's'}, rejected ${report.rejected.length}`);
        for (const r of report.rejected) console.log(`  line ${r.line}: ${r.reason}`);
        return 0;
      } finally {
        db?.close();
        await data?.close();
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error('switchboard: invalid configuration');
      for (const p of err.problems) console.error(p);
      process.exit(2);
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`switchboard: ${(err as Error).message}\n${USAGE}`);
      process.exit(2);
    }
    const e = err as { code?: string; message?: string };
    console.error(`switchboard: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
    process.exit(1);
  },
);
