/**
 * Each agent's softphone settings, resolved once at start-up (the password from
 * the config, an environment variable or a file), for the agent's own widget.
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { PhoneSettings } from '../protocol.js';

/**
 * Resolves every agent's `sip` block. Throws ConfigError listing each password
 * that cannot be read, so a bad deployment fails at start, not at the first call.
 */
export function resolvePhoneSettings(agents: readonly AgentConfig[], env: NodeJS.ProcessEnv = process.env): Map<string, PhoneSettings> {
  const out = new Map<string, PhoneSettings>();
  const problems: string[] = [];
  agents.forEach((a, i) => {
    const sip = a.sip;
    if (!sip) return;
    let password: string | null = sip.password ?? null;
    if (sip.passwordEnv !== undefined) {
      password = env[sip.passwordEnv] || null;
      if (!password) problems.push(`agents[${i}].sip.passwordEnv: the environment variable ${sip.passwordEnv} is not set`);
    } else if (sip.passwordFile !== undefined) {
      try {
        password = readFileSync(sip.passwordFile, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(`agents[${i}].sip.passwordFile: cannot read ${sip.passwordFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    out.set(a.username, {
      wsUri: sip.wsUri,
      aor: sip.aor,
      authorizationUsername: sip.authorizationUsername ?? userPart(sip.aor),
      password,
      displayName: sip.displayName ?? a.displayName,
      iceServers: [...sip.iceServers],
      registerExpiresSec: sip.registerExpiresSec,
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** `sip:alice@example.com` -> `alice`. */
function userPart(aor: string): string {
  return aor.replace(/^sips?:/, '').split('@')[0] ?? '';
}
