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
  /** ANI -> normalized number and lookup outcome (the same lookup inbound calls get). */
  lookup: (aniRaw: string) => { aniE164: string | null; result: LookupResult };
  metrics: Metrics;
  log: Logger;
  /** Starts the wrap-up limit of an agent entering after-call work (`CallCenter.startWrapUp`). */
  startWrapUp?: (username: string, callId: string) => void;
}

/** A call record for a call that did not come through the IVR. */
export function newAgentCallRecord(
  deps: AgentCallDeps,
  f: { callId: string; adapterId: string; aniRaw: string; dnis: string; callerName: string | null; at: string; agent: string },
): CallRecord {
  let aniE164: string | null = null;
  let lookup: LookupResult = { outcome: 'none', reason: 'not-found' };
  try {
    ({ aniE164, result: lookup } = deps.lookup(f.aniRaw));
  } catch (err) {
    deps.log.error({ err, callId: f.callId }, 'caller lookup failed');
  }
  return {
    callId: f.callId, adapterId: f.adapterId, aniRaw: f.aniRaw, aniE164, dnis: f.dnis, callerName: f.callerName, phase: 'offered',
    arrivedAt: f.at, flow: null, ivrPath: [], ivrAttributes: {}, language: null, lookup, queue: null, priority: 0, queuedAt: null,
    agent: f.agent, connectedAt: null, endedAt: null, endReason: null, outcome: null,
  };
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
    deps.presence.setCall(agent, record.callId);
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
