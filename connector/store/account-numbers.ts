/**
 * The account numbers the IVR checks a caller's typed number against (`accountExists`
 * of a flow's branch node), answered synchronously from memory in scale-out mode,
 * where the accounts live in PostgreSQL and a flow step cannot wait for a query.
 *
 * Staleness: the set is loaded before the node takes calls and reloaded every
 * `refreshMs` (default 60 s). An account added (on any node, or by an import) is
 * known to the IVR at most one refresh later; until then a caller typing its number
 * takes the flow's "no such account" branch. A reload that fails keeps the last set
 * (logged); a node that never loaded one knows no account.
 */
import type { Logger } from 'pino';
import type { ContactRepo } from './data-layer.js';

export class AccountNumbers {
  private numbers: ReadonlySet<string> = new Set();
  private timer: ReturnType<typeof setInterval> | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly contacts: Pick<ContactRepo, 'listAccounts'>,
    private readonly o: { log: Logger; refreshMs?: number },
  ) {}

  /**
   * Whether an account has this number, as typed (`ACC-1001`) or its digits only
   * (`1001` for `ACC-1001`), as the SQLite check reads it.
   */
  has(n: string): boolean {
    return this.numbers.has(n) || this.numbers.has(`ACC-${n}`);
  }

  get size(): number {
    return this.numbers.size;
  }

  /** Loads the set now, then every `refreshMs`. Resolves after the first load (which may fail: logged). */
  async start(): Promise<void> {
    await this.reload();
    if (this.timer) return;
    this.timer = setInterval(() => void this.reload(), this.o.refreshMs ?? 60_000);
    this.timer.unref?.();
  }

  /** Reloads the set; never rejects (a failure keeps the last set and is logged). */
  reload(): Promise<void> {
    this.loading ??= this.contacts
      .listAccounts()
      .then(
        (accounts) => {
          this.numbers = new Set(accounts.map((a) => a.accountNumber));
        },
        (err: unknown) => this.o.log.error({ err, known: this.numbers.size }, 'loading account numbers failed; keeping the last ones'),
      )
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
