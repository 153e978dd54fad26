/**
 * What one FreeSWITCH adapter knows: callers parked for Switchboard, agent legs it
 * originated, media it queued on calls (playbacks and music on hold, by the
 * Event-UUID we gave each `sendmsg execute`), recordings in progress, and recently
 * ended channel ids. It answers the mapper's questions (`MapperView`) and drops
 * duplicate events.
 */
import type { PlaybackResult } from '../adapter.js';
import type { EslEvent } from './esl/messages.js';
import type { ChannelRole, EndRequest, MapperView } from './mapper.js';

export interface CallState {
  id: string;
  ani: string;
  callerName: string | null;
  answered: boolean;
  ended: boolean;
  endRequest: EndRequest | null;
  legs: Set<string>;
  bridgedLeg: string | null;
  /** Media queued on the channel (our Event-UUIDs), in order. */
  media: Set<string>;
  recordings: Set<string>;
  /** Order of creation, so a resync only judges what existed before its snapshot. */
  seq: number;
}

export interface LegState {
  id: string;
  callId: string;
  endpoint: string;
  /** FreeSWITCH created the channel (CHANNEL_CREATE, or any later event of it). */
  created: boolean;
  answered: boolean;
  bridged: boolean;
  ended: boolean;
  /** We hung it up (ring timeout, withdrawn offer): its end is `system-hangup`. */
  cancelled: boolean;
  seq: number;
  /** Resolves ringAgent once the channel exists. */
  onCreated: (() => void) | null;
}

/** A `sendmsg execute` of `playback` on a call: a prompt, or music on hold. */
export interface PendingMedia {
  /** Our Event-UUID, echoed as Application-UUID in CHANNEL_EXECUTE(_COMPLETE). */
  id: string;
  callId: string;
  kind: 'prompt' | 'hold';
  /** CHANNEL_EXECUTE seen: it is the one playing now. */
  started: boolean;
  /** Barge-in, abort, or a bridge: we stopped it (or will, once it starts). */
  stopped: boolean;
  /** Order of creation, so a resync only judges media queued before its snapshot. */
  seq: number;
  settle(result: PlaybackResult | Error): void;
}

export interface PendingRecording {
  path: string;
  callId: string;
  settle(kept: boolean): void;
}

const TOMBSTONES = 4_096;
const DEDUPE_WINDOW = 1_024;

export class AdapterState {
  readonly calls = new Map<string, CallState>();
  readonly legs = new Map<string, LegState>();
  readonly media = new Map<string, PendingMedia>();
  readonly recordings = new Map<string, PendingRecording>();
  private readonly ended = new Set<string>();
  private readonly recent = new Set<string>();
  private seq = 0;
  private cachedView: MapperView | null = null;

  constructor(
    private readonly adapterId: string,
    private readonly application: string,
  ) {}

  nextSeq(): number {
    return ++this.seq;
  }

  get currentSeq(): number {
    return this.seq;
  }

  newCall(id: string, init: Partial<CallState> = {}): CallState {
    const call: CallState = {
      id, ani: '', callerName: null, answered: false, ended: false, endRequest: null,
      legs: new Set(), bridgedLeg: null, media: new Set(), recordings: new Set(), seq: this.nextSeq(), ...init,
    };
    this.calls.set(id, call);
    return call;
  }

  newLeg(id: string, callId: string, endpoint: string): LegState {
    const leg: LegState = { id, callId, endpoint, created: false, answered: false, bridged: false, ended: false, cancelled: false, seq: this.nextSeq(), onCreated: null };
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
   * True when this exact event was seen already. FreeSWITCH numbers its events
   * (`Event-Sequence`, per `Core-UUID`, i.e. per FreeSWITCH process), so a
   * sequence seen twice is a duplicate; events without one are never dropped here.
   */
  isDuplicate(e: EslEvent): boolean {
    const seq = e.get('Event-Sequence');
    if (!seq) return false;
    const key = `${e.get('Core-UUID') ?? ''}|${seq}`;
    if (this.recent.has(key)) return true;
    this.recent.add(key);
    if (this.recent.size > DEDUPE_WINDOW) this.recent.delete(this.recent.values().next().value as string);
    return false;
  }

  /** The mapper's read-only view of this state (one object, reused). */
  view(): MapperView {
    return (this.cachedView ??= {
      adapterId: this.adapterId,
      application: this.application,
      channel: (id) => this.role(id),
      isEnded: (id) => this.isEnded(id),
    });
  }

  role(id: string): ChannelRole | undefined {
    const c = this.calls.get(id);
    if (c) return { role: 'call', answered: c.answered, ended: c.ended, endRequest: c.endRequest };
    const l = this.legs.get(id);
    if (l) return { role: 'leg', callId: l.callId, endpoint: l.endpoint, answered: l.answered, bridged: l.bridged, ended: l.ended, cancelled: l.cancelled };
    return undefined;
  }
}
