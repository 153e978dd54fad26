/**
 * The call center: turns normalized PBX events into calls that go through the
 * IVR, wait in a queue, are offered to agents and end; and carries out what
 * agents ask for (accept, decline, hang up, change state).
 */
import type { Logger } from 'pino';
import type { PbxAdapter } from '../../adapters/adapter.js';
import { isCallGone } from '../../adapters/errors.js';
import type { EndReason, PbxEvent } from '../../adapters/events.js';
import type { FlowMachine } from '../../ivr/flow/compile.js';
import type { FlowOutput } from '../../ivr/flow/context.js';
import type { CompiledFlow } from '../../ivr/flow/registry.js';
import { bindFlow, startIvrSession } from '../../ivr/session.js';
import type { AgentPresence, PresenceBoard } from '../agents/presence.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { ActiveCall, AgentSnapshot, CallEndReason, LookupResult, SessionSnapshot, SettableAgentState, WrapUp } from '../protocol.js';
import { secondsBetween, type CallOutcome, type CallRecord, type CallStore } from './call-record.js';
import type { Dispatcher } from './dispatcher.js';
import type { LiveCall } from './live-call.js';
import { callerAttributes } from './caller-attributes.js';
import { CallHolds } from './call-holds.js';
import type { AgentNotifier } from './notifier.js';
import { buildScreenPop } from './screen-pop.js';
import type { RoutingRule } from '../config/routing-schema.js';
import { route } from '../routing/rules.js';

export interface CallCenterOptions {
  presence: PresenceBoard;
  dispatcher: Dispatcher;
  notifier: AgentNotifier;
  calls: CallStore;
  /** The flow a call to this number runs (its version is pinned for the whole call). */
  flowFor: (dnis: string) => CompiledFlow | undefined;
  /** A flow by name (the callback offer of a queue's overflow). */
  flowNamed?: (name: string) => CompiledFlow | undefined;
  /** Routing rules, first match wins (`routing.rules`). */
  rules?: readonly RoutingRule[];
  /** Reasons an agent may give for being away (`routing.awayReasons`); the connector's own are always accepted from it. */
  awayReasons?: readonly string[];
  /** Opens the case a callback or voicemail request leaves behind. MUST NOT throw. */
  openIvrCase: (call: CallRecord, request: Extract<FlowOutput, { outcome: 'callback' | 'voicemail' }>) => void;
  fallbackQueue: string;
  /**
   * ANI -> normalized number and lookup outcome. A promise (the shared database): the
   * IVR starts when it settles, with the keys pressed meanwhile replayed in order.
   * A plain value keeps the whole start synchronous.
   */
  lookup: (aniRaw: string) => CallerLookup | Promise<CallerLookup>;
  /**
   * How long an asynchronous lookup may hold the IVR back; after that the call goes on
   * as if nobody matched (a late answer is logged, not used). Default 3 s.
   */
  lookupTimeoutMs?: number;
  metrics: Metrics;
  log: Logger;
  /** After-call work ends by itself after this long (`routing.wrapUpSeconds`); 0 or absent: when the agent is done. */
  wrapUpMs?: number;
  /**
   * Whether the agent's phone is the widget's softphone. Its holds follow the connector's
   * (`call.held` / `call.resumed`), so the PBX's reports of them (`agent.leg.held`) are
   * echoes, possibly late, and are not taken as the agent's wish; a desk phone's are.
   */
  phoneFollowsWidget?: (username: string) => boolean;
}

/** What the lookup gives: the ANI in E.164 (null if it is not a number) and who is calling. */
export interface CallerLookup {
  aniE164: string | null;
  result: LookupResult;
}

const NOBODY: LookupResult = { outcome: 'none', reason: 'not-found' };

const isPromiseLike = <T>(v: T | PromiseLike<T>): v is PromiseLike<T> => typeof (v as { then?: unknown } | null)?.then === 'function';

const END_REASON: Record<EndReason, CallEndReason> = {
  'caller-hangup': 'caller-hangup',
  'agent-hangup': 'agent-hangup',
  'system-hangup': 'system-hangup',
  'no-answer': 'failed',
  busy: 'failed',
  transferred: 'system-hangup',
  failed: 'failed',
};

export class CallCenter {
  private readonly live = new Map<string, LiveCall>();
  /** Bound machines per compiled flow version and adapter; dropped with the version. */
  private readonly machines = new WeakMap<FlowMachine, Map<string, FlowMachine>>();
  private readonly unsubscribe: Array<() => void> = [];
  /** One timer per agent in after-call work with a limit; cleared when the wrap-up ends any other way. */
  private readonly wrapUpTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Call waiting and hold: connected calls per agent, music on hold, calls waiting to be logged. */
  private readonly holds: CallHolds;

  constructor(private readonly o: CallCenterOptions) {
    this.holds = new CallHolds({ liveCall: (id) => this.live.get(id), notifier: o.notifier, log: o.log });
  }

  /** Follows an adapter's events; returns the function that stops following them. */
  attach(adapter: PbxAdapter): () => void {
    const off = adapter.onEvent((e) => this.handle(adapter, e));
    this.unsubscribe.push(off);
    return () => {
      off();
      const i = this.unsubscribe.indexOf(off);
      if (i !== -1) this.unsubscribe.splice(i, 1);
    };
  }

  /** A call in progress, or a finished one from the store. */
  getCall(callId: string): CallRecord | null {
    return this.live.get(callId)?.record ?? this.o.calls.get(callId);
  }

  /**
   * {@link getCall}, else the store's slower path (`CallStore.fetch`): a call this node
   * no longer keeps in memory, or one another node handled (scale-out mode).
   */
  async fetchCall(callId: string): Promise<CallRecord | null> {
    const here = this.getCall(callId);
    if (here) return here;
    const stored = this.o.calls.fetch ? await this.o.calls.fetch(callId) : null;
    // A call another node has in memory and has not written yet (its batch window): ask it.
    return stored ?? (await this.askOtherNodes?.(callId)) ?? null;
  }

  /** Set by the cluster: asks the other nodes for a call record they keep in memory. */
  askOtherNodes: ((callId: string) => Promise<CallRecord | null>) | null = null;

  hasAgent(username: string): boolean {
    return this.o.presence.get(username) !== undefined;
  }

  /** Whether this process has the call (a cluster node: its PBX adapter does). */
  hasLiveCall(callId: string): boolean {
    return this.live.has(callId);
  }

  /** Whether this process keeps `callId` as one of the agent's calls still to log (call waiting). */
  hasPendingWrapUp(username: string, callId: string): boolean {
    return this.holds.hasPending(username, callId);
  }

  /** A call in progress on this node. */
  liveCall(callId: string): LiveCall | undefined {
    return this.live.get(callId);
  }

  presenceOf(username: string): AgentPresence | undefined {
    return this.o.presence.get(username);
  }

  get liveCount(): number {
    return this.live.size;
  }

  // ---- PBX events -----------------------------------------------------

  private handle(adapter: PbxAdapter, e: PbxEvent): void {
    if (e.type === 'call.started') return this.started(adapter, e.callId, e.ani, e.dnis, e.callerName, e.at, e.attestation);
    const call = this.live.get(e.callId);
    // Events for calls we do not know (duplicates, after the end) are harmless.
    if (!call) return;
    switch (e.type) {
      case 'call.dtmf':
        // Before the IVR starts (an asynchronous lookup): kept, and replayed in order.
        if (call.awaitingLookup) call.awaitingLookup.digits.push(e.digit);
        else call.ivr?.dtmf(e.digit);
        return;
      case 'agent.answered':
        return this.o.dispatcher.agentAnswered(call, e.legId);
      case 'agent.leg.ended':
        if (call.offer?.legId === e.legId) this.o.dispatcher.withdraw(call, 'declined', { requeue: true, exclude: true });
        return;
      case 'agent.leg.held':
        return this.legHeld(call, e.legId, e.held);
      case 'call.connected':
        return this.connected(call, e.legId, e.at);
      case 'call.ended':
        return this.ended(call, e.reason, e.at);
      default:
        return;
    }
  }

  private bound(flow: CompiledFlow, adapter: PbxAdapter): FlowMachine {
    let byAdapter = this.machines.get(flow.machine);
    if (!byAdapter) this.machines.set(flow.machine, (byAdapter = new Map()));
    let m = byAdapter.get(adapter.id);
    if (!m) byAdapter.set(adapter.id, (m = bindFlow(flow.machine, adapter)));
    return m;
  }

  private started(adapter: PbxAdapter, callId: string, ani: string, dnis: string, callerName: string | null, at: string, attestation?: CallRecord['attestation']): void {
    if (this.live.has(callId)) return;
    const record: CallRecord = {
      callId, adapterId: adapter.id, aniRaw: ani, aniE164: null, dnis, callerName, ...(attestation ? { attestation } : {}), phase: 'ivr', arrivedAt: at,
      flow: null, ivrPath: [], ivrAttributes: {}, language: null, lookup: null, queue: null, priority: 0, queuedAt: null, skills: [], routedBy: null,
      agent: null, connectedAt: null, endedAt: null, endReason: null, outcome: null,
    };
    const call: LiveCall = { record, adapter, ivr: null, hold: null, offer: null, declinedBy: new Set(), bridgedLegId: null, endRequestedByAgent: false };
    this.live.set(callId, call);
    this.o.log.info({ callId, ani, dnis, adapter: adapter.id }, 'call started');
    // The lookup runs once, now, before the IVR starts: the flow can branch on it and the
    // pop reuses it. On SQLite it answers at once (tens of microseconds) and the whole start
    // is synchronous; on the shared database it is a promise (see startAfterLookup).
    let answer: CallerLookup | Promise<CallerLookup>;
    try {
      answer = this.o.lookup(ani);
    } catch (err) {
      this.o.log.error({ err, callId }, 'caller lookup failed');
      answer = { aniE164: null, result: NOBODY };
    }
    if (isPromiseLike(answer)) return this.startAfterLookup(call, Promise.resolve(answer));
    record.aniE164 = answer.aniE164;
    record.lookup = answer.result;
    this.startFlow(call);
  }

  /**
   * The IVR waits for an asynchronous lookup (at most `lookupTimeoutMs`). Keys pressed
   * meanwhile are kept and replayed in order; a hang-up meanwhile ends the call as an
   * abandoned IVR call (`ended`), and no IVR starts. A failed lookup: nobody matched.
   */
  private startAfterLookup(call: LiveCall, answer: Promise<CallerLookup>): void {
    const { record } = call;
    const { callId } = record;
    call.awaitingLookup = { digits: [] };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeoutMs = this.o.lookupTimeoutMs ?? 3_000;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    const settled = answer.then(
      (value) => ({ value }),
      (err: unknown) => {
        this.o.log.error({ err, callId }, 'caller lookup failed');
        return { value: { aniE164: null, result: NOBODY } };
      },
    );
    void Promise.race([settled, timedOut]).then((first) => {
      clearTimeout(timer);
      const pressed = call.awaitingLookup?.digits ?? [];
      call.awaitingLookup = null;
      if (first === 'timeout') {
        this.o.log.warn({ callId, timeoutMs }, 'caller lookup too slow; going on without it');
        void settled.then(() => this.o.log.info({ callId }, 'caller lookup answered after its timeout; not used'));
        record.lookup ??= NOBODY;
      } else {
        record.aniE164 = first.value.aniE164;
        record.lookup = first.value.result;
      }
      if (record.phase === 'ended') {
        // The caller hung up while we looked: the record was stored as abandoned; keep who it was.
        if (record.endedAt !== null && first !== 'timeout') this.o.calls.save(record);
        return;
      }
      this.startFlow(call);
      for (const digit of pressed) call.ivr?.dtmf(digit);
    });
  }

  /** Starts the call's IVR flow (or, with no flow for the number, queues it in the fallback queue). */
  private startFlow(call: LiveCall): void {
    const { record, adapter } = call;
    const { callId, dnis } = record;
    const flow = this.o.flowFor(dnis);
    if (!flow) {
      this.o.log.error({ callId, dnis }, 'no IVR flow for this number; routing to the fallback queue');
      void adapter.answer(callId).catch(() => {});
      return this.enqueue(call, this.o.fallbackQueue, 0);
    }
    record.flow = { name: flow.name, version: flow.version };
    call.ivr = startIvrSession(this.bound(flow, adapter), flow.version, { callId, attributes: callerAttributes(record) }, (out) =>
      this.ivrDone(call, out),
    );
  }

  private ivrDone(call: LiveCall, out: FlowOutput): void {
    const { record } = call;
    const back = call.returnToQueue === true;
    call.returnToQueue = false;
    // A second flow (the callback offer) adds to the way the caller went.
    record.ivrPath = back ? [...record.ivrPath, ...out.path] : out.path;
    record.ivrAttributes = back ? { ...record.ivrAttributes, ...out.attributes } : out.attributes;
    record.language = back ? (record.language ?? out.language) : out.language;
    call.ivr = null;
    if (record.phase === 'ended' || out.outcome === 'caller-hangup') return;
    switch (out.outcome) {
      case 'queue':
        // Back from the callback offer: the caller's place in line, whatever queue the flow names.
        if (back) return this.o.dispatcher.enqueue(call);
        return this.enqueue(call, out.queue, out.priority);
      case 'failed':
        // The caller left while the PBX was being asked something: call.ended follows.
        if (isCallGone(out.error)) return;
        if (back) {
          this.o.log.error({ err: out.error, callId: record.callId }, 'callback offer failed; the caller stays in line');
          return this.o.dispatcher.enqueue(call);
        }
        // The IVR broke (a PBX error): never strand the caller, send them to a human.
        this.o.log.error({ err: out.error, callId: record.callId }, 'IVR failed; routing to the fallback queue');
        return this.enqueue(call, this.o.fallbackQueue, 0);
      case 'callback':
      case 'voicemail':
        record.outcome = out.outcome;
        this.o.openIvrCase(record, out);
        void call.adapter.hangup(record.callId).catch(() => {});
        return;
      case 'transfer':
        record.outcome = 'transferred';
        return;
      case 'hangup':
        record.outcome = 'completed-in-ivr';
        return;
    }
  }

  /** Routes a call the IVR (or the fallback) queued: the rules pick the queue, priority and skills. */
  private enqueue(call: LiveCall, queue: string, priority: number): void {
    const { record } = call;
    const rules = this.o.rules ?? [];
    // The attributes only matter to rules that look at one (most deployments have none).
    const attributes = rules.some((x) => x.when.attribute !== undefined) ? { ...callerAttributes(record), ...record.ivrAttributes } : {};
    const r = route({ queue, priority, aniE164: record.aniE164, language: record.language, attributes }, rules, (id) => this.o.dispatcher.queue(id));
    call.ruleSkills = r.ruleSkills;
    record.queue = r.queue;
    record.priority = r.priority;
    record.skills = r.skills;
    record.routedBy = r.rule;
    record.queuedAt = new Date().toISOString();
    if (r.rule) this.o.log.info({ callId: record.callId, rule: r.rule, from: queue, queue: r.queue }, 'routing rule applied');
    this.o.dispatcher.enqueue(call);
  }

  /** A queue's overflow offers a callback: the call runs that flow, then comes back to its place or leaves a callback case. */
  offerCallback(call: LiveCall, flowName: string): void {
    const flow = this.o.flowNamed?.(flowName);
    if (!flow || call.record.phase === 'ended') {
      if (!flow) this.o.log.error({ callId: call.record.callId, flow: flowName }, 'no valid callback-offer flow; the caller stays in line');
      if (call.record.phase !== 'ended') this.o.dispatcher.enqueue(call);
      return;
    }
    call.record.phase = 'ivr';
    call.returnToQueue = true;
    call.ivr = startIvrSession(this.bound(flow, call.adapter), flow.version, { callId: call.record.callId, attributes: { ...callerAttributes(call.record), ...call.record.ivrAttributes } }, (out) =>
      this.ivrDone(call, out),
    );
  }

  private connected(call: LiveCall, legId: string, at: string): void {
    const offer = call.offer;
    if (!offer || call.record.phase === 'connected') return;
    clearTimeout(offer.timer);
    call.offer = null;
    call.bridgedLegId = legId;
    call.hold?.abort();
    call.hold = null;
    this.o.dispatcher.forget(call);
    const agent = this.o.presence.get(offer.agent);
    call.record.phase = 'connected';
    call.record.agent = offer.agent;
    call.record.connectedAt = at;
    this.o.calls.save(call.record);
    if (agent) {
      // Call waiting: the first call ended while this one was being connected. Its wrap-up
      // gives way to this call; it waits to be logged like any call that ends during another.
      if (agent.state === 'after-call-work' && agent.callId && agent.callId !== call.record.callId) {
        this.clearWrapUp(agent.username);
        this.holds.addPending(agent.username, agent.callId);
      }
      // Call waiting: the agent's other calls go on hold before this caller is heard.
      const others = agent.state === 'on-call' ? this.holds.connectedCallsOf(agent).filter((c) => c !== call) : [];
      for (const other of others) this.holds.hold(other);
      this.o.presence.setOffer(agent, null);
      this.o.presence.setCall(agent, call.record.callId, [...others.map((c) => c.record.callId), call.record.callId]);
      this.o.presence.set(agent, 'on-call');
      this.o.notifier.agentState(agent.username, this.o.presence.snapshot(agent));
    }
    this.o.notifier.callConnected(offer.agent, call.record.callId, at);
    this.o.log.info({ callId: call.record.callId, agent: offer.agent }, 'call connected');
  }

  private ended(call: LiveCall, reason: EndReason, at: string): void {
    const { record } = call;
    const phase = record.phase;
    // The IVR hears of the end first: a transfer that went through, or a voicemail the
    // caller ended by hanging up, is its result (and opens its case), not an abandoned call.
    const inCallbackOffer = call.returnToQueue === true; // before the IVR hears the hang-up and clears it
    call.ivr?.hangup();
    record.phase = 'ended';
    record.endedAt = at;
    record.endReason = call.endRequestedByAgent ? 'agent-hangup' : END_REASON[reason];
    call.hold?.abort();
    this.holds.ended(call);
    this.o.dispatcher.forget(call);
    if (call.offer) this.o.dispatcher.withdraw(call, 'caller-hangup', { requeue: false, exclude: false });
    const outcome: CallOutcome =
      record.outcome ??
      (phase === 'connected'
        ? 'answered'
        : phase === 'ivr' && !inCallbackOffer // in the callback offer the caller was waiting in a queue
          ? 'abandoned-ivr'
          : phase === 'offered'
            ? 'abandoned-ringing'
            : 'abandoned-queue');
    record.outcome = outcome;
    this.live.delete(record.callId);
    this.o.calls.save(record);
    this.o.metrics.callEnded(outcome);
    this.o.log.info({ callId: record.callId, outcome, reason: record.endReason }, 'call ended');
    if (phase === 'connected' && record.agent) {
      const agent = this.o.presence.get(record.agent);
      const staying = agent ? this.holds.connectedCallsOf(agent) : [];
      if (agent && staying.length > 0) {
        // Call waiting: the agent is still on another call (held until they resume it); this one waits to be logged.
        const focus = agent.callId !== record.callId && staying.some((c) => c.record.callId === agent.callId) ? agent.callId : staying[staying.length - 1]!.record.callId;
        this.o.presence.setCall(agent, focus, staying.map((c) => c.record.callId));
        this.holds.addPending(agent.username, record.callId);
        this.o.notifier.agentState(agent.username, this.o.presence.snapshot(agent));
      } else if (agent) {
        this.o.presence.set(agent, 'after-call-work');
        this.startWrapUp(agent.username, record.callId);
        this.o.notifier.agentState(agent.username, this.o.presence.snapshot(agent));
      }
      this.o.notifier.callEnded(record.agent, {
        callId: record.callId, endedAt: at, reason: record.endReason, talkSeconds: secondsBetween(record.connectedAt, at) ?? 0,
      });
    }
    this.o.dispatcher.dispatch();
  }

  // ---- agents' requests --------------------------------------------------

  private agent(username: string) {
    const agent = this.o.presence.get(username);
    if (!agent) throw new AppError('UNAUTHORIZED', `unknown agent ${username}`);
    return agent;
  }

  setState(username: string, state: SettableAgentState, reason?: string): AgentSnapshot {
    if (reason !== undefined && (state !== 'away' || !(this.o.awayReasons ?? []).includes(reason))) {
      throw new AppError('VALIDATION_FAILED', state === 'away' ? `Unknown away reason "${reason}"; expected one of: ${(this.o.awayReasons ?? []).join(', ')}.` : 'Only away takes a reason.', {
        fields: { reason: [state === 'away' ? `expected one of: ${(this.o.awayReasons ?? []).join(', ')}` : 'only with state away'] },
      });
    }
    const agent = this.agent(username);
    if (agent.state === 'on-call') throw new AppError('AGENT_BUSY', 'You are on a call; hang up first.');
    const offered = agent.offeredCallId ? this.live.get(agent.offeredCallId) : undefined;
    if (offered?.offer?.answered) throw new AppError('AGENT_BUSY', 'A call is being connected to you.');
    if (agent.state === 'after-call-work') this.endWrapUpOf(agent.callId);
    if (agent.state === 'after-call-work') this.o.presence.setCall(agent, null);
    this.clearWrapUp(username);
    // The state first: a withdrawn offer must not come straight back to an agent going away.
    if (this.o.presence.set(agent, state, Date.now(), reason ?? null)) this.o.notifier.agentState(username, this.o.presence.snapshot(agent));
    if (offered && state === 'away') this.o.dispatcher.withdraw(offered, 'agent-unavailable', { requeue: true, exclude: true });
    if (state === 'available') this.o.dispatcher.dispatch();
    return this.o.presence.snapshot(agent);
  }

  /** `finishWrapUp`, answering with the agent's state after it (the widget's request). */
  finishWrapUpFor(username: string, callId: string | null): AgentSnapshot {
    this.finishWrapUp(username, callId);
    return this.o.presence.snapshot(this.agent(username));
  }

  /**
   * The agent's softphone registered or lost its registration. Unreachable agents
   * are skipped by routing; a call still ringing them goes back to the queue.
   */
  setPhoneReachable(username: string, reachable: boolean): void {
    const agent = this.agent(username);
    if (agent.reachable === reachable) return;
    this.o.presence.setReachable(agent, reachable);
    this.o.log.info({ agent: username, reachable }, 'agent phone reachability changed');
    const offered = agent.offeredCallId ? this.live.get(agent.offeredCallId) : undefined;
    if (!reachable && offered && !offered.offer?.answered) this.o.dispatcher.withdraw(offered, 'agent-unavailable', { requeue: true, exclude: false });
    if (reachable) this.o.dispatcher.dispatch();
  }

  private offeredTo(username: string, callId: string): LiveCall {
    const call = this.live.get(callId);
    if (!call && !this.o.calls.get(callId)) throw new AppError('CALL_NOT_FOUND', `No call ${callId}.`);
    if (!call || call.offer?.agent !== username) throw new AppError('CALL_NOT_OFFERED');
    return call;
  }

  /** The agent's widget reports the pop shown: counts the offer delivered (first report only). */
  popDelivered(username: string, callId: string): void {
    const offer = this.live.get(callId)?.offer;
    if (offer?.agent === username) this.o.dispatcher.delivered(offer);
  }

  accept(username: string, callId: string): void {
    this.o.dispatcher.accept(this.offeredTo(username, callId));
  }

  decline(username: string, callId: string): void {
    const call = this.offeredTo(username, callId);
    if (call.offer?.answered) throw new AppError('CALL_NOT_OFFERED', 'The call is being connected to you; hang up instead.');
    this.o.dispatcher.withdraw(call, 'declined', { requeue: true, exclude: true });
  }

  /** Hangs up the agent's call; on a ringing offer it is a decline. */
  async hangup(username: string, callId: string): Promise<void> {
    const call = this.live.get(callId);
    if (call?.offer?.agent === username) return this.decline(username, callId);
    if (!call || call.record.agent !== username || call.record.phase !== 'connected') {
      if (!call && !this.o.calls.get(callId)) throw new AppError('CALL_NOT_FOUND', `No call ${callId}.`);
      throw new AppError('CALL_NOT_ACTIVE');
    }
    call.endRequestedByAgent = true;
    try {
      await call.adapter.hangup(callId);
    } catch (err) {
      call.endRequestedByAgent = false;
      throw err;
    }
  }

  /** The agent's connected call `callId`, or why not. */
  private connectedCallOf(username: string, callId: string): LiveCall {
    const call = this.live.get(callId);
    if (!call || call.record.agent !== username || call.record.phase !== 'connected') {
      if (!call && !this.o.calls.get(callId)) throw new AppError('CALL_NOT_FOUND', `No call ${callId}.`);
      throw new AppError('CALL_NOT_ACTIVE');
    }
    return call;
  }

  /**
   * The agent's phone held or resumed the bridged leg itself (a desk phone's Hold or
   * swap buttons): the caller gets music (or not) and the widget follows. The phone
   * holds its other call itself when it resumes one, so nothing else is held here.
   */
  private legHeld(call: LiveCall, legId: string, held: boolean): void {
    const agent = call.record.agent ? this.o.presence.get(call.record.agent) : undefined;
    if (call.bridgedLegId !== legId || call.record.phase !== 'connected' || !agent) return;
    // The softphone re-INVITEs because the connector said so: an echo, and a late one could undo a later swap.
    if (this.o.phoneFollowsWidget?.(agent.username)) return;
    if (held) return this.holds.hold(call);
    this.holds.resume(call);
    this.o.presence.setCall(agent, call.record.callId, agent.callIds);
  }

  /**
   * The agent puts a connected call on hold. Idempotent, and always answered with
   * `call.held`, so a widget whose softphone leg is out of step gets back in step.
   */
  hold(username: string, callId: string): void {
    const call = this.connectedCallOf(username, callId);
    if (call.heldByAgent) this.o.notifier.callHold?.(username, callId, true);
    else this.holds.hold(call);
  }

  /**
   * The agent talks to this caller again. With call waiting, the call they were
   * talking to goes on hold first (a swap), so only one caller hears them.
   */
  resume(username: string, callId: string): void {
    const call = this.connectedCallOf(username, callId);
    const agent = this.agent(username);
    for (const other of this.holds.connectedCallsOf(agent)) if (other !== call) this.holds.hold(other);
    // Not held: still said, so a softphone leg left on hold (a hold re-INVITE that raced) is taken off it.
    if (call.heldByAgent) this.holds.resume(call);
    else this.o.notifier.callHold?.(username, callId, false);
    this.o.presence.setCall(agent, callId, agent.callIds);
  }

  /** Ends after-call work for this call (a case was saved, or the agent is done). */
  finishWrapUp(username: string, callId: string | null): boolean {
    const agent = this.agent(username);
    // Call waiting: a call that ended while the agent stayed on another one, now logged or skipped.
    if (callId !== null && agent.callId !== callId && this.holds.takePending(username, callId)) {
      this.endWrapUpOf(callId);
      return true;
    }
    if (agent.state !== 'after-call-work' || (callId !== null && agent.callId !== callId)) return false;
    this.clearWrapUp(username);
    this.endWrapUpOf(agent.callId);
    this.o.presence.setCall(agent, null);
    this.o.presence.set(agent, 'available');
    this.o.notifier.agentState(username, this.o.presence.snapshot(agent));
    this.o.dispatcher.dispatch();
    return true;
  }

  /** Records when after-call work for a call ended, for the handle time in reports. */
  private endWrapUpOf(callId: string | null): void {
    const record = callId ? this.o.calls.get(callId) : null;
    if (!record || record.wrapUpEndedAt) return;
    record.wrapUpEndedAt = new Date().toISOString();
    this.o.calls.save(record);
  }

  /**
   * Starts the wrap-up limit of an agent who just went to after-call work for
   * `callId` (the caller then sends the agent's state, which carries the end
   * time). When it runs out, the wrap-up ends as if the agent had finished it.
   */
  startWrapUp(username: string, callId: string): void {
    const ms = this.o.wrapUpMs ?? 0;
    const agent = this.o.presence.get(username);
    this.clearWrapUp(username);
    if (ms <= 0 || agent?.state !== 'after-call-work') return;
    this.o.presence.setWrapUpEnd(agent, Date.now() + ms);
    const timer = setTimeout(() => {
      this.wrapUpTimers.delete(username);
      if (this.finishWrapUp(username, callId)) this.o.log.info({ agent: username, callId }, 'wrap-up time ran out');
    }, ms);
    timer.unref?.();
    this.wrapUpTimers.set(username, timer);
  }

  private clearWrapUp(username: string): void {
    const timer = this.wrapUpTimers.get(username);
    if (timer !== undefined) clearTimeout(timer);
    this.wrapUpTimers.delete(username);
  }

  /** Everything a (re)connecting widget needs. */
  snapshot(username: string): { snapshot: SessionSnapshot; onDelivered: () => void } {
    const agent = this.agent(username);
    const offered = agent.offeredCallId ? this.live.get(agent.offeredCallId) : undefined;
    const offer = offered?.offer?.agent === username ? offered.offer : null;
    const current = agent.callId ? this.getCall(agent.callId) : null;
    const popOf = (r: CallRecord) =>
      buildScreenPop(r, { offeredAtMs: Date.parse(r.connectedAt ?? r.arrivedAt), expiresAtMs: Date.parse(r.connectedAt ?? r.arrivedAt), caseType: this.o.dispatcher.caseTypeFor(r.queue) });
    const wrapUpOf = (r: CallRecord | null): WrapUp | null =>
      r?.connectedAt && r.endedAt ? { callId: r.callId, pop: popOf(r), connectedAt: r.connectedAt, endedAt: r.endedAt, endReason: r.endReason ?? 'caller-hangup' } : null;
    // Call waiting: the call the agent talks to, and the ones on hold. One call: it is the active one unless held.
    const connected = agent.state === 'on-call' ? this.holds.connectedCallsOf(agent) : [];
    const talking = connected.find((c) => c.record.callId === agent.callId && !c.heldByAgent) ?? null;
    const activeOf = (r: CallRecord, held: boolean): ActiveCall => ({ callId: r.callId, pop: popOf(r), connectedAt: r.connectedAt ?? r.arrivedAt, ...(held ? { held: true } : {}) });
    const asActive = (c: LiveCall): ActiveCall => activeOf(c.record, !!c.heldByAgent);
    // No connected call here but the agent is on one: a call of another node (cluster), from the store.
    const elsewhere = connected.length === 0 && current?.connectedAt && agent.state === 'on-call' ? current : null;
    const activeCall: ActiveCall | null = talking ? asActive(talking) : elsewhere ? activeOf(elsewhere, false) : null;
    const pending = this.holds.pendingOf(username).flatMap((id) => wrapUpOf(this.getCall(id)) ?? []);
    const snapshot: SessionSnapshot = {
      agent: this.o.presence.snapshot(agent),
      awayReasons: [...(this.o.awayReasons ?? [])],
      offers: offer ? [offer.pop] : [],
      activeCall,
      wrapUp: agent.state === 'after-call-work' ? wrapUpOf(current) : null,
      ...(connected.some((c) => c !== talking) ? { heldCalls: connected.filter((c) => c !== talking).map(asActive) } : {}),
      ...(pending.length ? { pendingWrapUps: pending } : {}),
    };
    return { snapshot, onDelivered: () => offer && this.o.dispatcher.delivered(offer) };
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    for (const timer of this.wrapUpTimers.values()) clearTimeout(timer);
    this.wrapUpTimers.clear();
    for (const call of this.live.values()) {
      // Mark ended first so a session finishing on hangup routes nowhere.
      call.record.phase = 'ended';
      call.ivr?.hangup();
      call.hold?.abort();
      if (call.offer) clearTimeout(call.offer.timer);
      call.offer = null; // stops a cluster's pop resends too
      this.o.dispatcher.forget(call);
    }
    this.live.clear();
    this.o.dispatcher.close();
  }
}
