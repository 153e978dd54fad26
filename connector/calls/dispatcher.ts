/**
 * Queues and offers (the ACD). A queued call is offered to one agent at a time:
 * the longest-idle available agent of its queue who has the skills it needs.
 * The pop goes out before the agent's phone rings. Ring timeout -> the agent is
 * set away (reason `missed-call`, so callers stop ringing an empty desk) and
 * the call goes to the next agent; no agent -> the caller stays on hold until
 * one is free, or until the queue's maximum wait sends the call to its
 * overflow (another queue, or a callback offer). See docs/routing.md.
 */
import type { Logger } from 'pino';
import { isCallGone } from '../../adapters/errors.js';
import { hasRoom, type AgentPresence, type PresenceBoard } from '../agents/presence.js';
import { ranksAhead, type Ranked } from '../routing/rank.js';
import type { OfferWithdrawnReason } from '../protocol.js';
import type { QueueConfig } from '../config/schema.js';
import { isOpenAt } from '../../ivr/flow/hours.js';
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
  /**
   * A queue's overflow offers the caller a callback: run this flow for the call
   * (it is out of the line meanwhile). MUST NOT throw.
   */
  offerCallback?: (call: LiveCall, flow: string) => void;
  metrics: Metrics;
  log: Logger;
}

const NONE_LEFT: ReadonlyMap<string, Ranked> = new Map();

/** An agent who pressed Accept this close to the ring timeout gets this long for the answer to arrive. */
const ACCEPT_GRACE_MS = 5_000;

export class Dispatcher {
  /** Calls waiting for an agent, oldest first. */
  private readonly waiting: LiveCall[] = [];
  private readonly queues: Map<string, QueueConfig>;

  constructor(private readonly o: DispatcherOptions) {
    this.queues = new Map(o.queues.map((q) => [q.id, q]));
  }

  /**
   * Set by a cluster (connector/cluster/remote-line.ts), asked once per dispatch: the free
   * agents to leave to another node, each with the best remote call they could take there.
   * A local call ranked behind that call is not offered to them: one line across nodes.
   */
  leftElsewhere: (() => ReadonlyMap<string, Ranked>) | null = null;

  caseTypeFor(queue: string | null): QueueConfig['caseType'] {
    return this.queues.get(queue ?? '')?.caseType ?? 'technical_support';
  }

  queue(id: string | null): QueueConfig | undefined {
    return this.queues.get(id ?? '');
  }

  /** The calls waiting for an agent, in the order they will be offered (for supervisors). */
  waitingCalls(): ReadonlyArray<Pick<LiveCall, 'record' | 'declinedBy'>> {
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
    this.insert(call);
    if (this.armOverflow(call)) return;
    this.dispatch();
  }

  remove(call: LiveCall): void {
    const i = this.waiting.indexOf(call);
    if (i !== -1) this.waiting.splice(i, 1);
  }

  /** Stops the call's maximum-wait timer (the call ended or was taken). */
  forget(call: LiveCall): void {
    this.remove(call);
    if (call.overflow?.timer) clearTimeout(call.overflow.timer);
    call.overflow = null;
  }

  /**
   * Starts the maximum-wait timer of the queue the call is now in (once per
   * queue: a call back from a missed offer keeps the time it has), and sends the
   * call to the overflow at once when the queue is closed or its wait ran out
   * while an offer was ringing. Returns true when the call overflowed.
   */
  private armOverflow(call: LiveCall): boolean {
    const queue = call.record.queue ?? '';
    const q = this.queues.get(queue);
    if (!q?.overflow) return false;
    if (call.overflow?.queue !== queue) {
      if (call.overflow?.timer) clearTimeout(call.overflow.timer);
      const closed = q.hours !== undefined && !isOpenAt(q.hours, new Date());
      call.overflow = { queue, timer: null, due: closed, why: closed ? 'closed' : 'max-wait' };
      if (!closed && q.maxWaitSeconds !== undefined) {
        const state = call.overflow;
        state.timer = setTimeout(() => {
          state.timer = null;
          state.due = true;
          // Ringing an agent now: the overflow applies if the call comes back to the line.
          if (this.waiting.includes(call)) this.overflowNow(call, 'max-wait');
        }, q.maxWaitSeconds * 1000);
        state.timer.unref?.();
      }
    }
    return call.overflow.due ? this.overflowNow(call, call.overflow.why) : false;
  }

  /** Applies the queue's overflow to a waiting call; false when there is none left to apply. */
  private overflowNow(call: LiveCall, why: 'max-wait' | 'closed'): boolean {
    const { record } = call;
    const from = this.queues.get(record.queue ?? '');
    const action = from?.overflow;
    if (!from || !action) return false;
    if ('queue' in action) {
      const to = this.queues.get(action.queue);
      // Never back to a queue the call left (the config forbids loops; a rule may still route there).
      if (!to || to.id === record.queue || record.overflowedFrom?.includes(to.id)) return false;
      this.remove(call);
      record.overflowedFrom = [...(record.overflowedFrom ?? []), from.id];
      record.queue = to.id;
      record.priority += to.priority - from.priority;
      record.skills = [...new Set([...(call.ruleSkills ?? []), ...to.skills])];
      call.declinedBy.clear();
      this.o.log.info({ callId: record.callId, from: from.id, to: to.id, why }, 'call overflowed to another queue');
      this.enqueue(call);
      return true;
    }
    if (call.callbackOffered || !this.o.offerCallback) return false;
    call.callbackOffered = true;
    this.remove(call);
    call.hold?.abort();
    call.hold = null;
    this.o.log.info({ callId: record.callId, queue: from.id, why }, 'offering the caller a callback');
    this.o.offerCallback(call, action.callbackOffer.flow);
    return true;
  }

  /** Offers waiting calls to free agents, highest priority and oldest call first. */
  dispatch(): void {
    const left = this.waiting.length > 0 ? (this.leftElsewhere?.() ?? NONE_LEFT) : NONE_LEFT;
    for (const call of [...this.waiting]) {
      const queue = call.record.queue ?? '';
      const skills = call.record.skills ?? [];
      // Decliners are skipped while someone else could take the call; if nobody else
      // serves the queue, the call must still reach a human, so they get it again.
      if (call.declinedBy.size > 0 && !this.o.presence.hasUndeclinedAgent(queue, skills, call.declinedBy)) call.declinedBy.clear();
      const agent = this.pickFor(call, queue, skills, left);
      if (!agent) continue;
      this.remove(call);
      const claimed = this.o.presence.claim(agent, call.record.callId);
      if (claimed === true) this.offer(call, agent.username);
      else if (claimed === false) this.insert(call);
      else claimed.then(
        (ok) => this.claimed(call, agent.username, ok),
        (err: unknown) => {
          this.o.log.warn({ err, callId: call.record.callId, agent: agent.username }, 'claiming the agent failed');
          this.claimed(call, agent.username, false);
        },
      );
    }
  }

  /**
   * The agent to offer `call` to: `PresenceBoard.pick`, passing over free agents left to
   * another node's call ranked ahead of this one. Then only another free agent will do:
   * call waiting is for when nobody is free, and a free agent is, only busy elsewhere.
   */
  private pickFor(call: LiveCall, queue: string, skills: readonly string[], left: ReadonlyMap<string, Ranked>): AgentPresence | null {
    const best = this.o.presence.pick(queue, skills, call.declinedBy, call.declinedWhileBusy);
    const ahead = best ? left.get(best.username) : undefined;
    if (!best || !ahead || !ranksAhead(ahead, call.record)) return best;
    const excluded = new Set(call.declinedBy);
    for (const [username, remote] of left) if (ranksAhead(remote, call.record)) excluded.add(username);
    const next = this.o.presence.pick(queue, skills, excluded, call.declinedWhileBusy);
    return next?.state === 'available' ? next : null;
  }

  /** A cluster claim came back: offer, or put the call back in line (the agent was taken elsewhere). */
  private claimed(call: LiveCall, username: string, ok: boolean): void {
    const agent = this.o.presence.get(username);
    // The caller hung up, or the agent went away or lost their phone, while the claim was out.
    const gone = call.record.phase === 'ended';
    if (ok && (gone || !agent || !hasRoom(agent, { offer: call.record.callId }))) {
      if (agent) this.o.presence.releaseOffer(agent, call.record.callId);
      ok = false;
    }
    if (ok) return this.offer(call, username);
    if (!gone) return this.enqueue(call);
    // The agent is free again: someone else in line may take them.
    this.dispatch();
  }

  /** Puts the call at its place in line (priority, then first queue time). */
  private insert(call: LiveCall): void {
    const { priority } = call.record;
    const at = call.record.queuedAt ?? '';
    const i = this.waiting.findIndex((c) => c.record.priority < priority || (c.record.priority === priority && (c.record.queuedAt ?? '') > at));
    if (i === -1) this.waiting.push(call);
    else this.waiting.splice(i, 0, call);
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
    this.o.log.info({ callId: call.record.callId, agent: username, queue: call.record.queue }, 'call offered');
    // The pop first, then the phone rings: the pop arrives before the agent can answer.
    this.o.notifier.offered(username, pop, () => this.delivered(offer), () => call.offer === offer && !offer.delivered);
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
        this.setAway(username, 'phone-unreachable');
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
    this.setAway(offer.agent, 'missed-call');
    this.withdraw(call, 'ring-timeout', { requeue: true, exclude: true });
  }

  private setAway(username: string, reason: 'missed-call' | 'phone-unreachable'): void {
    const agent = this.o.presence.get(username);
    if (agent && agent.state === 'available') {
      this.o.presence.set(agent, 'away', Date.now(), reason);
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
    if (agent) this.o.presence.releaseOffer(agent, call.record.callId);
    if (offer.legId) void call.adapter.cancelAgentLeg(offer.legId).catch(() => {});
    this.o.notifier.offerWithdrawn(offer.agent, call.record.callId, reason);
    if (opts.exclude) call.declinedBy.add(offer.agent);
    if (opts.exclude && agent?.state === 'on-call') (call.declinedWhileBusy ??= new Set()).add(offer.agent);
    if (opts.requeue) this.enqueue(call);
  }

  /** Stops every timer (shutdown). */
  close(): void {
    for (const call of [...this.waiting]) this.forget(call);
    this.waiting.length = 0;
  }
}
