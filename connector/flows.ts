/**
 * The IVR flows in service: the flows directory (seeded on first start with the
 * flows shipped in `ivr/flows/`), the registry that compiles and hot-reloads
 * them, and the choice of flow per dialed number.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FlowRegistry, type CompiledFlow } from '../ivr/flow/registry.js';
import { formatProblem } from '../ivr/flow/validate.js';
import type { Config } from './config/schema.js';
import { ConfigError } from './errors.js';
import { normalizePhone, type CountryCode } from './phone/normalize.js';

export interface Flows {
  registry: FlowRegistry;
  dir: string;
  flowFor(dnis: string): CompiledFlow | undefined;
}

const hasFlows = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => /\.ya?ml$/.test(f));

export function createFlows(config: Config, opts: { root: string; log: Logger; accountExists: (n: string) => boolean }): Flows {
  const dir = config.ivr.flowsDir ?? join(config.dataDir, 'flows');
  if (!hasFlows(dir)) {
    const shipped = join(opts.root, 'ivr', 'flows');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(shipped).filter((x) => x.endsWith('.yaml'))) copyFileSync(join(shipped, f), join(dir, f));
    opts.log.info({ dir }, 'flows directory seeded with the shipped flows');
  }
  const registry = new FlowRegistry({
    dir,
    log: opts.log,
    compile: { accountExists: opts.accountExists, queues: new Set(config.queues.map((q) => q.id)) },
  });
  const rejected = registry.loadAll();
  const callbackOffers = config.queues.flatMap((q) => (q.overflow && 'callbackOffer' in q.overflow ? [q.overflow.callbackOffer.flow] : []));
  const needed = new Set([config.ivr.defaultFlow, ...Object.values(config.ivr.flowsByNumber), ...callbackOffers]);
  const missing = [...needed].filter((name) => !registry.get(name));
  if (missing.length > 0) {
    // A flow the config routes calls to must load; its problems say why it did not.
    const problems = missing.map((name) => `ivr: no valid flow "${name}" in ${dir}`);
    for (const [file, list] of rejected) for (const p of list) problems.push(formatProblem(join(dir, file), p));
    throw new ConfigError(problems);
  }
  const region = config.phone.defaultRegion as CountryCode;
  const byNumber = new Map<string, string>();
  for (const [number, flow] of Object.entries(config.ivr.flowsByNumber)) {
    byNumber.set(number, flow);
    const e164 = normalizePhone(number, region).e164;
    if (e164) byNumber.set(e164, flow);
  }
  return {
    registry,
    dir,
    flowFor(dnis) {
      const name = byNumber.get(dnis) ?? (byNumber.size > 0 ? byNumber.get(normalizePhone(dnis, region).e164 ?? '') : undefined);
      return registry.get(name ?? config.ivr.defaultFlow);
    },
  };
}
