/**
 * Prometheus metrics. One registry per Switchboard instance (tests run several
 * in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallOutcome } from './calls/call-record.js';

export class Metrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'outcome'>;
  private readonly pops: Counter;
  private readonly popLatency: Histogram;
  readonly callsInProgress: Gauge<'phase'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    this.calls = new Counter({
      name: 'switchboard_calls_total',
      help: 'Calls that ended, by outcome.',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.pops = new Counter({
      name: 'switchboard_screenpops_delivered_total',
      help: 'Screen-pops acknowledged by an agent widget.',
      registers: [this.registry],
    });
    this.popLatency = new Histogram({
      name: 'switchboard_screenpop_latency_seconds',
      help: 'From the offer to the widget acknowledging the pop.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.callsInProgress = new Gauge({
      name: 'switchboard_calls_in_progress',
      help: 'Calls in progress, by phase.',
      labelNames: ['phase'],
      registers: [this.registry],
    });
  }

  callEnded(outcome: CallOutcome): void {
    this.calls.inc({ outcome });
  }

  popDelivered(latencySeconds: number): void {
    this.pops.inc();
    this.popLatency.observe(latencySeconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
