/**
 * Retrying with backoff, owned explicitly: SIP.js neither re-registers after a
 * transport loss nor notices that a registration went stale (FIELD-NOTES.md),
 * so the softphone drives every retry itself from here.
 */

/** Exponential backoff with jitter: about 1 s, 2 s, 4 s ... up to `maxMs`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 1_000,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay: between half and all of min * 2^attempt, capped at max. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Runs `task` after a backoff delay, again and again while it fails. `now()`
 * runs it at once (the network came back, the tab became visible). One run at
 * a time; a run requested during another starts when it ends.
 */
export class RetryLoop {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<boolean>,
    private readonly onScheduled: (at: number | null) => void,
    private readonly backoff = new Backoff(),
  ) {}

  /** Schedules a run after the next backoff delay (unless one is already scheduled). */
  schedule(): void {
    if (this.stopped || this.timer !== null || this.running) return;
    const delay = this.backoff.next();
    this.onScheduled(Date.now() + delay);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delay);
  }

  /** Runs now, resetting the backoff: an outside signal says it may work now. */
  now(): void {
    if (this.stopped) return;
    this.backoff.reset();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    void this.run();
  }

  /** The task succeeded by other means: forget the backoff and any scheduled run. */
  succeeded(): void {
    this.backoff.reset();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.onScheduled(null);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.onScheduled(null);
    let ok = false;
    try {
      ok = await this.task();
    } catch {
      ok = false;
    }
    this.running = false;
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      return void this.run();
    }
    if (ok) this.backoff.reset();
    else this.schedule();
  }
}

/**
 * Calls `wake` when the browser says the network is back (`online`) or the tab
 * became visible again (after sleep, a laptop lid, a background tab): the moments
 * a registration most often went stale without a sign. Returns an unsubscribe.
 */
export function onWake(wake: (why: 'online' | 'visible') => void): () => void {
  const online = (): void => wake('online');
  const visible = (): void => {
    if (document.visibilityState === 'visible') wake('visible');
  };
  window.addEventListener('online', online);
  document.addEventListener('visibilitychange', visible);
  return () => {
    window.removeEventListener('online', online);
    document.removeEventListener('visibilitychange', visible);
  };
}
