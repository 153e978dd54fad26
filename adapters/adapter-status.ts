/**
 * An adapter's connection state and its listeners: the part of `PbxAdapter`
 * (`health()`, `onStateChange()`) every networked adapter shares. A change is
 * announced only when the state or the last error actually changed.
 */
import type { AdapterHealth, StateListener } from './adapter.js';
import { Listeners } from './listeners.js';

export class AdapterStatus {
  private current: AdapterHealth;
  private readonly listeners: Listeners<AdapterHealth>;

  constructor(id: string, kind: string, onListenerError?: (err: unknown) => void) {
    this.current = { id, kind, state: 'disconnected', since: new Date().toISOString(), lastError: null };
    this.listeners = new Listeners<AdapterHealth>(onListenerError);
  }

  get state(): AdapterHealth['state'] {
    return this.current.state;
  }

  get lastError(): string | null {
    return this.current.lastError;
  }

  health(): AdapterHealth {
    return { ...this.current };
  }

  onChange(listener: StateListener): () => void {
    return this.listeners.add(listener);
  }

  set(state: AdapterHealth['state'], lastError: string | null = null): void {
    if (this.current.state === state && this.current.lastError === lastError) return;
    this.current = { ...this.current, state, since: new Date().toISOString(), lastError };
    this.listeners.emit(this.health());
  }
}
