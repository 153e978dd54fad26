/**
 * The PBX adapter contract. Every PBX (the in-process simulator, Asterisk ARI,
 * FreeSWITCH ESL, Twilio, generic HTTP CTI) is driven through this one narrow
 * interface, and every adapter passes the same contract suite
 * (`test/adapter-contract.ts`).
 *
 * Terms: a *call* is the caller's leg, identified by the adapter's `callId`. An
 * *agent leg* is the second leg that rings an agent's endpoint; once answered
 * it is bridged to the call.
 */
import type { PbxEvent } from './events.js';

export type AdapterState = 'connecting' | 'connected' | 'disconnected';

export interface AdapterHealth {
  id: string;
  kind: string;
  state: AdapterState;
  /** ISO time of the last state change. */
  since: string;
  lastError: string | null;
}

/** A prompt to play: text (rendered by the PBX or our TTS) and/or a PBX media URI. */
export interface Prompt {
  /** Stable id of the prompt in the flow, e.g. `main-menu.welcome`. */
  id: string;
  text: string;
  /** e.g. `sound:hello-world` for Asterisk; optional. */
  media?: string;
  language?: string;
}

export interface PlaybackResult {
  /** false when the playback was stopped (barge-in, abort) before its end. */
  completed: boolean;
}

/** Per-call control. Each method MUST reject with an `AdapterError` (code `CALL_GONE`) when the call no longer exists. */
export interface CallControl {
  /** Answers the inbound call. MUST resolve only once the call is answered. */
  answer(callId: string): Promise<void>;
  /**
   * Plays a prompt to the caller and resolves when it ends. When `signal` aborts,
   * the adapter MUST stop the playback and resolve `{ completed: false }`.
   * Digits pressed during the playback MUST still be emitted as `call.dtmf`.
   */
  play(callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult>;
  /**
   * Starts music (or a hold prompt) on hold until `signal` aborts. Resolves once started.
   * Also on a call bridged to an agent (the agent put the caller on hold, or took a second
   * call): the bridge MUST stay up. An adapter whose PBX cannot play music there MUST
   * reject at once with `PBX_REJECTED` (the agent's phone then holds the call).
   */
  hold(callId: string, signal: AbortSignal): Promise<void>;
  /**
   * Rings an agent's endpoint for this call. Resolves with the agent leg id once
   * ringing started. The adapter MUST emit `agent.answered` when the agent picks
   * up and MUST NOT bridge by itself.
   */
  ringAgent(callId: string, endpoint: string): Promise<{ legId: string }>;
  /** Stops ringing (or hangs up) an agent leg. Idempotent. */
  cancelAgentLeg(legId: string): Promise<void>;
  /** Bridges the caller with an answered agent leg; MUST emit `call.connected`. */
  bridge(callId: string, legId: string): Promise<void>;
  /** Hangs the call up (and its agent leg, if any). Idempotent: a call already gone resolves. */
  hangup(callId: string): Promise<void>;
}

/**
 * Optional: the PBX can answer an agent leg on the agent's behalf (the simulator's
 * virtual phones; desk-phone auto-answer). The widget's Accept uses it when
 * present; otherwise the agent answers on the phone or softphone itself.
 */
export interface RemoteAnswer {
  answerAgentLeg(legId: string): Promise<void>;
}

/** Optional: a blind transfer of the caller to an outside number (the IVR's transfer node). */
export interface BlindTransfer {
  /**
   * Sends the caller to `to` (E.164) and lets go of the call. MUST resolve once the
   * PBX took the transfer; the call then ends for Switchboard with reason `transferred`.
   */
  transfer(callId: string, to: string): Promise<void>;
}

/** Optional: recording the caller (the IVR's voicemail node). */
export interface Recorder {
  /**
   * Records under `name` (unique per call: the IVR knows the name even when the
   * caller hangs up mid-message, and what was recorded until then MUST be kept)
   * until the caller presses `#`, hangs up, `maxSeconds` pass, or `signal`
   * aborts; resolves with a PBX reference to the recording (null when nothing was kept).
   */
  record(callId: string, opts: { maxSeconds: number; name: string }, signal: AbortSignal): Promise<{ recording: string | null }>;
}

/**
 * Optional: click-to-dial. The agent's phone rings first; once the agent answers,
 * the adapter dials the customer and bridges the two.
 */
export interface ClickToDial {
  /**
   * Rings `endpoint` (the agent's phone) and resolves with the call's ids once it
   * rings; `callId` names the customer's leg, `legId` the agent's. After that the
   * adapter MUST emit, for `callId`: `agent.answered` when the agent picks up (it
   * then dials `to`, E.164, presenting `callerId` when given), `call.answered` when
   * the customer answers, `call.connected` once the two are bridged,
   * `agent.leg.ended` when the agent's phone never answers, and exactly one
   * `call.ended` whichever side hangs up (the adapter hangs the other side up). It
   * MUST NOT emit `call.started` for such a call.
   */
  dial(req: { endpoint: string; to: string; callerId?: string }): Promise<{ callId: string; legId: string }>;
}

export type PbxEventListener = (event: PbxEvent) => void;
export type StateListener = (health: AdapterHealth) => void;

export interface PbxAdapter extends CallControl, Partial<RemoteAnswer>, Partial<BlindTransfer>, Partial<Recorder>, Partial<ClickToDial> {
  readonly id: string;
  readonly kind: string;
  /** Connects to the PBX. MUST NOT reject on a network failure: it reports `disconnected` and retries. */
  connect(): Promise<void>;
  /** Disconnects and stops retrying. Calls in progress are left to the PBX. */
  disconnect(): Promise<void>;
  health(): AdapterHealth;
  /** Normalized call events. Returns an unsubscribe function. */
  onEvent(listener: PbxEventListener): () => void;
  onStateChange(listener: StateListener): () => void;
}
