/**
 * The FreeSWITCH adapter: drives one FreeSWITCH server through the Event Socket in
 * inbound mode (we connect to mod_event_socket on port 8021). One instance per
 * server.
 *
 * Layers: `esl/` speaks the protocol (frame parser, typed messages, a connection
 * that matches replies to commands with a timeout on each, a link that reconnects
 * forever); the pure `mapper` turns events into normalized ones against `state`;
 * this class applies them, emits them, and does the plumbing (tearing a call down
 * when a bridged side hangs up, media, legs, recordings). Channel ids are ours
 * where we make the channel (`origination_uuid`) and every `sendmsg execute` carries
 * our Event-UUID, so events that arrive before a reply always find what they
 * belong to.
 */
import type { AdapterHealth, PbxAdapter, PbxEventListener, PlaybackResult, Prompt, StateListener } from '../adapter.js';
import { SILENT_LOG } from '../asterisk/options.js';
import { AdapterError } from '../errors.js';
import type { PbxEvent } from '../events.js';
import { AdapterStatus } from '../adapter-status.js';
import { Listeners } from '../listeners.js';
import type { EslConnection } from './esl/connection.js';
import type { EslFailure } from './esl/failures.js';
import { EslLink } from './esl/link.js';
import type { EslEvent } from './esl/messages.js';
import { bridge, killChannel, ringAgent, transfer } from './legs.js';
import { mapEslEvent } from './mapper.js';
import { endMedia, hold, mediaFinished, mediaStarted, play } from './media.js';
import type { AdapterLog, FreeSwitchAdapterOptions } from './options.js';
import { record, recordingStopped, stopRecordingsOnHash } from './recording.js';
import { resync } from './resync.js';
import { AdapterState, type CallState } from './state.js';

/** The events we subscribe to with `event json ...` on every (re)connection. */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_CREATE', 'CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'DTMF', 'RECORD_STOP', 'BACKGROUND_JOB',
  'CHANNEL_HOLD', 'CHANNEL_UNHOLD',
] as const;

/**
 * FreeSWITCH's wordings for "that channel does not exist" (mod_commands.c: uuid_kill,
 * uuid_break, uuid_transfer, uuid_setvar `-ERR No Such Channel!`; uuid_answer
 * `-ERROR`; uuid_record `-ERR Cannot locate session!`; uuid_bridge `-ERR Invalid
 * uuid`; mod_event_socket.c sendmsg `-ERR invalid session id [...]`). FreeSWITCH
 * reports these only as text, so this is the one place that reads it.
 */
const GONE = /No Such Channel|^-ERROR\b|Cannot locate session|Invalid uuid|invalid session id/i;

type Emitted = DistributiveOmit<PbxEvent, 'adapterId' | 'at'> & { at?: string };

export class FreeSwitchAdapter implements PbxAdapter {
  readonly kind = 'freeswitch';
  readonly id: string;
  readonly state: AdapterState;
  readonly log: AdapterLog;
  readonly link: EslLink;
  private readonly events = new Listeners<PbxEvent>((err) => this.log.error({ err }, 'a PBX event listener threw'));
  private readonly status: AdapterStatus;
  private firstAttempt: (() => void) | null = null;
  private running = false;
  /** Bumped by every (re)connection, so a stale resync does not report `connected`. */
  private generation = 0;

  constructor(readonly opts: FreeSwitchAdapterOptions) {
    this.id = opts.id;
    this.log = opts.log ?? SILENT_LOG;
    this.state = new AdapterState(opts.id, opts.application);
    this.status = new AdapterStatus(opts.id, this.kind, (err) => this.log.error({ err }, 'a state listener threw'));
    this.link = new EslLink({
      host: opts.host,
      port: opts.port,
      password: opts.password,
      events: SUBSCRIBED_EVENTS,
      timeoutMs: opts.requestTimeoutMs,
      probeIntervalMs: opts.probeIntervalMs,
      backoff: opts.reconnect,
      onAttempt: () => {
        if (this.running && this.status.state === 'disconnected') this.status.set('connecting', this.status.lastError);
      },
      onOpen: (conn) => void this.opened(conn),
      onEvent: (e) => {
        try {
          this.onEslEvent(e);
        } catch (err) {
          // A malformed event (or a bug) must not take the connection down.
          this.log.error({ err, event: e.name }, 'handling a FreeSWITCH event failed');
        }
      },
      onDown: (reason, retryInMs) => {
        this.generation++;
        this.log.warn({ adapter: this.id, reason, retryInMs }, 'FreeSWITCH event socket down; reconnecting');
        this.status.set('disconnected', reason);
        this.releaseFirstAttempt();
      },
      onBadFrame: (text, reason) => this.log.warn({ frame: text, reason }, 'FreeSWITCH sent a frame that is not a readable event'),
    });
  }

  // ---- lifecycle ---------------------------------------------------------------

  /** Resolves after the first attempt (connected, or not and retrying in the background). Never rejects. */
  async connect(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.status.set('connecting');
    const first = new Promise<void>((resolve) => (this.firstAttempt = resolve));
    this.link.start();
    await first;
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.generation++;
    await this.link.stop();
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

  /** Connected, authenticated, subscribed: resynchronize (FreeSWITCH kept no events for us), then report connected. */
  private async opened(conn: EslConnection): Promise<void> {
    const gen = ++this.generation;
    let problem: string | null = null;
    try {
      await resync(this, conn);
    } catch (err) {
      problem = `resync after connecting failed: ${(err as Error).message}`;
      this.log.error({ err, adapter: this.id }, 'FreeSWITCH resync failed');
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

  private onEslEvent(e: EslEvent): void {
    if (this.state.isDuplicate(e)) return;
    const id = e.uniqueId ?? '';
    const hangup = e.name === 'CHANNEL_HANGUP' || e.name === 'CHANNEL_HANGUP_COMPLETE';
    const leg = this.state.legs.get(id);
    if (leg && !leg.created) {
      leg.created = true;
      leg.onCreated?.();
      // Cancelled before FreeSWITCH made the channel: hang it up now that it exists.
      if (leg.cancelled && !hangup) void killChannel(this, id, 'ORIGINATOR_CANCEL');
    }
    const bridgedLegEnded = hangup && leg?.bridged === true && !leg.ended;
    for (const ev of mapEslEvent(e, this.state.view())) this.apply(ev);
    switch (e.name) {
      case 'CHANNEL_EXECUTE':
        mediaStarted(this, e.get('Application-UUID') ?? '');
        return;
      case 'CHANNEL_EXECUTE_COMPLETE':
        mediaFinished(this, e.get('Application-UUID') ?? '', e.get('Application-Response') ?? '');
        return;
      case 'RECORD_STOP':
        recordingStopped(this, e.get('Record-File-Path') ?? '');
        return;
      case 'DTMF':
        if (e.get('DTMF-Digit') === '#') stopRecordingsOnHash(this, id);
        return;
      default:
        if (bridgedLegEnded) this.bridgedLegEnded(id);
    }
  }

  /** Applies a normalized event to the state, emits it, and does what follows from it. */
  apply(ev: PbxEvent): void {
    const s = this.state;
    switch (ev.type) {
      case 'call.started':
        if (s.calls.has(ev.callId) || s.isEnded(ev.callId)) return;
        s.newCall(ev.callId, { ani: ev.ani, callerName: ev.callerName });
        break;
      case 'call.answered': {
        const call = s.calls.get(ev.callId);
        if (!call || call.answered || call.ended) return;
        call.answered = true;
        break;
      }
      case 'agent.answered': {
        const leg = s.legs.get(ev.legId);
        if (!leg || leg.answered || leg.ended) return;
        leg.answered = true;
        break;
      }
      case 'agent.leg.ended': {
        const leg = s.legs.get(ev.legId);
        if (!leg || leg.ended) return;
        leg.ended = true;
        s.legs.delete(leg.id);
        s.tombstone(leg.id);
        s.calls.get(leg.callId)?.legs.delete(leg.id);
        break;
      }
      case 'call.ended': {
        const call = s.calls.get(ev.callId);
        if (!call || call.ended) return;
        this.emit(ev);
        this.cleanUpCall(call);
        return;
      }
      default:
        break;
    }
    this.emit(ev);
  }

  /** The call is over: its media and recordings end, its legs go. Call ids are never reused. */
  private cleanUpCall(call: CallState): void {
    call.ended = true;
    this.state.calls.delete(call.id);
    this.state.tombstone(call.id);
    endMedia(this, call);
    // A hangup ends a recording with the file kept (RECORD_STOP may still be on its way).
    for (const path of call.recordings) recordingStopped(this, path);
    for (const legId of [...call.legs]) {
      const leg = this.state.legs.get(legId);
      if (!leg || leg.ended) continue;
      if (!leg.bridged) leg.cancelled = true;
      else {
        leg.ended = true;
        this.state.legs.delete(legId);
        this.state.tombstone(legId);
      }
      if (leg.created) void killChannel(this, legId, leg.bridged ? 'NORMAL_CLEARING' : 'ORIGINATOR_CANCEL');
    }
  }

  /** A bridged agent leg hung up: the caller goes too (either side hanging up tears down the other). */
  bridgedLegEnded(legId: string): void {
    const leg = this.state.legs.get(legId);
    if (!leg) return;
    leg.ended = true;
    this.state.legs.delete(legId);
    this.state.tombstone(legId);
    const call = this.state.calls.get(leg.callId);
    if (!call || call.ended) return;
    call.endRequest ??= 'agent';
    void killChannel(this, call.id, 'NORMAL_CLEARING');
  }

  emit(e: Emitted): void {
    const event = { ...e, adapterId: this.id, at: e.at ?? new Date().toISOString() } as PbxEvent;
    queueMicrotask(() => this.events.emit(event));
  }

  // ---- commands --------------------------------------------------------------------

  /** `bgapi <command>`: resolves with the job's output; rejects with an AdapterError. */
  async bgapi(command: string, ctx: { callId?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.connection(command).bgapi(command, ctx.timeoutMs ?? this.opts.requestTimeoutMs);
    if (typeof r === 'string') return r;
    throw this.failure(r, ctx.callId);
  }

  /** `api <command>`: resolves with its output; rejects with an AdapterError. */
  async api(command: string, ctx: { callId?: string } = {}): Promise<string> {
    const r = await this.connection(command).api(command, this.opts.requestTimeoutMs);
    if (typeof r === 'string') return r;
    throw this.failure(r, ctx.callId);
  }

  /** `sendmsg <uuid>`: queues a message (e.g. `execute playback`) to a channel. */
  async sendmsg(uuid: string, headers: Record<string, string>): Promise<void> {
    const r = await this.connection(`sendmsg ${uuid}`).sendmsg(uuid, headers, this.opts.requestTimeoutMs);
    if (r !== true) throw this.failure(r, uuid);
  }

  private connection(command: string): EslConnection {
    const conn = this.link.current;
    if (!conn) {
      const why = this.status.lastError ?? this.status.state;
      throw new AdapterError('PBX_UNAVAILABLE', `${command.split(' ')[0] ?? command}: FreeSWITCH is not connected (${why})`, { adapterId: this.id });
    }
    return conn;
  }

  /** An ESL failure value -> the AdapterError the contract speaks. */
  failure(f: EslFailure, callId?: string): AdapterError {
    const ctx = { adapterId: this.id, cause: f };
    switch (f.name) {
      case 'EslRejected': {
        const ended = callId !== undefined && (this.state.calls.get(callId)?.ended ?? this.state.isEnded(callId));
        if (GONE.test(f.reply) || ended) return new AdapterError('CALL_GONE', `${callId ? `call ${callId} is gone: ` : ''}${f.message}`, ctx);
        return new AdapterError('PBX_REJECTED', f.message, ctx);
      }
      case 'EslTimeout':
        return new AdapterError('PBX_TIMEOUT', f.message, ctx);
      case 'EslClosed':
        return new AdapterError('PBX_UNAVAILABLE', f.message, ctx);
      default:
        return new AdapterError('INVALID_REQUEST', f.message, ctx);
    }
  }

  // ---- call control ---------------------------------------------------------------

  liveCall(callId: string): CallState {
    const call = this.state.calls.get(callId);
    if (!call || call.ended) throw new AdapterError('CALL_GONE', `no call ${callId}`, { adapterId: this.id });
    return call;
  }

  async answer(callId: string): Promise<void> {
    const call = this.liveCall(callId);
    if (call.answered) return;
    await this.bgapi(`uuid_answer ${callId}`, { callId });
    // CHANNEL_ANSWER may have come first; emit once either way.
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

  async cancelAgentLeg(legId: string): Promise<void> {
    const leg = this.state.legs.get(legId);
    if (!leg || leg.ended || leg.cancelled) return;
    leg.cancelled = true;
    // Not created yet: it is hung up as soon as FreeSWITCH reports it.
    if (!leg.created) return;
    try {
      await killChannel(this, legId, 'ORIGINATOR_CANCEL', true);
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
      await killChannel(this, callId, 'NORMAL_CLEARING', true);
    } catch (err) {
      if (!call.ended) call.endRequest = previous;
      throw err;
    }
  }

  transfer(callId: string, to: string): Promise<void> {
    return transfer(this, callId, to);
  }

  record(callId: string, opts: { maxSeconds: number; name: string }, signal: AbortSignal): Promise<{ recording: string | null }> {
    return record(this, callId, opts, signal);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
