/**
 * The fake Asterisk's state: channels, bridges, playbacks, Stasis applications and
 * their subscriptions, and the far side of calls (a caller on the trunk, agents'
 * phones, app_queue ringing a desk phone). Every event goes out through `emit`,
 * shaped by events.json and validated against it; REST operations live in ops.ts.
 *
 * Facts from a real Asterisk 22 modelled here: StasisStart.channel.caller.number is
 * the From user part verbatim and the state is Ring; ChannelDtmfReceived carries
 * digit and duration_ms; with no application connected Stasis fails and the caller
 * gets 603 Decline; events for a disconnected application are dropped, not kept.
 */
import type { Bridge, Channel, LiveRecording, Playback } from '../../../adapters/asterisk/ari/types.gen.js';
import type { AriSwagger } from './swagger.js';

export const ASTERISK_ID = '02:42:ac:11:00:02';

/** ARI's date format: 2025-05-01T10:00:00.123+0000. */
export const ariNow = (): string => new Date().toISOString().replace('Z', '+0000');

export interface FakeChannel {
  snap: Channel;
  endpoint: string;
  /** Applications that get this channel's events. */
  apps: Set<string>;
  /** The Stasis application the channel is in, if any. */
  stasis: string | null;
  /** app/appArgs of an originate, for the StasisStart on answer. */
  originate: { app: string; args: string[] } | null;
  bridgeId: string | null;
  moh: boolean;
  playbacks: string[];
  timers: Set<NodeJS.Timeout>;
}

export interface FakeBridge {
  snap: Bridge;
  apps: Set<string>;
}

export interface FakeRecording {
  snap: LiveRecording;
  channelId: string;
  terminateOn: string;
  startedMs: number;
  timer: NodeJS.Timeout | null;
}

export interface FakePlayback {
  snap: Playback;
  channelId: string;
  timer: NodeJS.Timeout | null;
}

/** Q.850 cause codes with Asterisk's cause text (include/asterisk/causes.h). */
export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
};

export type Delivery = (app: string, event: Record<string, unknown>) => void;

export class FakePbx {
  readonly channels = new Map<string, FakeChannel>();
  readonly bridges = new Map<string, FakeBridge>();
  readonly playbacks = new Map<string, FakePlayback>();
  readonly recordings = new Map<string, FakeRecording>();
  /** Connected applications. */
  readonly connectedApps = new Set<string>();
  /** Endpoint subscriptions (`PJSIP/alice`) per application. */
  readonly endpointSubs = new Map<string, Set<string>>();
  /** Endpoints that exist; originating to another one fails with 400. Null: any tech/resource exists. */
  endpoints: Set<string> | null = null;
  readonly sounds: Map<string, number>;
  /** Events the fake built that do not match events.json (a test asserts none). */
  readonly violations: string[] = [];
  /** Channels sent on into the dialplan (POST /channels/{id}/continue), for assertions. */
  readonly continued: Array<{ channelId: string; context: string; extension: string }> = [];
  /** Every event emitted, for assertions. */
  readonly emitted: Array<Record<string, unknown>> = [];
  /** Called with every event sent (see FakeAriServer.waitForEvent). */
  readonly watchers = new Set<(event: Record<string, unknown>) => void>();
  private seq = 0;
  private readonly epoch = Math.floor(Date.now() / 1000);

  constructor(
    private readonly swagger: AriSwagger,
    private readonly deliver: Delivery,
    sounds: Record<string, number>,
  ) {
    this.sounds = new Map(Object.entries(sounds));
  }

  // ---- events ------------------------------------------------------------

  /** Sends an event to every connected application among `apps`; events for the others are dropped. */
  emit(type: string, body: Record<string, unknown>, apps: Iterable<string>): void {
    for (const app of new Set(apps)) {
      const event = { type, timestamp: ariNow(), ...body, asterisk_id: ASTERISK_ID, application: app };
      const problems = this.swagger.validate(event, 'Event');
      if (problems.length) this.violations.push(`${type}: ${problems.join('; ')}`);
      if (!this.connectedApps.has(app)) continue; // Asterisk keeps no events for a disconnected app
      this.emitted.push(event);
      this.deliver(app, event);
      for (const w of [...this.watchers]) w(event);
    }
  }

  /** A snapshot copy (events carry the state at the time). */
  snap(ch: FakeChannel): Channel {
    return structuredClone(ch.snap);
  }

  channelApps(ch: FakeChannel): Set<string> {
    const apps = new Set(ch.apps);
    const b = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    for (const a of b?.apps ?? []) apps.add(a);
    return apps;
  }

  // ---- channels ----------------------------------------------------------

  nextId(): string {
    return `${this.epoch}.${++this.seq}`;
  }

  createChannel(opts: { id?: string; endpoint: string; state: Channel['state']; callerNumber: string; callerName?: string; exten?: string; context?: string; connectedNumber?: string }): FakeChannel {
    const id = opts.id ?? this.nextId();
    const n = (this.seq + 1).toString(16).padStart(8, '0');
    const ch: FakeChannel = {
      snap: {
        id,
        protocol_id: `${id}@fake-ari`,
        name: `${opts.endpoint}-${n}`,
        state: opts.state,
        caller: { name: opts.callerName ?? '', number: opts.callerNumber },
        connected: { name: '', number: opts.connectedNumber ?? '' },
        accountcode: '',
        dialplan: { context: opts.context ?? 'default', exten: opts.exten ?? 's', priority: 1, app_name: '', app_data: '' },
        creationtime: ariNow(),
        language: 'en',
      },
      endpoint: opts.endpoint,
      apps: new Set(),
      stasis: null,
      originate: null,
      bridgeId: null,
      moh: false,
      playbacks: [],
      timers: new Set(),
    };
    for (const [app, eps] of this.endpointSubs) if (eps.has(opts.endpoint)) ch.apps.add(app);
    this.channels.set(id, ch);
    return ch;
  }

  setState(ch: FakeChannel, state: Channel['state']): void {
    if (ch.snap.state === state) return;
    ch.snap.state = state;
    this.emit('ChannelStateChange', { channel: this.snap(ch) }, this.channelApps(ch));
  }

  enterStasis(ch: FakeChannel, app: string, args: string[]): void {
    ch.stasis = app;
    ch.apps.add(app);
    ch.snap.dialplan = { ...ch.snap.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    this.emit('StasisStart', { args, channel: this.snap(ch) }, [app]);
  }

  leaveStasis(ch: FakeChannel): void {
    const app = ch.stasis;
    if (!app) return;
    ch.stasis = null;
    this.emit('StasisEnd', { channel: this.snap(ch) }, [app]);
    ch.apps.delete(app);
  }

  /** Hangs a channel up with the events Asterisk sends: request, bridge leave, StasisEnd, playbacks, destroyed. */
  hangup(ch: FakeChannel, cause: number, opts: { soft?: boolean } = {}): void {
    if (!this.channels.has(ch.snap.id)) return;
    this.emit('ChannelHangupRequest', { cause, soft: opts.soft ?? false, channel: this.snap(ch) }, this.channelApps(ch));
    for (const pid of [...ch.playbacks]) this.finishPlayback(pid, 'done');
    for (const r of [...this.recordings.values()]) if (r.channelId === ch.snap.id) this.finishRecording(r.snap.name, 'done');
    if (ch.bridgeId) this.leaveBridge(ch);
    const apps = this.channelApps(ch);
    this.leaveStasis(ch);
    for (const t of ch.timers) clearTimeout(t);
    this.channels.delete(ch.snap.id);
    this.emit('ChannelDestroyed', { cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown', channel: this.snap(ch) }, apps);
  }

  /** Removes a channel with no events at all: it hung up, and its events have not arrived yet. */
  vanish(id: string): void {
    const ch = this.channels.get(id);
    if (!ch) return;
    for (const t of ch.timers) clearTimeout(t);
    for (const pid of ch.playbacks) this.playbacks.delete(pid);
    if (ch.bridgeId) this.bridges.get(ch.bridgeId)?.snap.channels.splice(this.bridges.get(ch.bridgeId)?.snap.channels.indexOf(id) ?? 0, 1);
    this.channels.delete(id);
  }

  // ---- bridges -------------------------------------------------------------

  joinBridge(ch: FakeChannel, b: FakeBridge): void {
    if (ch.bridgeId === b.snap.id) return;
    if (ch.bridgeId) this.leaveBridge(ch);
    ch.bridgeId = b.snap.id;
    b.snap.channels.push(ch.snap.id);
    this.emit('ChannelEnteredBridge', { bridge: structuredClone(b.snap), channel: this.snap(ch) }, this.channelApps(ch));
  }

  leaveBridge(ch: FakeChannel): void {
    const b = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (!b) return;
    const apps = this.channelApps(ch);
    ch.bridgeId = null;
    b.snap.channels = b.snap.channels.filter((c) => c !== ch.snap.id);
    this.emit('ChannelLeftBridge', { bridge: structuredClone(b.snap), channel: this.snap(ch) }, apps);
  }

  destroyBridge(b: FakeBridge): void {
    for (const id of [...b.snap.channels]) {
      const ch = this.channels.get(id);
      if (ch) this.leaveBridge(ch);
    }
    this.bridges.delete(b.snap.id);
    this.emit('BridgeDestroyed', { bridge: structuredClone(b.snap) }, b.apps);
  }

  // ---- playbacks -----------------------------------------------------------

  startPlayback(pb: FakePlayback, durationMs: number | null): void {
    const ch = this.channels.get(pb.channelId);
    if (!ch || !this.playbacks.has(pb.snap.id)) return;
    if (durationMs === null) return this.finishPlayback(pb.snap.id, 'failed');
    pb.snap.state = 'playing';
    this.emit('PlaybackStarted', { playback: structuredClone(pb.snap) }, this.channelApps(ch));
    pb.timer = setTimeout(() => this.finishPlayback(pb.snap.id, 'done'), durationMs);
  }

  finishPlayback(id: string, state: 'done' | 'failed'): void {
    const pb = this.playbacks.get(id);
    if (!pb) return;
    if (pb.timer) clearTimeout(pb.timer);
    this.playbacks.delete(id);
    pb.snap.state = state;
    const ch = this.channels.get(pb.channelId);
    if (ch) ch.playbacks = ch.playbacks.filter((p) => p !== id);
    this.emit('PlaybackFinished', { playback: structuredClone(pb.snap) }, ch ? this.channelApps(ch) : []);
    // Playbacks on a channel queue up: the next one starts when this one ends.
    const next = ch?.playbacks[0] ? this.playbacks.get(ch.playbacks[0]) : undefined;
    if (next && next.snap.state === 'queued') this.onQueuedPlaybackReady?.(next);
  }

  /** Set by ops.ts: starts a queued playback (resolving its media first). */
  onQueuedPlaybackReady: ((pb: FakePlayback) => void) | null = null;

  // ---- recordings -----------------------------------------------------------

  /** A live recording ends ('done' keeps the file in the fake's stored list). */
  finishRecording(name: string, state: 'done' | 'failed' | 'canceled'): void {
    const r = this.recordings.get(name);
    if (!r) return;
    if (r.timer) clearTimeout(r.timer);
    this.recordings.delete(name);
    r.snap.state = state;
    r.snap.duration = Math.round((Date.now() - r.startedMs) / 1000);
    if (state === 'done') this.stored.add(name);
    const ch = this.channels.get(r.channelId);
    const apps = ch ? this.channelApps(ch) : new Set(this.connectedApps);
    this.emit(state === 'failed' ? 'RecordingFailed' : 'RecordingFinished', { recording: structuredClone(r.snap) }, apps);
  }

  /** Stored recordings by name. */
  readonly stored = new Set<string>();

  /** Stops every timer (server shutdown). */
  stopAll(): void {
    for (const ch of this.channels.values()) for (const t of ch.timers) clearTimeout(t);
    for (const pb of this.playbacks.values()) if (pb.timer) clearTimeout(pb.timer);
    for (const r of this.recordings.values()) if (r.timer) clearTimeout(r.timer);
  }
}
