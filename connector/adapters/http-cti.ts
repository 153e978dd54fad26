/** Building generic HTTP CTI adapters from the config, with their secrets. */
import { HttpCtiAdapter } from '../../adapters/http-cti/adapter.js';
import type { CtiPbx } from '../../adapters/http-cti/routes.js';
import type { PbxAdapter } from '../../adapters/adapter.js';
import type { AdapterConfig, AgentConfig } from '../config/schema.js';
import { readSecret } from '../config/secrets.js';

type HttpCtiConfig = Extract<AdapterConfig, { kind: 'http' }>;

export function createHttpCtiAdapter(a: HttpCtiConfig, agents: readonly AgentConfig[]): HttpCtiAdapter {
  // The observer knows agents by endpoint; a PBX may name them by user name instead.
  const endpoints = new Map(agents.map((x) => [x.username, x.endpoint ?? `sim/${x.username}`]));
  return new HttpCtiAdapter(a.id, (agent) => endpoints.get(agent));
}

/** Secrets are read once per settings object (a changed adapter gets a new one). */
const secrets = new WeakMap<object, string>();

/** The running HTTP CTI PBXs with the secret each authenticates with. */
export function ctiPbxs(configs: readonly AdapterConfig[], adapters: readonly PbxAdapter[]): CtiPbx[] {
  return configs.flatMap((c) => {
    if (c.kind !== 'http') return [];
    const adapter = adapters.find((x): x is HttpCtiAdapter => x instanceof HttpCtiAdapter && x.id === c.id);
    if (!adapter) return [];
    let secret = secrets.get(c);
    if (secret === undefined) secrets.set(c, (secret = readSecret({ value: c.secret, env: c.secretEnv, file: c.secretFile }, `adapters.${c.id}.secret`)));
    return [{ adapter, auth: c.auth, secret }];
  });
}
