/**
 * What one Asterisk adapter knows: calls (callers' channels in the application,
 * and customers' legs of click-to-dial calls), agent legs it originated, watched
 * phones ringing (observe mode), playbacks in flight, and recently ended channel
 * ids. It also answers the mapper's questions (`MapperView`) and drops exact
 * duplicate events.
 */
import type { PlaybackResult } from '../adapter.js';
import type { ChannelRole, EndRequest, MapperView } from './mapper.js';
import type { AriEvent } from './ari/types.gen.js';
import type { PendingRecording } from './recording.js';

export interface CallState {
  id: string;
  /** A click-to-dial customer leg (we originated it) rather than an inbound caller. */
  outbound: boolean;
  ani: string;
  callerName: string | null;
  answered: boolean;
  ended: boolean;
  endRequest: EndRequest | null;
  /** Q.850 cause from a ChannelHangupRequest seen before the end. */
  cause: number | null;
  legs: Set<string>;
  bridgeId: string | null;
  bridgedLeg: string | null;
  playbacks: Set<string>;
  /** Recordings in progress (live recording names). */
  recordings: Set<string>;
  /** Music on hold is on (POST /channels/{id}/moh). */
  moh: boolean;
  /** Click-to-dial: the customer's number and how to dial it, until the customer leg is originated. */
  dial: { to: string; callerId: string | undefined; originated: boolean } | null;
  /** Order of creation, so a resync only judges what existed before its snapshot. */
  seq: number;
}

export interface LegState {
  id: string;
  callId: string;
  endpoint: string;
  answered: boolean;
  bridged: boolean;
  ended: boolean;
  /** We hung it up (ring timeout, withdrawn offer): its end is `system-hangup`. */
  cancelled: boolean;
  cause: number | null;
  seq: number;
}

export interface ObservedState {
  id: string;
  callId: string;
  endpoint: string;
  answered: boolean;
  ended: boolean;
  seq: number;
}

export interface PendingPlayback {
  id: string;
  callId: string;
  /** Barge-in or abort: the playback was stopped before its end. */
  stopped: boolean;
  settle(result: PlaybackResult | Error): void;
}

const TOMBSTONES = 4_096;
const DEDUPE_WINDOW = 512;

export class AdapterState {
  readonly calls = new Map<string, CallState>();
  readonly legs = new Map<string, LegState>();
  readonly observed = new Map<string, ObservedState>();
  readonly playbacks = new Map<string, PendingPlayback>();
  readonly recordings = new Map<string, PendingRecording>();
  private readonly ended = new Set<string>();
  private readonly recent = new Set<string>();
  private seq = 0;

  constructor(
    private readonly adapterId: string,
    /** Watched endpoints (observe mode), e.g. `PJSIP/alice`. */
    readonly watched: ReadonlySet<string>,
  ) {}

  nextSeq(): number {
    return ++this.seq;
  }

  get currentSeq(): number {
    return this.seq;
  }

  newCall(id: string, init: Partial<CallState> = {}): CallState {
    const call: CallState = {
      id, outbound: false, ani: '', callerName: null, answered: false, ended: false, endRequest: null, cause: null,
      legs: new Set(), bridgeId: null, bridgedLeg: null, playbacks: new Set(), recordings: new Set(), moh: false, dial: null, seq: this.nextSeq(), ...init,
    };
    this.calls.set(id, call);
    return call;
  }

  newLeg(id: string, callId: string, endpoint: string): LegState {
    const leg: LegState = { id, callId, endpoint, answered: false, bridged: false, ended: false, cancelled: false, cause: null, seq: this.nextSeq() };
    this.legs.set(id, leg);
    this.calls.get(callId)?.legs.add(id);
    return leg;
  }

  /** Remembers an ended channel id (bounded), so late or duplicated events for it map to nothing. */
  tombstone(id: string): void {
    this.ended.add(id);
    if (this.ended.size > TOMBSTONES) this.ended.delete(this.ended.values().next().value as string);
  }

  isEnded(id: string): boolean {
    return this.ended.has(id);
  }

  /**
   * True when this exact event was seen already (a duplicate delivery). Asterisk
   * stamps events with millisecond times, so two distinct events of one kind on
   * one channel never share a key.
   */
  isDuplicate(e: AriEvent): boolean {
    const x = e as unknown as Record<string, { id?: string; state?: string } | string | number | undefined>;
    const id = (k: string): string => (typeof x[k] === 'object' ? ((x[k] as { id?: string }).id ?? '') : '');
    const key = [
      e.type, e.timestamp, id('channel'), id('peer'), id('playback'), id('bridge'), id('recording'),
      (x.channel as { state?: string } | undefined)?.state ?? '', (x.playback as { state?: string } | undefined)?.state ?? '',
      x.digit ?? '', x.dialstatus ?? '', x.cause ?? '',
    ].join('|');
    if (this.recent.has(key)) return true;
    this.recent.add(key);
    if (this.recent.size > DEDUPE_WINDOW) this.recent.delete(this.recent.values().next().value as string);
    return false;
  }

  private cachedView: MapperView | null = null;

  /** The mapper's read-only view of this state (one object, reused). */
  view(): MapperView {
    return (this.cachedView ??= {
      adapterId: this.adapterId,
      channel: (id) => this.role(id),
      isEnded: (id) => this.isEnded(id),
      watchedEndpoint: (name) => {
        if (this.watched.size === 0) return undefined;
        const ep = name.replace(/-[0-9a-f]+$/i, '');
        return this.watched.has(ep) ? ep : undefined;
      },
    });
  }

  role(id: string): ChannelRole | undefined {
    const c = this.calls.get(id);
    if (c) return { role: 'call', answered: c.answered, ended: c.ended, endRequest: c.endRequest, cause: c.cause, outbound: c.outbound };
    const l = this.legs.get(id);
    if (l) return { role: 'leg', callId: l.callId, endpoint: l.endpoint, answered: l.answered, bridged: l.bridged, ended: l.ended, cancelled: l.cancelled, cause: l.cause };
    const o = this.observed.get(id);
    if (o) return { role: 'observed', callId: o.callId, endpoint: o.endpoint, answered: o.answered, ended: o.ended };
    return undefined;
  }
}
