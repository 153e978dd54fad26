/**
 * Virtual time for walking a flow in the terminal: timers that fire when the
 * clock is advanced, not when real time passes, so a 30-second gather timeout
 * takes no time at all and every run prints the same times.
 *
 * Everything that waits in an IVR waits through `setTimeout`: XState's `after`
 * delays (its default clock calls the global `setTimeout`) and the simulator's
 * prompts and recordings. `install()` puts this clock in place of the global
 * `setTimeout` / `clearTimeout` until the returned function restores them. Use it
 * only in a process (or a span of one) that does nothing else meanwhile, as the
 * `flow simulate` command does; tests use vitest's fake timers instead.
 */

interface Timer {
  id: number;
  at: number;
  /** Order of creation: timers due at the same time fire in the order they were set. */
  seq: number;
  fn: (...args: unknown[]) => void;
  args: unknown[];
}

/** Lets pending promise callbacks and microtasks run (`setImmediate` is never virtual). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(startMs: number) {
    this.current = startMs;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.current;
  }

  setTimeout(fn: (...args: unknown[]) => void, ms = 0, ...args: unknown[]): number {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(id, { id, at: this.current + delay, seq: this.seq++, fn, args });
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.timers.delete(id);
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the next timer is due, or null when none is waiting. */
  nextAt(): number | null {
    return this.earliest()?.at ?? null;
  }

  /**
   * Moves time forward to `until`, firing every timer due by then in time order,
   * and letting promises settle after each (a fired timer may set new ones).
   */
  async advanceTo(until: number): Promise<void> {
    await settle();
    for (let t = this.earliest(); t && t.at <= until; t = this.earliest()) {
      this.timers.delete(t.id);
      this.current = Math.max(this.current, t.at);
      t.fn(...t.args);
      await settle();
    }
    this.current = Math.max(this.current, until);
  }

  /** Fires the next timer (moving time to it); false when none is waiting. */
  async step(): Promise<boolean> {
    const t = this.earliest();
    if (!t) return false;
    await this.advanceTo(t.at);
    return true;
  }

  /** Replaces the global `setTimeout` / `clearTimeout`; returns the function that restores them. */
  install(): () => void {
    const g = globalThis as unknown as { setTimeout: unknown; clearTimeout: unknown };
    const saved = { setTimeout: g.setTimeout, clearTimeout: g.clearTimeout };
    g.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.setTimeout(fn, ms, ...args);
    g.clearTimeout = (id: unknown) => this.clearTimeout(id);
    return () => {
      g.setTimeout = saved.setTimeout;
      g.clearTimeout = saved.clearTimeout;
    };
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
