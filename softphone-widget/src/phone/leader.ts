/**
 * One tab owns the SIP registration. Two registrations of the same agent would
 * both ring, and a call answered in a hidden tab is a call lost to the agent.
 *
 * The election uses the Web Locks API: the tab holding the lock named for the
 * agent is the leader; the others queue for it, so closing (or crashing) the
 * leader's tab hands the lock to the next tab at once, with no heartbeat to
 * time out. A follower MAY take over with `steal`; the old leader MUST then
 * stop its phone. Web Locks exist in every secure context, which a softphone
 * needs anyway (getUserMedia is secure-context only).
 */

export interface Leadership {
  readonly isLeader: boolean;
  /** Takes the registration from the current leader (the agent chose this tab). */
  takeOver(): void;
  /** Leaves the election; the lock passes to the next tab. */
  close(): void;
}

export function electLeader(name: string, onChange: (leader: boolean) => void): Leadership {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  let leader = false;
  let closed = false;
  let release: (() => void) | null = null;
  /** This tab's place in the queue for the lock, if it is waiting. */
  let queued: AbortController | null = null;

  const set = (value: boolean): void => {
    if (leader === value) return;
    leader = value;
    onChange(value);
  };

  // A queued request can be withdrawn (signal); a steal cannot carry a signal (Web Locks spec).
  const request = (steal: boolean): void => {
    if (!locks || closed) return;
    const abort = steal ? null : new AbortController();
    if (abort) queued = abort;
    let granted = false;
    locks
      .request(name, abort ? { signal: abort.signal } : { steal: true }, () => {
        granted = true;
        if (queued === abort) queued = null;
        if (closed) return undefined;
        set(true);
        // Held until close(), or until another tab steals it (this promise is then abandoned).
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      })
      .catch(() => undefined) // AbortError: stolen by another tab, or withdrawn from the queue.
      .finally(() => {
        if (!granted) return; // withdrawn from the queue by takeOver() or close()
        release = null;
        set(false);
        if (!closed) request(false);
      });
  };

  if (locks) request(false);
  else set(true); // No Web Locks (not a secure context): this tab is on its own; the softphone reports why it cannot run.

  return {
    get isLeader() {
      return leader;
    },
    takeOver() {
      if (leader || !locks) return;
      queued?.abort();
      queued = null;
      request(true);
    },
    close() {
      closed = true;
      queued?.abort();
      queued = null;
      release?.();
      set(false);
    },
  };
}
