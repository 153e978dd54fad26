/**
 * What an agent's several calls need (call waiting, hold): which calls they are
 * connected to, the music on hold of a caller the agent put aside, and the calls
 * that ended while the agent stayed on another one and wait to be logged. The
 * call center decides when; this keeps the state and says it to the widgets.
 */
import type { Logger } from 'pino';
import { isCallGone } from '../../adapters/errors.js';
import type { AgentPresence } from '../agents/presence.js';
import type { LiveCall } from './live-call.js';
import type { AgentNotifier } from './notifier.js';

/** The most calls kept to be logged per agent: older ones stay in the call log (reports), not in the widget. */
const MAX_PENDING = 10;

export class CallHolds {
  /** Per agent: calls that ended while they stayed on another one, not logged yet, oldest first. */
  private readonly pending = new Map<string, string[]>();

  constructor(private readonly o: { liveCall: (callId: string) => LiveCall | undefined; notifier: AgentNotifier; log: Logger }) {}

  /** The calls the agent is connected to now, oldest first (more than one with call waiting). */
  connectedCallsOf(agent: AgentPresence): LiveCall[] {
    const out: LiveCall[] = [];
    for (const id of agent.callIds) {
      const call = this.o.liveCall(id);
      if (call && call.record.phase === 'connected' && call.record.agent === agent.username) out.push(call);
    }
    return out;
  }

  /** Music for the caller while the agent is away from them; tells the agent's widgets. No-op when held. */
  hold(call: LiveCall): void {
    if (call.heldByAgent || !call.record.agent) return;
    const ctl = new AbortController();
    call.heldByAgent = ctl;
    call.adapter.hold(call.record.callId, ctl.signal).catch((err: unknown) => {
      if (!isCallGone(err)) this.o.log.warn({ err, callId: call.record.callId }, 'music on hold failed; the caller is held in silence');
    });
    this.o.log.info({ callId: call.record.callId, agent: call.record.agent }, 'call held');
    this.o.notifier.callHold?.(call.record.agent, call.record.callId, true);
  }

  /** Ends the music and tells the agent's widgets. No-op when not held. */
  resume(call: LiveCall): void {
    if (!call.heldByAgent || !call.record.agent) return;
    call.heldByAgent.abort();
    call.heldByAgent = null;
    this.o.log.info({ callId: call.record.callId, agent: call.record.agent }, 'call resumed');
    this.o.notifier.callHold?.(call.record.agent, call.record.callId, false);
  }

  /** The call ended: its music stops with it (nothing is said; call.ended follows). */
  ended(call: LiveCall): void {
    call.heldByAgent?.abort();
    call.heldByAgent = null;
  }

  /** `callId` ended while its agent stayed on another call: it waits to be logged. */
  addPending(username: string, callId: string): void {
    const list = this.pending.get(username) ?? [];
    this.pending.set(username, [...list.filter((id) => id !== callId), callId].slice(-MAX_PENDING));
  }

  /** Forgets a pending call (logged, or skipped); false when it was not pending. */
  takePending(username: string, callId: string): boolean {
    const list = this.pending.get(username);
    if (!list?.includes(callId)) return false;
    const rest = list.filter((id) => id !== callId);
    if (rest.length) this.pending.set(username, rest);
    else this.pending.delete(username);
    return true;
  }

  hasPending(username: string, callId: string): boolean {
    return this.pending.get(username)?.includes(callId) ?? false;
  }

  pendingOf(username: string): readonly string[] {
    return this.pending.get(username) ?? [];
  }
}
