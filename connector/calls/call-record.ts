/**
 * What the connector knows about one call, from arrival to the case logged
 * for it. Persisted so a case can be logged after a restart.
 */
import type { AttributeValue } from '../../ivr/flow/context.js';
import type { Attestation, CallEndReason, IvrStep, LookupResult } from '../protocol.js';

export type CallPhase = 'ivr' | 'queued' | 'offered' | 'connected' | 'ended';

/** How a call ended up, for metrics and reports. */
export type CallOutcome =
  | 'answered'
  | 'abandoned-ivr'
  | 'abandoned-queue'
  | 'abandoned-ringing'
  /** The IVR took a callback request or a voicemail, or transferred the caller, or ended the call itself. */
  | 'callback'
  | 'voicemail'
  | 'transferred'
  | 'completed-in-ivr'
  | 'failed';

export interface CallRecord {
  callId: string;
  adapterId: string;
  aniRaw: string;
  aniE164: string | null;
  dnis: string;
  callerName: string | null;
  /** STIR/SHAKEN attestation of the caller's number, when the PBX reported it. */
  attestation?: Attestation;
  phase: CallPhase;
  arrivedAt: string;
  /** The flow and the version the call ran. */
  flow: { name: string; version: string } | null;
  /** Sensitive values masked. */
  ivrPath: IvrStep[];
  /** Attributes the IVR set or used (sensitive values masked). */
  ivrAttributes: Record<string, AttributeValue>;
  language: string | null;
  /** Computed once, while the caller is in the IVR. */
  lookup: LookupResult | null;
  queue: string | null;
  /** Higher is served first. */
  priority: number;
  /** Skills the agent must have (the routing rule's and the queue's). */
  skills?: string[];
  /** The routing rule that chose the queue, if any. */
  routedBy?: string | null;
  /** Queues the call overflowed from, in order. */
  overflowedFrom?: string[];
  queuedAt: string | null;
  /** The agent who took the call. */
  agent: string | null;
  connectedAt: string | null;
  endedAt: string | null;
  endReason: CallEndReason | null;
  /** When the agent's after-call work for this call ended (a case saved, done, or its timer): handle time = talk + wrap-up. */
  wrapUpEndedAt?: string | null;
  outcome: CallOutcome | null;
}

export const secondsBetween = (from: string | null, to: string | null): number | null =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : null;

/**
 * Where the call center keeps call records. Synchronous: the call center reads and
 * writes on the event loop that routes calls. An implementation MAY write in the
 * background (batches), but `get` MUST see its own saves at once.
 */
export interface CallStore {
  /** Records the call as it is now; the caller's object MAY change afterwards without effect. */
  save(record: CallRecord): void;
  /** The call as last saved (a copy), or null if this store does not have it at hand. */
  get(callId: string): CallRecord | null;
  /**
   * {@link get}, else wherever else the record may be (the shared database: a call
   * another node handled, or one older than the store keeps in memory). Absent: `get`
   * is the whole answer.
   */
  fetch?(callId: string): Promise<CallRecord | null>;
}
