/**
 * Calls the connector does not route itself but still shows and logs: calls the
 * PBX's own dialplan rings a watched phone with (observe mode) and click-to-dial
 * calls. They get a call record like an inbound call, a pop, the agent's states
 * (on-call, then after-call work with the case form) and the stored outcome.
 */
import type { Logger } from 'pino';
import type { PresenceBoard } from '../agents/presence.js';
import type { Metrics } from '../metrics.js';
import type { CallEndReason, LookupResult } from '../protocol.js';
import { secondsBetween, type CallOutcome, type CallRecord, type CallStore } from './call-record.js';
import type { AgentNotifier } from './notifier.js';

export interface AgentCallDeps {
  presence: PresenceBoard;
  notifier: AgentNotifier;
  calls: CallStore;
  /**
   * ANI -> normalized number and lookup outcome (the same lookup inbound calls get); a
   * promise on the shared database (see {@link agentCallLookedUp}).
   */
  lookup: (aniRaw: string) => { aniE164: string | null; result: LookupResult } | Promise<{ aniE164: string | null; result: LookupResult }>;
  metrics: Metrics;
  log: Logger;
  /** Starts the wrap-up limit of an agent entering after-call work (`CallCenter.startWrapUp`). */
  startWrapUp?: (username: string, callId: string) => void;
}

/** Records whose asynchronous lookup is still running, to the promise of its end. */
const lookingUp = new WeakMap<CallRecord, Promise<void>>();

/**
 * A call record for a call that did not come through the IVR. With an asynchronous
 * lookup the record says `none` until it settles; then it is filled in and saved again,
 * and {@link agentCallLookedUp} resolves (the pop waits for it).
 */
export function newAgentCallRecord(
  deps: AgentCallDeps,
  f: { callId: string; adapterId: string; aniRaw: string; dnis: string; callerName: string | null; at: string; agent: string },
): CallRecord {
  const record: CallRecord = {
    callId: f.callId, adapterId: f.adapterId, aniRaw: f.aniRaw, aniE164: null, dnis: f.dnis, callerName: f.callerName, phase: 'offered',
    arrivedAt: f.at, flow: null, ivrPath: [], ivrAttributes: {}, language: null, lookup: { outcome: 'none', reason: 'not-found' }, queue: null, priority: 0, queuedAt: null,
    agent: f.agent, connectedAt: null, endedAt: null, endReason: null, outcome: null,
  };
  const failed = (err: unknown): void => deps.log.error({ err, callId: f.callId }, 'caller lookup failed');
  try {
    const answer = deps.lookup(f.aniRaw);
    if ('then' in answer) {
      const done = answer.then(
        ({ aniE164, result }) => {
          record.aniE164 = aniE164;
          record.lookup = result;
          deps.calls.save(record);
        },
        failed,
      );
      lookingUp.set(record, done);
    } else {
      record.aniE164 = answer.aniE164;
      record.lookup = answer.result;
    }
  } catch (err) {
    failed(err);
  }
  return record;
}

/** Resolves (never rejects) once the record's asynchronous lookup settled; null if it has none running. */
export function agentCallLookedUp(record: CallRecord): Promise<void> | null {
  return lookingUp.get(record) ?? null;
}

/** The agent is talking: on-call, the widget shows the call connected. */
export function agentCallConnected(deps: AgentCallDeps, record: CallRecord, at: string): void {
  if (record.phase === 'connected' || record.phase === 'ended' || !record.agent) return;
  record.phase = 'connected';
  record.connectedAt = at;
  deps.calls.save(record);
  const agent = deps.presence.get(record.agent);
  if (agent) {
    deps.presence.releaseOffer(agent, record.callId);
    // Not the call center's call: nothing here can hold it, so no call waiting over it.
    deps.presence.setCall(agent, record.callId, [record.callId], { sole: true });
    deps.presence.set(agent, 'on-call');
    deps.notifier.agentState(agent.username, deps.presence.snapshot(agent));
  }
  deps.notifier.callConnected(record.agent, record.callId, at);
}

/** The call is over: stored with its outcome; a connected agent goes to after-call work (the case form). */
export function agentCallEnded(deps: AgentCallDeps, record: CallRecord, at: string, reason: CallEndReason): void {
  if (record.phase === 'ended') return;
  const wasConnected = record.phase === 'connected';
  const outcome: CallOutcome = wasConnected ? 'answered' : reason === 'failed' ? 'failed' : 'abandoned-ringing';
  record.phase = 'ended';
  record.endedAt = at;
  record.endReason = reason;
  record.outcome = outcome;
  deps.calls.save(record);
  deps.metrics.callEnded(outcome);
  if (!wasConnected || !record.agent) return;
  const agent = deps.presence.get(record.agent);
  if (agent && agent.callId === record.callId) {
    deps.presence.set(agent, 'after-call-work');
    deps.startWrapUp?.(agent.username, record.callId);
    deps.notifier.agentState(agent.username, deps.presence.snapshot(agent));
  }
  deps.notifier.callEnded(record.agent, { callId: record.callId, endedAt: at, reason, talkSeconds: secondsBetween(record.connectedAt, at) ?? 0 });
}
