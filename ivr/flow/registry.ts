/**
 * The flows in service: loaded from a directory of YAML files, compiled once per
 * version, and replaced while calls go on. A new valid version applies to new
 * calls; calls already in a flow keep the machine they started with; an invalid
 * file is rejected with its problems logged and the running version kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { compileFlow, type CompileOptions, type FlowMachine } from './compile.js';
import type { Flow } from './schema.js';
import { formatProblem, validateFlowText, type FlowProblem } from './validate.js';

export interface CompiledFlow {
  name: string;
  /** Short content hash: the version a call is pinned to. */
  version: string;
  flow: Flow;
  machine: FlowMachine;
  text: string;
}

export type FlowUpdate = { ok: true; flow: CompiledFlow; changed: boolean } | { ok: false; problems: FlowProblem[] };

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function compileFlowText(text: string, opts: CompileOptions = {}): FlowUpdate {
  const v = validateFlowText(text, { queues: opts.queues });
  if (!v.ok) return v;
  const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { ok: true, changed: true, flow: { name: v.flow.name, version, flow: v.flow, machine: compileFlow(v.flow, opts), text } };
}

export class FlowRegistry {
  private readonly flows = new Map<string, CompiledFlow>();
  private watcher: FSWatcher | null = null;
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly o: { dir: string; log: Logger; compile?: CompileOptions; onUpdate?: (flow: CompiledFlow) => void },
  ) {}

  /** Loads every `*.yaml` in the directory; returns the problems of the files it rejected. */
  loadAll(): Map<string, FlowProblem[]> {
    const rejected = new Map<string, FlowProblem[]>();
    if (!existsSync(this.o.dir)) return rejected;
    for (const file of readdirSync(this.o.dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
      const r = this.loadFile(join(this.o.dir, file));
      if (!r.ok) rejected.set(file, r.problems);
    }
    return rejected;
  }

  get(name: string): CompiledFlow | undefined {
    return this.flows.get(name);
  }

  list(): CompiledFlow[] {
    return [...this.flows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Validates and applies new text for flow `name`, writing it to the directory. */
  put(name: string, text: string): FlowUpdate {
    if (!NAME_RE.test(name)) return { ok: false, problems: [{ path: 'name', line: null, message: 'expected a flow name: lowercase letters, digits, - and _' }] };
    const r = compileFlowText(text, this.o.compile);
    if (!r.ok) return r;
    if (r.flow.name !== name) return { ok: false, problems: [{ path: 'name', line: 1, message: `the file says name "${r.flow.name}", the request "${name}"` }] };
    const current = this.flows.get(name);
    if (current?.version === r.flow.version) return { ok: true, flow: current, changed: false };
    mkdirSync(this.o.dir, { recursive: true });
    const file = join(this.o.dir, `${name}.yaml`);
    // Write then rename: a reader (or the watcher) never sees half a file.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    this.apply(r.flow);
    return r;
  }

  /** Follows the directory: a changed file is validated and, when valid, applied. */
  watch(): void {
    if (this.watcher || !existsSync(this.o.dir)) return;
    this.watcher = watch(this.o.dir, (_event, filename) => {
      if (!filename || !/\.ya?ml$/.test(filename)) return;
      // Editors write in bursts (truncate, write, rename): settle first.
      clearTimeout(this.pending.get(filename));
      this.pending.set(
        filename,
        setTimeout(() => {
          this.pending.delete(filename);
          const file = join(this.o.dir, filename);
          if (existsSync(file)) this.loadFile(file);
        }, 150),
      );
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private loadFile(file: string): FlowUpdate {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const problems = [{ path: '(file)', line: null, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }];
      this.o.log.error({ file }, problems[0]?.message);
      return { ok: false, problems };
    }
    const r = compileFlowText(text, this.o.compile);
    if (!r.ok) {
      const running = this.flows.get(basename(file).replace(/\.ya?ml$/, ''));
      this.o.log.error(
        { file, problems: r.problems.map((p) => formatProblem(basename(file), p)), keeping: running?.version ?? null },
        'flow rejected; the running version stays',
      );
      return r;
    }
    if (this.flows.get(r.flow.name)?.version === r.flow.version) return { ...r, changed: false };
    this.apply(r.flow);
    return r;
  }

  private apply(flow: CompiledFlow): void {
    const old = this.flows.get(flow.name);
    this.flows.set(flow.name, flow);
    this.o.log.info({ flow: flow.name, version: flow.version, previous: old?.version ?? null }, 'flow version applied to new calls');
    this.o.onUpdate?.(flow);
  }
}
