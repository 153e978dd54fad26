/**
 * Several connector processes as one cluster, for the multi-node tests: each
 * node is `switchboard serve` in its own process with its own config file and
 * data directory, sharing a PostgreSQL schema of the test's own and a Redis.
 *
 * The Redis is a private `redis-server` on a free port (not the machine's
 * 6379), so a test can stop and restart it without disturbing other tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { stringify } from 'yaml';
import { DEMO_AGENTS } from '../../connector/config/defaults.js';
import { freeTcpPort } from './ports.js';
import { ensurePostgres, POSTGRES_URL } from './services.js';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Stops it the hard way (its data is gone: it keeps nothing on disk). */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freeTcpPort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return; // running already
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start`)), 10_000);
      c.once('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code}`)));
      const probe = async (): Promise<void> => {
        const { connect } = await import('node:net');
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.end();
          clearTimeout(timer);
          resolve();
        });
        s.once('error', () => setTimeout(() => void probe(), 50));
      };
      void probe();
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    start,
  };
}

/** A fresh PostgreSQL schema; `drop()` removes it. */
export async function freshSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  await ensurePostgres();
  const schema = `sb_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface ClusterSpec {
  redisUrl: string;
  schema: string;
  prefix: string;
  secret: string;
}

export function clusterSpec(redisUrl: string, schema: string): ClusterSpec {
  return { redisUrl, schema, prefix: `sb${randomBytes(3).toString('hex')}:`, secret: randomBytes(32).toString('hex') };
}

export interface NodeProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const hash = (u: 'alice' | 'bob') => DEMO_AGENTS.find((a) => a.username === u)!.passwordHash;

/** The agents every node knows: alice, bob, carol, dave (password: alice-demo for all). */
export const CLUSTER_AGENTS = ['alice', 'bob', 'carol', 'dave'];

export async function startNode(name: string, spec: ClusterSpec, extra: Record<string, unknown> = {}): Promise<NodeProcess> {
  const dir = mkdtempSync(join(tmpdir(), `sb-node-${name}-`));
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    seedDemoData: true,
    log: { level: 'info' },
    adapters: [{ id: `sim-${name}`, kind: 'simulator', charsPerSecond: 400 }],
    agents: [
      ...CLUSTER_AGENTS.map((u) => ({ username: u, displayName: u, passwordHash: hash('alice'), queues: ['support', 'general'] })),
      { username: 'admin', displayName: 'Admin', passwordHash: hash('alice'), role: 'admin', queues: [] },
    ],
    ivr: { watch: false },
    cluster: { nodeId: name, redisUrl: spec.redisUrl, postgresUrl: POSTGRES_URL, postgresSchema: spec.schema, redisPrefix: spec.prefix, secret: spec.secret },
    ...extra,
  };
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started node behind
      reject(new Error(`node ${name} did not start in 60 s: ${stderr.slice(-2000)}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${name} exited with ${code}: ${stderr.slice(-2000)}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'switchboard listening' && typeof entry['url'] === 'string') {
          clearTimeout(timer);
          resolve(entry['url']);
        }
      } catch {
        /* not a log line */
      }
    });
  });
  return {
    name,
    url,
    child,
    logs,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill(signal);
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
