/** The in-memory side of a call in progress: its record plus the handles that drive it. */
import type { PbxAdapter } from '../../adapters/adapter.js';
import type { IvrSession } from '../../ivr/session.js';
import type { ScreenPop } from '../protocol.js';
import type { CallRecord } from './call-record.js';

export interface Offer {
  agent: string;
  pop: ScreenPop;
  offeredAtMs: number;
  /** Agent leg ringing on the PBX, once `ringAgent` resolved. */
  legId: string | null;
  /** The agent pressed Accept before the leg existed; answer it when it does. */
  acceptRequested: boolean;
  /** The agent leg picked up; the call is being bridged and can no longer be declined. */
  answered: boolean;
  delivered: boolean;
  timer: NodeJS.Timeout;
}

export interface LiveCall {
  record: CallRecord;
  adapter: PbxAdapter;
  ivr: IvrSession | null;
  /** Aborts the hold loop (announcement + music) while queued. */
  hold: AbortController | null;
  offer: Offer | null;
  /** Agents who declined or missed this call; skipped while anyone else can take it. */
  declinedBy: Set<string>;
  /**
   * Agents on another call (call waiting) who declined it, let it ring out, or whose
   * phone could not be rung for it: skipped while they are on a call, even when
   * nobody else serves the queue (the call waits for a free agent instead).
   */
  declinedWhileBusy?: Set<string>;
  /** The agent leg bridged to the caller. */
  bridgedLegId: string | null;
  /**
   * The agent put the caller on hold (a request, or call waiting when they took
   * another call): aborting it stops the music. Null: the agent talks to them.
   */
  heldByAgent?: AbortController | null;
  /** Set when the agent asked to hang up, so the end reason says so. */
  endRequestedByAgent: boolean;
  /** Skills a routing rule required (the queue's own are added per queue). */
  ruleSkills?: readonly string[];
  /** The maximum-wait timer of the queue the call waits in; `due` once it ran out. */
  overflow?: { queue: string; timer: NodeJS.Timeout | null; due: boolean; why: 'max-wait' | 'closed' } | null;
  /** The caller was offered a callback (offered once per call). */
  callbackOffered?: boolean;
  /** In the callback-offer flow: back in line at this place when the caller keeps waiting. */
  returnToQueue?: boolean;
  /**
   * Set while an asynchronous caller lookup runs, before the IVR starts: the keys the
   * caller pressed meanwhile, replayed into the IVR in order once it starts.
   */
  awaitingLookup?: { digits: string[] } | null;
}
