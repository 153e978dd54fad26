/**
 * PBX adapters managed at run time: adding, changing or disabling one adapter (in
 * the config file, or through the admin API) starts, restarts or stops that
 * adapter alone; calls on the other adapters are not touched. The lists it exposes
 * are live (changed in place), so routes holding them always see the current set.
 */
import type { Logger } from 'pino';
import type { PbxAdapter } from '../../adapters/adapter.js';
import { SimulatorAdapter } from '../../adapters/simulator/simulator-adapter.js';
import type { AdapterConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';

export interface AdapterManagerOptions {
  /** Builds one adapter from its settings; MUST NOT connect it. May throw ConfigError. */
  build: (config: AdapterConfig) => PbxAdapter;
  /** Subscribes the connector to an adapter's events; returns the unsubscribe function. */
  attach: (adapter: PbxAdapter) => () => void;
  log: Logger;
}

interface Running {
  config: AdapterConfig;
  adapter: PbxAdapter;
  detach: () => void;
  /** Releases the last-event subscription. */
  unwatch: () => void;
  lastEvent: LastEvent | null;
}

/** The last normalized event a running adapter emitted (the console shows it). */
export interface LastEvent {
  type: string;
  /** ISO time it was seen. */
  at: string;
}

export interface ApplyReport {
  added: string[];
  changed: string[];
  removed: string[];
}

const same = (a: AdapterConfig, b: AdapterConfig): boolean => JSON.stringify(a) === JSON.stringify(b);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export class AdapterManager {
  /** Running adapters (enabled ones), live. */
  readonly adapters: PbxAdapter[] = [];
  /** The simulators among them, live (the simulator control API uses it). */
  readonly simulators: SimulatorAdapter[] = [];
  /** Every configured adapter's settings, enabled or not, live. */
  readonly configs: AdapterConfig[] = [];
  private readonly running = new Map<string, Running>();
  private connected = false;

  constructor(private readonly o: AdapterManagerOptions) {}

  /**
   * Makes the running set match `configs`: new enabled adapters start, changed ones
   * restart, removed or disabled ones stop. Every adapter is built before anything
   * is stopped, so a bad setting changes nothing.
   */
  async apply(configs: readonly AdapterConfig[]): Promise<ApplyReport> {
    const wanted = new Map(configs.filter((c) => c.enabled).map((c) => [c.id, c]));
    const report: ApplyReport = { added: [], changed: [], removed: [] };
    const built = new Map<string, PbxAdapter>();
    for (const [id, c] of wanted) {
      const r = this.running.get(id);
      if (r && same(r.config, c)) continue;
      built.set(id, this.o.build(c));
      (r ? report.changed : report.added).push(id);
    }
    for (const id of this.running.keys()) if (!wanted.has(id)) report.removed.push(id);
    for (const id of [...report.removed, ...report.changed]) await this.stop(id);
    for (const [id, adapter] of built) await this.start(wanted.get(id) as AdapterConfig, adapter);
    this.configs.splice(0, this.configs.length, ...configs);
    if (report.added.length + report.changed.length + report.removed.length > 0) this.o.log.info(report, 'adapters applied');
    return report;
  }

  /**
   * The start-up set, before anything connects. Every problem of every adapter is
   * collected, so a bad config reports them all at once.
   */
  load(configs: readonly AdapterConfig[]): void {
    const problems: string[] = [];
    const built: Array<[AdapterConfig, PbxAdapter]> = [];
    configs.forEach((c, i) => {
      if (!c.enabled) return;
      try {
        built.push([c, this.o.build(c)]);
      } catch (err) {
        const list = (err as { problems?: string[] }).problems;
        if (!list) throw err;
        problems.push(...list.map((p) => p.replace(/^adapters\[0\]/, `adapters[${i}]`)));
      }
    });
    if (problems.length > 0) throw new ConfigError(problems);
    for (const [c, adapter] of built) void this.start(c, adapter);
    this.configs.splice(0, this.configs.length, ...configs);
  }

  /** Connects every running adapter (at start-up); later starts connect at once. */
  async connectAll(): Promise<void> {
    this.connected = true;
    await Promise.all(this.adapters.map((a) => a.connect()));
  }

  async disconnectAll(): Promise<void> {
    this.connected = false;
    await Promise.all(this.adapters.map((a) => a.disconnect().catch(() => {})));
  }

  get(id: string): PbxAdapter | undefined {
    return this.running.get(id)?.adapter;
  }

  /** The last event of a running adapter; null when it emitted none since it started (or is not running). */
  lastEvent(id: string): LastEvent | null {
    return this.running.get(id)?.lastEvent ?? null;
  }

  private async start(config: AdapterConfig, adapter: PbxAdapter): Promise<void> {
    const detach = this.o.attach(adapter);
    const entry: Running = { config, adapter, detach, unwatch: () => {}, lastEvent: null };
    entry.unwatch = adapter.onEvent((e) => {
      entry.lastEvent = { type: e.type, at: new Date().toISOString() };
    });
    this.running.set(config.id, entry);
    this.adapters.push(adapter);
    if (adapter instanceof SimulatorAdapter) this.simulators.push(adapter);
    if (this.connected) await adapter.connect();
  }

  private async stop(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    // Disconnect first and let its last events (calls it ends) reach the connector.
    await r.adapter.disconnect().catch((err: unknown) => this.o.log.warn({ err, adapter: id }, 'adapter disconnect failed'));
    await tick();
    r.detach();
    r.unwatch();
    const drop = <T>(list: T[], x: T): void => {
      const i = list.indexOf(x);
      if (i !== -1) list.splice(i, 1);
    };
    drop(this.adapters, r.adapter);
    drop(this.simulators as PbxAdapter[], r.adapter);
  }
}
