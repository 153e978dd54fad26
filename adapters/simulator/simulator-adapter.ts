/**
 * The simulator: an in-process PBX. It takes inbound calls, delivers digits,
 * "speaks" prompts for a time proportional to their length, rings virtual agent
 * phones, bridges, and hangs up from either side. It is the embedded default
 * and the test workhorse, and obeys the same `PbxAdapter` contract as the real
 * PBX adapters.
 *
 * Events are emitted on a microtask, never synchronously inside a command, so
 * callers see the same interleaving rules as with a networked PBX.
 */
import { randomUUID } from 'node:crypto';
import type { AdapterHealth, PbxAdapter, PbxEventListener, PlaybackResult, Prompt, StateListener } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { DTMF_DIGITS, type EndReason, type PbxEvent } from '../events.js';
import { Listeners } from '../listeners.js';
import { CallTranscript, type TranscriptEntry } from './transcript.js';

export interface SimulatorOptions {
  id: string;
  /** Speaking rate for prompts. Real TTS speaks about 15 characters a second. */
  charsPerSecond: number;
}

type CallPhase = 'ringing' | 'answered' | 'connected' | 'ended';

interface SimCall {
  id: string;
  ani: string;
  dnis: string;
  phase: CallPhase;
  transcript: CallTranscript;
  /** Active playback timers, aborted on hangup. */
  media: Set<AbortController>;
  legs: Set<string>;
  /** A recording in progress stops on `#`. */
  onDigit: ((digit: string) => void) | null;
}

interface SimLeg {
  id: string;
  callId: string;
  endpoint: string;
  phase: 'ringing' | 'answered' | 'bridged' | 'ended';
}

export class SimulatorAdapter implements PbxAdapter {
  readonly kind = 'simulator';
  readonly id: string;
  private readonly opts: SimulatorOptions;
  private readonly calls = new Map<string, SimCall>();
  private readonly legs = new Map<string, SimLeg>();
  private readonly events = new Listeners<PbxEvent>();
  private readonly states = new Listeners<AdapterHealth>();
  private healthState: AdapterHealth;

  constructor(opts: SimulatorOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.healthState = { id: opts.id, kind: this.kind, state: 'disconnected', since: new Date().toISOString(), lastError: null };
  }

  // ---- lifecycle -------------------------------------------------------

  async connect(): Promise<void> {
    this.setState('connected');
  }

  async disconnect(): Promise<void> {
    for (const call of [...this.calls.values()]) this.endCall(call, 'system-hangup');
    this.setState('disconnected');
  }

  health(): AdapterHealth {
    return { ...this.healthState };
  }

  onEvent(listener: PbxEventListener): () => void {
    return this.events.add(listener);
  }

  onStateChange(listener: StateListener): () => void {
    return this.states.add(listener);
  }

  // ---- the caller's side (simulator control API) -----------------------

  /** A caller dials in. Returns the new call's id. `attestation`: what a STIR/SHAKEN-verifying carrier would report. */
  startCall(from: string, to: string, opts: { attestation?: 'A' | 'B' | 'C' } = {}): string {
    if (this.healthState.state !== 'connected') {
      throw new AdapterError('PBX_UNAVAILABLE', 'the simulator is not running', { adapterId: this.id });
    }
    const id = randomUUID();
    const call: SimCall = { id, ani: from, dnis: to, phase: 'ringing', transcript: new CallTranscript(), media: new Set(), legs: new Set(), onDigit: null };
    this.calls.set(id, call);
    call.transcript.push({ type: 'call.ringing', from, to });
    this.emit({ type: 'call.started', callId: id, ani: from, callerName: null, dnis: to, ...(opts.attestation ? { attestation: opts.attestation } : {}) });
    return id;
  }

  /** The caller presses keys. Every character MUST be a DTMF digit (0-9 * # A-D). */
  sendDigits(callId: string, digits: string): void {
    const call = this.liveCall(callId);
    const bad = [...digits].filter((d) => !DTMF_DIGITS.has(d));
    if (digits.length === 0 || bad.length > 0) {
      throw new AdapterError('INVALID_REQUEST', `not DTMF digits: ${JSON.stringify(bad.join('') || digits)}`, { adapterId: this.id });
    }
    call.transcript.push({ type: 'digits.received', digits });
    for (const digit of digits) {
      call.onDigit?.(digit);
      this.emit({ type: 'call.dtmf', callId, digit, durationMs: 100 });
    }
  }

  /** The caller hangs up. */
  callerHangup(callId: string): void {
    this.endCall(this.liveCall(callId), 'caller-hangup');
  }

  /** What the caller heard so far, for the `/phone` page and tests. */
  transcript(callId: string): CallTranscript {
    const call = this.calls.get(callId);
    if (!call) throw new AdapterError('CALL_GONE', `no call ${callId}`, { adapterId: this.id });
    return call.transcript;
  }

  hasCall(callId: string): boolean {
    return this.calls.has(callId);
  }

  /** Forgets ended calls older than `maxAgeMs` (transcripts are kept a while for late readers). */
  sweep(maxAgeMs: number, now = Date.now()): void {
    for (const call of this.calls.values()) {
      if (call.phase === 'ended' && now - call.transcript.endedAtMs > maxAgeMs) this.calls.delete(call.id);
    }
  }

  // ---- call control (the PbxAdapter contract) --------------------------

  async answer(callId: string): Promise<void> {
    const call = this.liveCall(callId);
    if (call.phase !== 'ringing') return;
    call.phase = 'answered';
    call.transcript.push({ type: 'call.answered' });
    this.emit({ type: 'call.answered', callId });
  }

  async play(callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
    const call = this.liveCall(callId);
    if (signal.aborted) return { completed: false };
    const playbackId = randomUUID();
    call.transcript.push({ type: 'prompt.started', playbackId, promptId: prompt.id, text: prompt.text });
    const ms = Math.max(200, Math.round((prompt.text.length / this.opts.charsPerSecond) * 1000));
    const completed = await this.runMedia(call, ms, signal);
    call.transcript.push({ type: 'prompt.finished', playbackId, completed });
    return { completed };
  }

  async hold(callId: string, signal: AbortSignal): Promise<void> {
    const call = this.liveCall(callId);
    if (signal.aborted) return;
    call.transcript.push({ type: 'hold.started' });
    void this.runMedia(call, Number.POSITIVE_INFINITY, signal).then(() => {
      if (call.phase !== 'ended') call.transcript.push({ type: 'hold.stopped' });
    });
  }

  async transfer(callId: string, to: string): Promise<void> {
    const call = this.liveCall(callId);
    call.transcript.push({ type: 'call.transferred', to });
    this.endCall(call, 'transferred');
  }

  /** Records until `#`, `maxSeconds`, the caller hanging up, or `signal`. */
  async record(callId: string, opts: { maxSeconds: number; name: string }, signal: AbortSignal): Promise<{ recording: string | null }> {
    const call = this.liveCall(callId);
    const recording = opts.name;
    call.transcript.push({ type: 'recording.started', recording });
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.onDigit = (d) => {
      if (d === '#') stop.abort();
    };
    await this.runMedia(call, opts.maxSeconds * 1000, stop.signal);
    signal.removeEventListener('abort', onAbort);
    call.onDigit = null;
    if (call.phase !== 'ended') call.transcript.push({ type: 'recording.stopped', recording });
    return { recording };
  }

  async ringAgent(callId: string, endpoint: string): Promise<{ legId: string }> {
    const call = this.liveCall(callId);
    const leg: SimLeg = { id: randomUUID(), callId, endpoint, phase: 'ringing' };
    this.legs.set(leg.id, leg);
    call.legs.add(leg.id);
    this.emit({ type: 'agent.ringing', callId, legId: leg.id, endpoint });
    return { legId: leg.id };
  }

  /** The agent's virtual phone picks up. */
  async answerAgentLeg(legId: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg || leg.phase === 'ended') throw new AdapterError('CALL_GONE', `no agent leg ${legId}`, { adapterId: this.id });
    if (leg.phase !== 'ringing') return;
    leg.phase = 'answered';
    this.emit({ type: 'agent.answered', callId: leg.callId, legId });
  }

  /** The agent's virtual phone rejects the call (busy, do-not-disturb). */
  async rejectAgentLeg(legId: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg || leg.phase !== 'ringing') throw new AdapterError('CALL_GONE', `no ringing agent leg ${legId}`, { adapterId: this.id });
    this.endLeg(leg, 'busy');
  }

  async cancelAgentLeg(legId: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg || leg.phase === 'ended') return;
    this.endLeg(leg, 'system-hangup');
  }

  async bridge(callId: string, legId: string): Promise<void> {
    const call = this.liveCall(callId);
    const leg = this.legs.get(legId);
    if (!leg || leg.phase === 'ended' || leg.callId !== callId) {
      throw new AdapterError('CALL_GONE', `no agent leg ${legId} on call ${callId}`, { adapterId: this.id });
    }
    if (leg.phase !== 'answered') {
      throw new AdapterError('PBX_REJECTED', `agent leg ${legId} is ${leg.phase}, not answered`, { adapterId: this.id });
    }
    for (const m of call.media) m.abort();
    leg.phase = 'bridged';
    call.phase = 'connected';
    call.transcript.push({ type: 'call.connected', agent: leg.endpoint });
    this.emit({ type: 'call.connected', callId, legId });
  }

  async hangup(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.phase === 'ended') return;
    this.endCall(call, 'system-hangup');
  }

  // ---- internals ------------------------------------------------------

  private liveCall(callId: string): SimCall {
    const call = this.calls.get(callId);
    if (!call || call.phase === 'ended') throw new AdapterError('CALL_GONE', `no call ${callId}`, { adapterId: this.id });
    return call;
  }

  /** Runs a timed media operation; resolves true when it ran to its end. */
  private runMedia(call: SimCall, ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const ctl = new AbortController();
      call.media.add(ctl);
      const timer = Number.isFinite(ms) ? setTimeout(() => finish(true), ms) : undefined;
      const onAbort = (): void => finish(false);
      const finish = (completed: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        ctl.signal.removeEventListener('abort', onAbort);
        call.media.delete(ctl);
        resolve(completed);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ctl.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private endLeg(leg: SimLeg, reason: EndReason): void {
    const wasBridged = leg.phase === 'bridged';
    leg.phase = 'ended';
    this.legs.delete(leg.id);
    if (!wasBridged) this.emit({ type: 'agent.leg.ended', callId: leg.callId, legId: leg.id, reason });
  }

  private endCall(call: SimCall, reason: EndReason): void {
    if (call.phase === 'ended') return;
    call.phase = 'ended';
    for (const m of [...call.media]) m.abort();
    call.transcript.end(reason);
    // The call's end first, then its agent legs: a leg torn down by the caller's
    // hangup must not read as the agent rejecting the call.
    this.emit({ type: 'call.ended', callId: call.id, reason });
    for (const legId of call.legs) {
      const leg = this.legs.get(legId);
      if (leg) this.endLeg(leg, reason);
    }
  }

  private emit(e: DistributiveOmit<PbxEvent, 'adapterId' | 'at'>): void {
    const event = { ...e, adapterId: this.id, at: new Date().toISOString() } as PbxEvent;
    queueMicrotask(() => this.events.emit(event));
  }

  private setState(state: AdapterHealth['state'], lastError: string | null = null): void {
    this.healthState = { ...this.healthState, state, since: new Date().toISOString(), lastError };
    this.states.emit(this.health());
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type { TranscriptEntry };
