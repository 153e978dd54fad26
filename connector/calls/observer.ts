/**
 * Observe mode, the connector's side: for sites whose dialplan queues calls itself
 * (app_queue) and rings desk phones. The adapter watches the agents' endpoints and
 * emits `observed.*` events; this pops the caller's record on the agent whose
 * phone rings, follows the call to its end and leaves it ready for a case, without
 * controlling the call. Several phones may ring for one call (a ring-all queue):
 * each gets the pop, the one who answers gets the call.
 */
import type { PbxAdapter } from '../../adapters/adapter.js';
import type { EndReason, PbxEvent } from '../../adapters/events.js';
import type { CallEndReason, CaseType } from '../protocol.js';
import { agentCallConnected, agentCallEnded, agentCallLookedUp, newAgentCallRecord, type AgentCallDeps } from './agent-call.js';
import type { CallRecord } from './call-record.js';
import { buildScreenPop } from './screen-pop.js';

export interface CallObserverOptions extends AgentCallDeps {
  /** How long a pop says the phone rings (the dialplan decides; this is only the pop's estimate). */
  ringEstimateMs: number;
  caseType: CaseType;
}

interface Watched {
  legId: string;
  username: string;
  record: CallRecord;
  answered: boolean;
}

/** Normal clearing on the agent's phone cannot tell who hung up; the caller, most often. */
const END: Record<EndReason, CallEndReason> = {
  'caller-hangup': 'caller-hangup',
  'agent-hangup': 'caller-hangup',
  'system-hangup': 'system-hangup',
  'no-answer': 'failed',
  busy: 'failed',
  transferred: 'caller-hangup',
  failed: 'failed',
};

export class CallObserver {
  private readonly legs = new Map<string, Watched>();
  /** Calls being observed, by call id: one record however many phones ring. */
  private readonly records = new Map<string, CallRecord>();

  constructor(private readonly o: CallObserverOptions) {}

  /** Listens to one adapter's observe-mode events. Returns the unsubscribe function. */
  attach(adapter: PbxAdapter): () => void {
    return adapter.onEvent((e) => this.handle(adapter, e));
  }

  private handle(adapter: PbxAdapter, e: PbxEvent): void {
    if (e.type === 'observed.ringing') this.ringing(adapter, e);
    else if (e.type === 'observed.answered') this.answered(e.legId, e.at);
    else if (e.type === 'observed.ended') this.ended(e.legId, e.reason, e.at);
  }

  private ringing(adapter: PbxAdapter, e: Extract<PbxEvent, { type: 'observed.ringing' }>): void {
    if (this.legs.has(e.legId)) return;
    const agent = [...this.o.presence.all()].find((a) => a.endpoint === e.endpoint);
    if (!agent) {
      this.o.log.debug({ endpoint: e.endpoint }, 'observe mode: a phone rang that belongs to no agent');
      return;
    }
    let record = this.records.get(e.callId);
    if (!record) {
      record = newAgentCallRecord(this.o, { callId: e.callId, adapterId: adapter.id, aniRaw: e.ani, dnis: e.dnis, callerName: e.callerName, at: e.at, agent: agent.username });
      this.records.set(e.callId, record);
      this.o.calls.save(record);
    }
    const w: Watched = { legId: e.legId, username: agent.username, record, answered: false };
    this.legs.set(e.legId, w);
    const sendPop = (): void => {
      const now = Date.now();
      const pop = buildScreenPop(w.record, { offeredAtMs: now, expiresAtMs: now + this.o.ringEstimateMs, caseType: this.o.caseType });
      this.o.log.info({ callId: e.callId, agent: w.username, endpoint: e.endpoint }, 'observe mode: phone ringing, pop sent');
      this.o.notifier.offered(w.username, pop, () => this.o.metrics.popDelivered((Date.now() - now) / 1000));
    };
    // The shared database answers the lookup asynchronously: the pop waits for it, and is
    // not sent once the phone stopped ringing.
    const looked = agentCallLookedUp(record);
    if (!looked) return sendPop();
    void looked.then(() => {
      if (this.legs.get(e.legId) === w && !w.answered) sendPop();
    });
  }

  private answered(legId: string, at: string): void {
    const w = this.legs.get(legId);
    if (!w || w.answered) return;
    w.answered = true;
    w.record.agent = w.username;
    agentCallConnected(this.o, w.record, at);
  }

  private ended(legId: string, reason: EndReason, at: string): void {
    const w = this.legs.get(legId);
    if (!w) return;
    this.legs.delete(legId);
    const { record } = w;
    if (!w.answered) {
      this.o.notifier.offerWithdrawn(w.username, record.callId, reason === 'no-answer' ? 'ring-timeout' : 'caller-hangup');
      // Another phone may still ring, or have answered (ring-all): the call goes on.
      if ([...this.legs.values()].some((x) => x.record === record) || record.phase === 'connected') return;
    }
    this.records.delete(record.callId);
    agentCallEnded(this.o, record, at, END[reason]);
  }
}
