/**
 * The Asterisk adapter: drives one Asterisk server through ARI (REST + the events
 * WebSocket). One instance per server; several servers are several instances.
 *
 * Layers: `ari/` speaks the protocol (typed REST client, events socket); the pure
 * `mapper` turns raw events into normalized ones against `state`; this class
 * applies them, emits them, and does the plumbing (tearing a call down when a
 * bridged side hangs up, stopping media, click-to-dial steps). Commands use our
 * own channel, playback and bridge ids, chosen before the request, so events that
 * arrive before a reply (Asterisk 22 sends ChannelStateChange Up before the 204 of
 * answer, PlaybackStarted before the 201 of play, StasisEnd before the 204 of
 * DELETE) always find what they refer to.
 */
import type { AdapterHealth, PbxAdapter, PbxEventListener, PlaybackResult, Prompt, StateListener } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { PbxEvent } from '../events.js';
import { AdapterStatus } from '../adapter-status.js';
import { Listeners } from '../listeners.js';
import { AriEventSocket } from './ari/event-socket.js';
import { AriRestClient } from './ari/rest-client.js';
import type { AriEvent } from './ari/types.gen.js';
import { dialAgentAnswered, dialCustomerAnswered, dialLegEnded, startDial } from './click-to-dial.js';
import { bridge, ringAgent, transfer } from './legs.js';
import { record, recordingEnded } from './recording.js';
import { LEG_ARG, mapAriEvent } from './mapper.js';
import { endMedia, hold, play, playbackFinished, type MediaHost } from './media.js';
import { SILENT_LOG, type AdapterLog, type AsteriskAdapterOptions } from './options.js';
import { resync } from './resync.js';
import { AdapterState, type CallState } from './state.js';

type Emitted = DistributiveOmit<PbxEvent, 'adapterId' | 'at'> & { at?: string };

export class AsteriskAdapter implements PbxAdapter, MediaHost {
  readonly kind = 'asterisk';
  readonly id: string;
  readonly rest: AriRestClient;
  readonly state: AdapterState;
  readonly log: AdapterLog;
  private readonly socket: AriEventSocket;
  private readonly events = new Listeners<PbxEvent>((err) => this.log.error({ err }, 'a PBX event listener threw'));
  private readonly status: AdapterStatus;
  private firstAttempt: (() => void) | null = null;
  private running = false;
  /** Bumped by every (re)connection, so a stale resync does not report `connected`. */
  private generation = 0;

  constructor(readonly opts: AsteriskAdapterOptions) {
    this.id = opts.id;
    this.log = opts.log ?? SILENT_LOG;
    this.state = new AdapterState(opts.id, new Set(opts.observeEndpoints));
    this.rest = new AriRestClient({ adapterId: opts.id, baseUrl: opts.url, credentials: opts.credentials, timeoutMs: opts.requestTimeoutMs });
    this.status = new AdapterStatus(opts.id, this.kind, (err) => this.log.error({ err }, 'a state listener threw'));
    this.socket = new AriEventSocket({
      url: this.rest.eventsUrl(opts.application),
      headers: this.rest.authHeaders(),
      backoff: opts.reconnect,
      pingIntervalMs: opts.pingIntervalMs,
      onOpen: () => void this.opened(),
      onEvent: (e) => {
        try {
          this.onAriEvent(e);
        } catch (err) {
          // A malformed event (or a bug) must not take the connection down.
          this.log.error({ err, type: (e as { type?: unknown }).type }, 'handling an ARI event failed');
        }
      },
      onDown: (reason, retryInMs) => {
        this.generation++;
        this.log.warn({ adapter: this.id, reason, retryInMs }, 'ARI events socket down; reconnecting');
        this.status.set('disconnected', reason);
        this.releaseFirstAttempt();
      },
      onAttempt: () => {
        if (this.running && this.status.state === 'disconnected') this.status.set('connecting', this.status.lastError);
      },
      onBadFrame: (text, err) => this.log.warn({ err, frame: text.slice(0, 200) }, 'ARI sent a frame that is not JSON'),
    });
  }

  // ---- lifecycle ---------------------------------------------------------------

  /** Resolves after the first attempt (connected, or not and retrying in the background). Never rejects. */
  async connect(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.status.set('connecting');
    const first = new Promise<void>((resolve) => (this.firstAttempt = resolve));
    this.socket.start();
    await first;
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.generation++;
    await this.socket.stop();
    this.releaseFirstAttempt();
    this.status.set('disconnected');
  }

  health(): AdapterHealth {
    return this.status.health();
  }

  onEvent(listener: PbxEventListener): () => void {
    return this.events.add(listener);
  }

  onStateChange(listener: StateListener): () => void {
    return this.status.onChange(listener);
  }

  /** The events socket is open: resynchronize (Asterisk kept no events for us), then report connected. */
  private async opened(): Promise<void> {
    const gen = ++this.generation;
    let problem: string | null = null;
    try {
      await resync(this);
    } catch (err) {
      problem = `resync after connecting failed: ${(err as Error).message}`;
      this.log.error({ err, adapter: this.id }, 'ARI resync failed');
    }
    if (gen !== this.generation || !this.running) return;
    this.status.set('connected', problem);
    this.releaseFirstAttempt();
  }

  private releaseFirstAttempt(): void {
    const release = this.firstAttempt;
    this.firstAttempt = null;
    release?.();
  }

  // ---- events ------------------------------------------------------------------

  private onAriEvent(e: AriEvent): void {
    if (this.state.isDuplicate(e)) return;
    if (e.type === 'ChannelHangupRequest' && typeof e.cause === 'number') {
      const target = this.state.calls.get(e.channel.id) ?? this.state.legs.get(e.channel.id);
      if (target) target.cause = e.cause;
    }
    const bridgedLegEnded = (e.type === 'StasisEnd' || e.type === 'ChannelDestroyed') && this.state.legs.get(e.channel.id)?.bridged === true;
    for (const ev of mapAriEvent(e, this.state.view())) this.apply(ev);
    switch (e.type) {
      case 'PlaybackFinished':
        playbackFinished(this, e.playback.id, e.playback.state, e.playback.media_uri);
        return;
      case 'RecordingFinished':
      case 'RecordingFailed':
        recordingEnded(this, e.recording.name, e.type === 'RecordingFinished' && e.recording.state === 'done');
        return;
      case 'StasisStart': {
        const call = this.state.calls.get(e.channel.id);
        if (call?.outbound && !call.ended && e.args[0] === LEG_ARG) void dialCustomerAnswered(this, call);
        if (!call && !this.state.legs.has(e.channel.id) && e.args[0] === LEG_ARG && !this.state.isEnded(e.channel.id)) {
          // One of ours from before a restart that nobody waits for any more.
          void this.hangupChannel(e.channel.id);
        }
        return;
      }
      default:
        if (bridgedLegEnded) this.bridgedLegEnded(e.channel.id);
    }
  }

  /** Applies a normalized event to the state, emits it, and does what follows from it. */
  apply(ev: PbxEvent): void {
    const s = this.state;
    switch (ev.type) {
      case 'call.started':
        if (s.calls.has(ev.callId)) return;
        s.newCall(ev.callId, { ani: ev.ani, callerName: ev.callerName });
        break;
      case 'call.answered': {
        const call = s.calls.get(ev.callId);
        if (!call || call.answered) return;
        call.answered = true;
        break;
      }
      case 'agent.answered': {
        const leg = s.legs.get(ev.legId);
        if (!leg || leg.answered) return;
        leg.answered = true;
        this.emit(ev);
        const call = s.calls.get(leg.callId);
        if (call?.dial && !call.ended) void dialAgentAnswered(this, call, leg);
        return;
      }
      case 'agent.leg.ended': {
        const leg = s.legs.get(ev.legId);
        if (!leg || leg.ended) return;
        leg.ended = true;
        s.legs.delete(leg.id);
        s.tombstone(leg.id);
        s.calls.get(leg.callId)?.legs.delete(leg.id);
        this.emit(ev);
        const call = s.calls.get(leg.callId);
        if (call?.dial && !call.ended) dialLegEnded(this, call, ev.reason);
        return;
      }
      case 'call.ended': {
        const call = s.calls.get(ev.callId);
        if (!call || call.ended) return;
        this.emit(ev);
        this.cleanUpCall(call);
        return;
      }
      case 'observed.ringing':
        if (s.observed.has(ev.legId)) return;
        s.observed.set(ev.legId, { id: ev.legId, callId: ev.callId, endpoint: ev.endpoint, answered: false, ended: false, seq: s.nextSeq() });
        break;
      case 'observed.answered': {
        const o = s.observed.get(ev.legId);
        if (!o || o.answered) return;
        o.answered = true;
        break;
      }
      case 'observed.ended': {
        if (!s.observed.delete(ev.legId)) return;
        s.tombstone(ev.legId);
        break;
      }
      default:
        break;
    }
    this.emit(ev);
  }

  /** The call is over: its media ends, its legs and bridge go. Call ids are never reused. */
  private cleanUpCall(call: CallState): void {
    call.ended = true;
    this.state.calls.delete(call.id);
    this.state.tombstone(call.id);
    endMedia(this, call);
    // A hangup ends a recording with the file kept (RecordingFinished may still be on its way).
    for (const name of call.recordings) recordingEnded(this, name, true);
    for (const legId of [...call.legs]) {
      const leg = this.state.legs.get(legId);
      if (!leg || leg.ended) continue;
      if (!leg.bridged) leg.cancelled = true;
      else {
        leg.ended = true;
        this.state.legs.delete(legId);
        this.state.tombstone(legId);
      }
      void this.hangupChannel(legId);
    }
    if (call.bridgeId) void this.destroyBridge(call.bridgeId);
  }

  /** A bridged agent leg hung up: the caller goes too (either side hanging up tears down the other). */
  private bridgedLegEnded(legId: string): void {
    const leg = this.state.legs.get(legId);
    if (!leg) return;
    leg.ended = true;
    this.state.legs.delete(legId);
    this.state.tombstone(legId);
    const call = this.state.calls.get(leg.callId);
    if (!call || call.ended) return;
    call.endRequest ??= 'agent';
    void this.hangupChannel(call.id);
  }

  emit(e: Emitted): void {
    const event = { ...e, adapterId: this.id, at: e.at ?? new Date().toISOString() } as PbxEvent;
    queueMicrotask(() => this.events.emit(event));
  }

  // ---- call control ---------------------------------------------------------------

  liveCall(callId: string): CallState {
    const call = this.state.calls.get(callId);
    if (!call || call.ended) throw new AdapterError('CALL_GONE', `no call ${callId}`, { adapterId: this.id, httpStatus: 404 });
    return call;
  }

  /** A 404, or a 409 "not in a Stasis application", means the channel hung up or left us mid-command. */
  commandError(err: unknown, callId: string): unknown {
    if (err instanceof AdapterError && err.code === 'CALL_GONE') return err;
    const status = err instanceof AdapterError ? err.httpStatus : undefined;
    const ended = this.state.calls.get(callId)?.ended ?? this.state.isEnded(callId);
    if (status === 404 || status === 409 || (ended && status !== undefined)) {
      return new AdapterError('CALL_GONE', `call ${callId} is gone: ${(err as Error).message}`, { adapterId: this.id, httpStatus: status ?? 404, cause: err });
    }
    return err;
  }

  async answer(callId: string): Promise<void> {
    const call = this.liveCall(callId);
    if (call.answered) return;
    await this.rest.call('POST /channels/{channelId}/answer', { path: { channelId: callId } }, { idempotent: true }).catch((err: unknown) => {
      throw this.commandError(err, callId);
    });
    // The ChannelStateChange to Up may have come first (it usually does); emit once either way.
    this.apply({ type: 'call.answered', callId, adapterId: this.id, at: new Date().toISOString() });
  }

  play(callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
    return play(this, callId, prompt, signal);
  }

  hold(callId: string, signal: AbortSignal): Promise<void> {
    return hold(this, callId, signal);
  }

  ringAgent(callId: string, endpoint: string): Promise<{ legId: string }> {
    return ringAgent(this, callId, endpoint);
  }

  /** POST /channels/{channelId} (originateWithId) into our application, tagged as one of our legs. */
  async originate(channelId: string, endpoint: string, callId: string, callerId: string | undefined, originator: string | undefined): Promise<void> {
    await this.rest.call('POST /channels/{channelId}', {
      path: { channelId },
      query: {
        endpoint,
        app: this.opts.application,
        appArgs: `${LEG_ARG},${callId}`,
        timeout: this.opts.originateTimeoutSec,
        ...(callerId ? { callerId } : {}),
        ...(originator ? { originator } : {}),
      },
    });
  }

  async cancelAgentLeg(legId: string): Promise<void> {
    const leg = this.state.legs.get(legId);
    if (!leg || leg.ended || leg.cancelled) return;
    leg.cancelled = true;
    try {
      await this.hangupChannel(legId, true);
    } catch (err) {
      leg.cancelled = false; // still ringing: a retry may cancel it
      throw err;
    }
  }

  bridge(callId: string, legId: string): Promise<void> {
    return bridge(this, callId, legId);
  }

  async hangup(callId: string): Promise<void> {
    const call = this.state.calls.get(callId);
    if (!call || call.ended) return;
    const previous = call.endRequest;
    call.endRequest ??= 'system';
    try {
      await this.hangupChannel(callId, true);
    } catch (err) {
      if (!call.ended) call.endRequest = previous;
      throw err;
    }
  }

  transfer(callId: string, to: string): Promise<void> {
    return transfer(this, callId, to);
  }

  record(callId: string, opts: { maxSeconds: number }, signal: AbortSignal): Promise<{ recording: string | null }> {
    return record(this, callId, opts, signal);
  }

  dial(req: { endpoint: string; to: string; callerId?: string }): Promise<{ callId: string; legId: string }> {
    return startDial(this, req);
  }

  /** GET /channels/{id}: false only on a 404 (any other failure counts as existing). */
  async channelExists(channelId: string): Promise<boolean> {
    try {
      await this.rest.call('GET /channels/{channelId}', { path: { channelId } });
      return true;
    } catch (err) {
      return !(err instanceof AdapterError && err.httpStatus === 404);
    }
  }

  /** DELETE /channels/{id}; a channel already gone (404) is fine. */
  async hangupChannel(channelId: string, rethrow = false): Promise<void> {
    try {
      await this.rest.call('DELETE /channels/{channelId}', { path: { channelId }, query: { reason: 'normal' } });
    } catch (err) {
      if (err instanceof AdapterError && err.httpStatus === 404) return;
      this.log.warn({ err, channelId }, 'hanging up a channel failed');
      if (rethrow) throw err;
    }
  }

  private async destroyBridge(bridgeId: string): Promise<void> {
    await this.rest.call('DELETE /bridges/{bridgeId}', { path: { bridgeId } }).catch((err: unknown) => {
      if (!(err instanceof AdapterError && err.httpStatus === 404)) this.log.warn({ err, bridgeId }, 'destroying a bridge failed');
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
