/**
 * `switchboard adapters check`: for each configured adapter, whether Switchboard
 * can reach its PBX, and the PBX's version. Asterisk: GET /ari/asterisk/info with
 * the configured credentials (asterisk.json), and whether the Stasis application
 * has an events socket (GET /ari/applications/{name}: 404 when none is connected).
 * Exit status 1 when any enabled adapter is unreachable.
 */
import { AriRestClient } from '../../adapters/asterisk/ari/rest-client.js';
import { AdapterError } from '../../adapters/errors.js';
import { asteriskPassword } from '../adapters/asterisk.js';
import { checkFreeSwitch } from '../adapters/freeswitch.js';
import { checkTwilio } from '../adapters/twilio.js';
import type { Config } from '../config/schema.js';
import { readSecret } from '../config/secrets.js';

export async function checkAdapters(config: Config, print: (line: string) => void): Promise<number> {
  let failed = 0;
  for (const a of config.adapters) {
    if (!a.enabled) {
      print(`${a.id} (${a.kind}): disabled`);
      continue;
    }
    if (a.kind === 'simulator') {
      print(`${a.id} (simulator): reachable, built into Switchboard`);
      continue;
    }
    if (a.kind === 'http') {
      // The PBX calls us: nothing to reach. Check what can be checked: its secret is readable.
      try {
        readSecret({ value: a.secret, env: a.secretEnv, file: a.secretFile }, `adapters.${a.id}.secret`);
        print(`${a.id} (http): listening at POST /api/cti/events (${a.auth}); the PBX sends events here`);
      } catch (err) {
        failed++;
        print(`${a.id} (http): misconfigured: ${(err as { problems?: string[] }).problems?.join('; ') ?? (err as Error).message}`);
      }
      continue;
    }
    if (a.kind === 'freeswitch') {
      // Connect, authenticate, subscribe, `api version` (connector/adapters/freeswitch.ts).
      failed += await checkFreeSwitch(a, print).catch((err: unknown) => {
        print(`${a.id} (freeswitch ${a.host}:${a.port}): misconfigured: ${(err as { problems?: string[] }).problems?.join('; ') ?? (err as Error).message}`);
        return 1;
      });
      continue;
    }
    if (a.kind === 'twilio') {
      // Twilio calls us; the config is checked, the REST API is not tried (connector/adapters/twilio.ts).
      failed += checkTwilio(a, print);
      continue;
    }
    if (a.kind !== 'asterisk') continue;
    const rest = new AriRestClient({
      adapterId: a.id,
      baseUrl: a.url,
      credentials: { username: a.username, password: asteriskPassword(a), mode: a.auth },
      timeoutMs: a.requestTimeoutMs,
    });
    try {
      const info = await rest.call('GET /asterisk/info', { query: { only: ['system'] } });
      let app = 'connected';
      try {
        await rest.call('GET /applications/{applicationName}', { path: { applicationName: a.application } });
      } catch (err) {
        if (!(err instanceof AdapterError && err.httpStatus === 404)) throw err;
        app = 'not connected (no Switchboard is attached to it now)';
      }
      print(`${a.id} (asterisk ${a.url}): reachable, Asterisk ${info.system?.version ?? 'unknown version'}, application ${a.application}: ${app}`);
    } catch (err) {
      failed++;
      const status = err instanceof AdapterError ? err.httpStatus : undefined;
      const why = status === 401 || status === 403 ? `authentication failed (${status}): check username and password against ari.conf` : (err as Error).message;
      print(`${a.id} (asterisk ${a.url}): unreachable: ${why}`);
    }
  }
  return failed > 0 ? 1 : 0;
}
