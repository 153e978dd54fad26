/**
 * The local services some tests need: PostgreSQL (scale-out store) and Redis
 * (socket.io fan-out). Each `ensure*` checks that the service answers; if it
 * does not, it starts it with the machine's own command (run as root, as CI
 * does) and waits, bounded, until it answers, else fails with what it tried.
 */
import { exec } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(exec);

/** The test database: trust auth on the loopback. `SWITCHBOARD_TEST_PG_URL` overrides it. */
export const POSTGRES_URL = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

/** How long a service may take to answer after its start command. */
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

/** Resolves once PostgreSQL answers `SELECT 1` at {@link POSTGRES_URL}, starting it if needed. */
export async function ensurePostgres(): Promise<void> {
  await ensure('PostgreSQL', POSTGRES_URL, postgresAnswers, START_POSTGRES);
}

/** Resolves once Redis answers PING on 127.0.0.1:6379, starting it if needed. */
export async function ensureRedis(): Promise<void> {
  await ensure('Redis', `${REDIS_HOST}:${REDIS_PORT}`, redisAnswers, START_REDIS);
}

/** null when it answers, else why not. */
type Probe = () => Promise<string | null>;

async function ensure(name: string, where: string, probe: Probe, start: string): Promise<void> {
  if ((await probe()) === null) return;
  let startOutput = '';
  try {
    const { stdout, stderr } = await run(start, { timeout: READY_TIMEOUT_MS, shell: '/bin/sh' });
    startOutput = `${stdout}${stderr}`.trim();
  } catch (err) {
    // Already starting (another test file raced us) fails the command but not the wait below.
    startOutput = err instanceof Error ? err.message : String(err);
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: string | null = 'not probed';
  while (Date.now() < deadline) {
    last = await probe();
    if (last === null) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(
    `${name} does not answer at ${where} ${READY_TIMEOUT_MS / 1000} s after \`${start}\`` +
      `; last error: ${last}${startOutput ? `; the start command said: ${startOutput}` : ''}`,
  );
}

async function postgresAnswers(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisAnswers(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: REDIS_HOST, port: REDIS_PORT });
    let reply = '';
    const done = (result: string | null): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(2_000, () => done('no reply within 2 s'));
    socket.once('error', (err) => done(err.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') ? null : `unexpected reply ${JSON.stringify(reply.trim())}`);
    });
  });
}
