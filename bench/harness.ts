/** Small helpers shared by the benches: percentiles, timing, and the result shape the runner prints. */
import { cpus, totalmem } from 'node:os';

export interface Figure {
  /** What was measured, e.g. `lookup p99`. */
  name: string;
  value: number;
  unit: string;
  /** The same figure for the baseline measured in the same run. */
  baseline?: number;
  /** `lower` when smaller is better (latency), `higher` for throughput. */
  better: 'lower' | 'higher';
}

export interface BenchResult {
  title: string;
  /** The command that reproduces this bench alone. */
  command: string;
  baselineDescription: string;
  figures: Figure[];
  notes?: string[];
}

export interface Bench {
  name: string;
  run(): Promise<BenchResult>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Times `fn` once per input and returns sorted microseconds. */
export function timeEach<T>(inputs: readonly T[], fn: (x: T) => unknown): number[] {
  const out = new Array<number>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t0 = process.hrtime.bigint();
    fn(inputs[i] as T);
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out.sort((a, b) => a - b);
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function ratio(f: Figure): string {
  if (f.baseline === undefined || f.baseline === 0) return '';
  return `${(f.value / f.baseline).toFixed(2)}x`;
}

export const gc = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};
