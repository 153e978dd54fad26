/**
 * Following the config file while Switchboard runs: an edited `adapters` section
 * is applied at once (each adapter started, restarted or stopped alone); a file
 * that does not validate is logged and changes nothing. Other sections are read
 * at start-up only, and the log says so.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { AdapterConfig, Config } from '../config/schema.js';

export function watchConfigAdapters(
  file: string,
  running: Config,
  apply: (adapters: readonly AdapterConfig[]) => Promise<unknown>,
  log: Logger,
): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    let next: Config;
    try {
      next = loadConfig({ file }).config;
    } catch (err) {
      log.error({ file, problems: (err as { problems?: string[] }).problems ?? [(err as Error).message] }, 'config file rejected; nothing changed');
      return;
    }
    const restartNeeded = (Object.keys(next) as Array<keyof Config>).filter(
      (k) => k !== 'adapters' && JSON.stringify(next[k]) !== JSON.stringify(running[k]),
    );
    if (restartNeeded.length > 0) log.warn({ file, sections: restartNeeded }, 'config sections changed that apply at the next restart');
    apply(next.adapters).then(
      () => log.info({ file }, 'config file adapters applied'),
      (err: unknown) => log.error({ file, problems: (err as { problems?: string[] }).problems ?? [(err as Error).message] }, 'adapters in the config file could not be applied; nothing changed'),
    );
  };
  // Editors save in bursts (truncate, write, rename): settle first.
  return watch(file, () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  });
}
