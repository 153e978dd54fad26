/**
 * Queues and offers (the ACD). A queued call is offered to one agent at a time:
 * the longest-idle available agent of its queue. The pop goes out before the
 * agent's phone rings. Ring timeout -> the agent is set away (so callers stop
 * ringing an empty desk) and the call goes to the next agent; no agent -> the
 * caller stays on hold until one is free.
 */
import type { Logger } from 'pino';
import { isCallGone } from '../../adapters/errors.js';
import type { PresenceBoard } from '../agents/presence.js';
import type { OfferWithdrawnReason } from '../protocol.js';
import type { QueueConfig } from '../config/schema.js';
import type { Metrics } from '../metrics.js';
import type { LiveCall, Offer } from './live-call.js';
import type { AgentNotifier } from './notifier.js';
import { buildScreenPop } from './screen-pop.js';

export interface DispatcherOptions {
  presence: PresenceBoard;
  notifier: AgentNotifier;
  queues: readonly QueueConfig[];
  ringTimeoutMs: number;
  /** Starts what a waiting caller hears (announcement, music on hold). */
  startHold: (call: LiveCall) => AbortController;
  metrics: Metrics;
  log: Logger;
}

/** An agent who pressed Accept this close to the ring timeout gets this long for the answer to arrive. */
const ACCEPT_GRACE_MS = 5_000;

export class Dispatcher {
  /** Calls waiting for an agent, oldest first. */
  private readonly waiting: LiveCall[] = [];
  private readonly caseTypes: Map<string, QueueConfig['caseType']>;

  constructor(private readonly o: DispatcherOptions) {
    this.caseTypes = new Map(o.queues.map((q) => [q.id, q.caseType]));
  }

  caseTypeFor(queue: string | null): QueueConfig['caseType'] {
    return this.caseTypes.get(queue ?? '') ?? 'technical_support';
  }

  /** The calls waiting for an agent, in the order they will be offered (for supervisors). */
  waitingCalls(): ReadonlyArray<Pick<LiveCall, 'record'>> {
    return this.waiting;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * Puts a call in the waiting line, at its place by priority (higher first) and
   * then queue time (it keeps its time when it comes back after a missed offer),
   * and tries to offer it.
   */
  enqueue(call: LiveCall): void {
    call.record.phase = 'queued';
    // Back in the line (first time, or after a missed offer or a failed bridge): the caller hears hold again.
    call.hold ??= this.o.startHold(call);
    const { priority } = call.record;
    const at = call.record.queuedAt ?? '';
    const i = this.waiting.findIndex((c) => c.record.priority < priority || (c.record.priority === priority && (c.record.queuedAt ?? '') > at));
    if (i === -1) this.waiting.push(call);
    else this.waiting.splice(i, 0, call);
    this.dispatch();
  }

  remove(call: LiveCall): void {
    const i = this.waiting.indexOf(call);
    if (i !== -1) this.waiting.splice(i, 1);
  }

  /** Offers waiting calls to free agents, oldest call first. */
  dispatch(): void {
    for (const call of [...this.waiting]) {
      const queue = call.record.queue ?? '';
      // Decliners are skipped while someone else could take the call; if nobody else
      // serves the queue, the call must still reach a human, so they get it again.
      if (!this.o.presence.hasUndeclinedAgent(queue, call.declinedBy)) call.declinedBy.clear();
      const agent = this.o.presence.candidates(queue, call.declinedBy)[0];
      if (!agent) continue;
      this.remove(call);
      this.offer(call, agent.username);
    }
  }

  private offer(call: LiveCall, username: string): void {
    const agent = this.o.presence.get(username);
    if (!agent) return;
    const now = Date.now();
    const pop = buildScreenPop(call.record, {
      offeredAtMs: now,
      expiresAtMs: now + this.o.ringTimeoutMs,
      caseType: this.caseTypeFor(call.record.queue),
    });
    const offer: Offer = {
      agent: username,
      pop,
      offeredAtMs: now,
      legId: null,
      acceptRequested: false,
      answered: false,
      delivered: false,
      timer: setTimeout(() => this.ringTimedOut(call, offer), this.o.ringTimeoutMs),
    };
    call.offer = offer;
    call.record.phase = 'offered';
    agent.offeredCallId = call.record.callId;
    this.o.log.info({ callId: call.record.callId, agent: username, queue: call.record.queue }, 'call offered');
    // The pop first, then the phone rings: the pop arrives before the agent can answer.
    this.o.notifier.offered(username, pop, () => this.delivered(offer));
    call.adapter.ringAgent(call.record.callId, agent.endpoint).then(
      ({ legId }) => {
        if (call.offer !== offer) {
          void call.adapter.cancelAgentLeg(legId).catch(() => {});
          return;
        }
        offer.legId = legId;
        if (offer.acceptRequested) this.answerLeg(call, offer);
      },
      (err: unknown) => {
        // A caller who hung up meanwhile: call.ended follows and withdraws the offer.
        if (call.offer !== offer || isCallGone(err)) return;
        this.o.log.warn({ err, callId: call.record.callId, agent: username }, 'ringing the agent failed; the agent is set away');
        // Away first: a phone that cannot be rung must not be offered the call again at
        // once (with one agent, that would spin offer after offer without end).
        this.setAway(username);
        this.withdraw(call, 'agent-unavailable', { requeue: true, exclude: true });
      },
    );
  }

  /** Marks an offer's pop delivered (first acknowledgement only) and measures it. */
  delivered(offer: Offer): void {
    if (offer.delivered) return;
    offer.delivered = true;
    this.o.metrics.popDelivered((Date.now() - offer.offeredAtMs) / 1000);
  }

  /** The agent pressed Accept in the widget. */
  accept(call: LiveCall): void {
    const offer = call.offer;
    if (!offer) return;
    offer.acceptRequested = true;
    // Accepted just before the ring timeout: give the answer time to arrive rather
    // than take the call back from an agent who said yes.
    const left = offer.offeredAtMs + this.o.ringTimeoutMs - Date.now();
    if (left < ACCEPT_GRACE_MS && !offer.answered) {
      clearTimeout(offer.timer);
      offer.timer = setTimeout(() => this.ringTimedOut(call, offer), ACCEPT_GRACE_MS);
    }
    if (offer.legId) this.answerLeg(call, offer);
  }

  /** Answers the agent leg on the agent's behalf where the PBX can (simulator, auto-answer). */
  private answerLeg(call: LiveCall, offer: Offer): void {
    const answer = call.adapter.answerAgentLeg?.bind(call.adapter);
    if (!answer || !offer.legId) return;
    answer(offer.legId).catch((err: unknown) => {
      this.o.log.warn({ err, callId: call.record.callId }, 'answering the agent leg failed');
    });
  }

  /** The agent leg picked up: stop ringing timers and bridge. */
  agentAnswered(call: LiveCall, legId: string): void {
    const offer = call.offer;
    // An auto-answering phone can pick up before ringAgent resolved: adopt its leg.
    if (offer && offer.legId === null) offer.legId = legId;
    if (!offer || offer.legId !== legId) {
      // A leg we no longer want (offer withdrawn meanwhile): hang it up.
      void call.adapter.cancelAgentLeg(legId).catch(() => {});
      return;
    }
    offer.answered = true;
    clearTimeout(offer.timer);
    // Hold stops before the bridge; if the bridge fails the call is requeued and hold restarts.
    call.hold?.abort();
    call.hold = null;
    call.adapter.bridge(call.record.callId, legId).catch((err: unknown) => {
      if (isCallGone(err)) return; // the caller hung up meanwhile; call.ended follows
      this.o.log.error({ err, callId: call.record.callId }, 'bridging failed');
      this.withdraw(call, 'agent-unavailable', { requeue: true, exclude: true });
    });
  }

  private ringTimedOut(call: LiveCall, offer: Offer): void {
    if (call.offer !== offer) return;
    this.o.log.info({ callId: call.record.callId, agent: offer.agent }, 'ring timeout');
    // Away first, so the requeued call cannot ring the same empty desk again.
    this.setAway(offer.agent);
    this.withdraw(call, 'ring-timeout', { requeue: true, exclude: true });
  }

  private setAway(username: string): void {
    const agent = this.o.presence.get(username);
    if (agent && agent.state === 'available') {
      this.o.presence.set(agent, 'away');
      this.o.notifier.agentState(agent.username, this.o.presence.snapshot(agent));
    }
  }

  /**
   * Takes the offer back from the agent. With `requeue`, the call returns to the
   * head of the line (it keeps its queue time); with `exclude`, this agent is
   * skipped for it while another agent can take it.
   */
  withdraw(call: LiveCall, reason: OfferWithdrawnReason, opts: { requeue: boolean; exclude: boolean }): void {
    const offer = call.offer;
    if (!offer) return;
    clearTimeout(offer.timer);
    call.offer = null;
    const agent = this.o.presence.get(offer.agent);
    if (agent && agent.offeredCallId === call.record.callId) agent.offeredCallId = null;
    if (offer.legId) void call.adapter.cancelAgentLeg(offer.legId).catch(() => {});
    this.o.notifier.offerWithdrawn(offer.agent, call.record.callId, reason);
    if (opts.exclude) call.declinedBy.add(offer.agent);
    if (opts.requeue) this.enqueue(call);
  }

  /** Stops every timer (shutdown). */
  close(): void {
    this.waiting.length = 0;
  }
}
