/**
 * The generic HTTP CTI adapter: for any PBX that can send an HTTP request on call
 * events (3CX, FreePBX scripts, hosted PBXs). Routing stays with the PBX: this is
 * observe mode. `newCall` / `ringing` / `answer` / `hangup` become `observed.*`
 * events, so pops follow the same rules as with every other adapter. Duplicates and
 * out-of-order events are harmless; call control is refused (the PBX routes).
 */
import type { AdapterHealth, PbxAdapter, PbxEventListener, PlaybackResult, StateListener } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { EndReason, PbxEvent } from '../events.js';
import { Listeners } from '../listeners.js';

export interface CtiEvent {
  event: 'newCall' | 'ringing' | 'answer' | 'hangup';
  callId: string;
  from?: string | undefined;
  to?: string | undefined;
  direction?: 'inbound' | 'outbound' | undefined;
  /** A Switchboard user name, or the PBX extension set as the agent's `endpoint`. */
  agent?: string | undefined;
  extension?: string | undefined;
  queue?: string | undefined;
  /** Why the call ended (hangup), in the PBX's words; normalized best-effort. */
  cause?: string | undefined;
  /** The PBX's id for this event: a repeat is recognized and ignored. */
  eventId?: string | undefined;
}

export type CtiOutcome = { status: 'accepted' | 'duplicate' } | { status: 'unknown-call'; message: string };

interface Call {
  from: string;
  to: string;
  /** Endpoint -> leg state. */
  legs: Map<string, 'ringing' | 'answered'>;
  ended: boolean;
}

const CAUSES: Record<string, EndReason> = { busy: 'busy', 'no-answer': 'no-answer', noanswer: 'no-answer', failed: 'failed', transferred: 'transferred' };
/** Ended calls are remembered this long so late duplicates are recognized. */
const TOMBSTONE_MS = 10 * 60_000;
const MAX_EVENT_IDS = 10_000;

export class HttpCtiAdapter implements PbxAdapter {
  readonly kind = 'http';
  private readonly calls = new Map<string, Call>();
  private readonly ended = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly events = new Listeners<PbxEvent>();
  private readonly states = new Listeners<AdapterHealth>();
  private state: AdapterHealth;

  constructor(
    readonly id: string,
    /** Agent user name -> the endpoint the observer knows them by. */
    private readonly endpointOf: (agent: string) => string | undefined,
  ) {
    this.state = { id, kind: this.kind, state: 'disconnected', since: new Date().toISOString(), lastError: null };
  }

  async connect(): Promise<void> {
    this.set('connected');
  }

  async disconnect(): Promise<void> {
    this.set('disconnected');
  }

  health(): AdapterHealth {
    return { ...this.state };
  }

  onEvent(listener: PbxEventListener): () => void {
    return this.events.add(listener);
  }

  onStateChange(listener: StateListener): () => void {
    return this.states.add(listener);
  }

  /** One event from the PBX. Never throws on a well-formed event: the outcome says what happened. */
  receive(e: CtiEvent, now = Date.now()): CtiOutcome {
    this.sweep(now);
    if (e.eventId) {
      const key = `${e.callId}:${e.eventId}`;
      if (this.seen.has(key)) return { status: 'duplicate' };
      this.seen.add(key);
      if (this.seen.size > MAX_EVENT_IDS) this.seen.delete(this.seen.values().next().value as string);
    }
    if (this.ended.has(e.callId)) return { status: 'duplicate' };
    let call = this.calls.get(e.callId);
    if (!call) {
      // An event may overtake the newCall that announces the call: fine when it says who calls.
      if (e.event === 'hangup' || e.from === undefined) {
        return { status: 'unknown-call', message: `no call ${e.callId}: send newCall first, or include from and to` };
      }
      call = { from: e.from, to: e.to ?? '', legs: new Map(), ended: false };
      this.calls.set(e.callId, call);
    }
    const endpoint = this.endpoint(e);
    switch (e.event) {
      case 'newCall':
        if (endpoint) this.ring(e.callId, call, endpoint);
        return { status: 'accepted' };
      case 'ringing':
        if (!endpoint) return { status: 'accepted' };
        return this.ring(e.callId, call, endpoint) ? { status: 'accepted' } : { status: 'duplicate' };
      case 'answer': {
        if (!endpoint) return { status: 'accepted' };
        if (call.legs.get(endpoint) === 'answered') return { status: 'duplicate' };
        this.ring(e.callId, call, endpoint); // an answer that overtook its ringing
        call.legs.set(endpoint, 'answered');
        this.emit({ type: 'observed.answered', callId: e.callId, legId: `${e.callId}:${endpoint}`, endpoint });
        // Ring-all: the other phones stop ringing.
        for (const [other, st] of call.legs) {
          if (other !== endpoint && st === 'ringing') {
            call.legs.delete(other);
            this.emit({ type: 'observed.ended', callId: e.callId, legId: `${e.callId}:${other}`, endpoint: other, reason: 'no-answer' });
          }
        }
        return { status: 'accepted' };
      }
      case 'hangup': {
        const reason = CAUSES[(e.cause ?? '').toLowerCase()] ?? 'caller-hangup';
        for (const [ep] of call.legs) this.emit({ type: 'observed.ended', callId: e.callId, legId: `${e.callId}:${ep}`, endpoint: ep, reason });
        this.calls.delete(e.callId);
        this.ended.set(e.callId, now);
        return { status: 'accepted' };
      }
    }
  }

  private endpoint(e: CtiEvent): string | null {
    if (e.extension) return e.extension;
    if (e.agent) return this.endpointOf(e.agent) ?? e.agent;
    return null;
  }

  /** Emits observed.ringing once per (call, phone). */
  private ring(callId: string, call: Call, endpoint: string): boolean {
    if (call.legs.has(endpoint)) return false;
    call.legs.set(endpoint, 'ringing');
    this.emit({ type: 'observed.ringing', callId, legId: `${callId}:${endpoint}`, endpoint, ani: call.from, callerName: null, dnis: call.to });
    return true;
  }

  private sweep(now: number): void {
    for (const [id, at] of this.ended) if (now - at > TOMBSTONE_MS) this.ended.delete(id);
  }

  private emit(e: DistributiveOmit<PbxEvent, 'adapterId' | 'at'>): void {
    const event = { ...e, adapterId: this.id, at: new Date().toISOString() } as PbxEvent;
    queueMicrotask(() => this.events.emit(event));
  }

  private set(state: AdapterHealth['state']): void {
    this.state = { ...this.state, state, since: new Date().toISOString() };
    this.states.emit(this.health());
  }

  // ---- call control: the PBX routes its own calls --------------------------
  private refuse(): never {
    throw new AdapterError('PBX_REJECTED', 'the HTTP CTI adapter observes calls; the PBX routes them', { adapterId: this.id });
  }
  async answer(): Promise<void> {
    this.refuse();
  }
  async play(): Promise<PlaybackResult> {
    this.refuse();
  }
  async hold(): Promise<void> {
    this.refuse();
  }
  async ringAgent(): Promise<{ legId: string }> {
    this.refuse();
  }
  async cancelAgentLeg(): Promise<void> {
    this.refuse();
  }
  async bridge(): Promise<void> {
    this.refuse();
  }
  async hangup(): Promise<void> {
    this.refuse();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
