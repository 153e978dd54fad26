/**
 * An in-process Switchboard on 127.0.0.1, port 0, with a fresh data directory,
 * the demo data and the demo agents (alice / alice-demo: support, general;
 * bob / bob-demo: billing, general).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchboard, type Switchboard } from '../../connector/app.js';
import { DEFAULT_CONFIG } from '../../connector/config/defaults.js';
import { parseConfig } from '../../connector/config/load.js';
import type { Logger } from '../../connector/logger.js';
import type { ConfigInput } from '../../connector/config/schema.js';
import type { DataLayer } from '../../connector/store/data-layer.js';
import { openDataLayer } from '../../connector/store/open-data-layer.js';

export type DeepPartial<T> = T extends object ? (T extends unknown[] ? T : { [K in keyof T]?: DeepPartial<T[K]> }) : T;

export interface TestServer {
  url: string;
  sb: Switchboard;
  dataDir: string;
  close(): Promise<void>;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * `data`: contacts, cases and calls in this layer (the caller's to close, after the
 * server). Without it, a config with `cluster` gets its PostgreSQL layer
 * (`openDataLayer`), closed with the server; any other, the node's SQLite.
 */
export async function startTestServer(
  options: { config?: DeepPartial<ConfigInput>; dataDir?: string; log?: Logger; supervisor?: { tickMs?: number; historyMs?: number }; data?: DataLayer } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-test-'));
  const base = merge(DEFAULT_CONFIG as Record<string, unknown>, {
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: process.env.SWITCHBOARD_TEST_LOG ?? 'silent' },
    // Prompts spoken fast so a test's call takes milliseconds, not seconds.
    adapters: [{ id: 'sim', kind: 'simulator', charsPerSecond: 400 }],
  });
  const config = parseConfig(merge(base, (options.config ?? {}) as Record<string, unknown>));
  const opened = options.data ? undefined : await openDataLayer(config, options.log ? { log: options.log } : {});
  const data = options.data ?? opened;
  const sb = createSwitchboard(config, {
    ...(options.log ? { log: options.log } : {}),
    ...(options.supervisor ? { supervisor: options.supervisor } : {}),
    ...(data ? { data } : {}),
  });
  const url = await sb.listen();
  return {
    url,
    sb,
    dataDir,
    async close() {
      await sb.close();
      await opened?.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
