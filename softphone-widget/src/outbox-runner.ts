/**
 * Sends the queued cases when the connector is back: on reconnection of the
 * agent socket, on the browser's `online`, and with backoff while it fails.
 */
import type { ApiClient } from './api.js';
import { t } from './i18n/index.js';
import { announce } from './live.js';
import { flushOutbox, queuedCases, removeQueued, sendFailure, type QueuedCase } from './outbox.js';
import { RetryLoop, onWake } from './phone/retry.js';
import type { Store } from './state.js';

export class OutboxRunner {
  private readonly loop: RetryLoop;
  private readonly unwake: () => void;

  constructor(
    private readonly store: Store,
    private readonly api: ApiClient,
    private readonly afterSent: (item: QueuedCase) => void,
  ) {
    this.loop = new RetryLoop(() => this.flush(), () => undefined);
    this.unwake = onWake(() => this.kick());
  }

  /** Reloads the agent's queue into the state and tries to send it. */
  kick(): void {
    this.refresh();
    if (this.store.get().outbox.some((i) => !i.failed)) this.loop.now();
  }

  /** Drops a case the server refused for good (the agent chose to). */
  discard(key: string): void {
    removeQueued(key);
    this.refresh();
  }

  refresh(): void {
    const username = this.store.get().session?.username;
    this.store.update({ outbox: username ? queuedCases(username) : [] });
  }

  stop(): void {
    this.loop.stop();
    this.unwake();
  }

  private async flush(): Promise<boolean> {
    const username = this.store.get().session?.username;
    if (!username) return true;
    const done = await flushOutbox(
      username,
      async (item) => {
        try {
          return { ok: true, record: (await this.api.createCase(item.body, item.key)).record };
        } catch (err) {
          return { ok: false, ...sendFailure(err) };
        }
      },
      (item, record) => {
        this.store.update((s) => ({
          lastSaved: { record, callerName: item.callerLabel },
          recentCases: [record, ...(s.recentCases ?? []).filter((c) => c.number !== record.number)].slice(0, 10),
        }));
        announce(t('outbox.sent', { number: record.number }));
        this.afterSent(item);
      },
      (_item, message) => {
        this.store.update({ notice: { kind: 'error', text: t('outbox.failed', { message }) } });
        announce(t('outbox.failed', { message }));
      },
    );
    this.refresh();
    return done;
  }
}
