/**
 * Agent presence: who is available, since when (for longest-idle routing), and
 * what each agent is doing. The connector sets `on-call` and `after-call-work`;
 * agents set `available` and `away`.
 */
import type { AgentSnapshot, AgentState } from '../protocol.js';
import type { AgentConfig } from '../config/schema.js';

export interface AgentPresence {
  readonly username: string;
  readonly displayName: string;
  readonly queues: readonly string[];
  /** What the agent can do (ids); a queue or a routing rule may require some. */
  readonly skills: readonly string[];
  readonly endpoint: string;
  state: AgentState;
  /** Why the agent is away (`break`, `missed-call` ...); null in any other state. */
  awayReason: string | null;
  /** ms epoch of the last state change. */
  stateSinceMs: number;
  /** ms epoch the agent last became idle: the longest-idle agent is offered first. */
  idleSinceMs: number;
  /** The call currently ringing this agent, if any (one offer at a time). */
  offeredCallId: string | null;
  /** The call the agent is on (talking, or the latest one while all are held), or wrapping up. */
  callId: string | null;
  /**
   * Every call the agent is connected to, oldest first (call waiting: one is
   * talked to, the others are on hold). Empty outside `on-call`.
   */
  callIds: string[];
  /** Calls the agent may be connected to at once: 1, or more with call waiting. */
  maxCalls: number;
  /**
   * Cluster: the agent's calls are on another node. Only that node offers them
   * a waiting call (all of one agent's calls live on one node).
   */
  callsElsewhere?: boolean;
  /**
   * The agent's call is one the call center does not hold (click-to-dial, a
   * call the PBX's own queue rang them with): it cannot be put on hold from
   * here, so no waiting call is offered over it.
   */
  soleCall?: boolean;
  /**
   * False while the agent's softphone is known to be unregistered (its widget said
   * so, or the widget that reported it went away): no calls are offered then.
   * True for desk phones, whose reachability the connector cannot see.
   */
  reachable: boolean;
  /** ms epoch at which after-call work ends by itself (`routing.wrapUpSeconds`); null or absent: no limit. */
  wrapUpEndsAtMs?: number | null;
}

/** What a change touched: the state (with its reason and times), the offer, the call, the phone, the wrap-up limit. */
export type PresenceField = 'state' | 'offer' | 'call' | 'reachable' | 'wrapUp';

/**
 * Whether the agent may be offered a call now, queues and skills aside: a
 * reachable agent with no offer ringing who is available, or on fewer calls
 * than their `maxCalls` (call waiting).
 */
export function hasRoom(a: AgentPresence, opts: { offer?: string } = {}): boolean {
  // `offer`: the call this agent was just claimed for (its own offer does not count).
  if (!a.reachable || (a.offeredCallId !== null && a.offeredCallId !== opts.offer)) return false;
  return a.state === 'available' || (a.state === 'on-call' && !a.callsElsewhere && !a.soleCall && a.callIds.length < a.maxCalls);
}
export type PresenceListener = (agent: AgentPresence, fields: readonly PresenceField[]) => void;

/**
 * Takes an agent for a call, cluster-wide. The local board decides alone
 * (synchronously); a shared board (connector/cluster) asks Redis. MUST set
 * `offeredCallId` before returning (optimistically, for a promise) so that no
 * other local dispatch picks the agent meanwhile, and MUST clear it when the
 * claim fails.
 */
export type AgentClaimer = (agent: AgentPresence, callId: string) => boolean | Promise<boolean>;

export class PresenceBoard {
  private readonly agents = new Map<string, AgentPresence>();
  private readonly listeners = new Set<PresenceListener>();
  /** Replaced by the cluster's shared claim; see AgentClaimer. */
  claimer: AgentClaimer = (agent, callId) => {
    if (agent.offeredCallId !== null) return false;
    this.setOffer(agent, callId);
    return true;
  };

  constructor(agents: readonly AgentConfig[], now: number = Date.now()) {
    for (const a of agents) {
      this.agents.set(a.username, {
        username: a.username,
        displayName: a.displayName,
        queues: [...a.queues],
        skills: [...(a.skills ?? [])],
        endpoint: a.endpoint ?? `sim/${a.username}`,
        state: 'away',
        awayReason: null,
        stateSinceMs: now,
        idleSinceMs: now,
        offeredCallId: null,
        callId: null,
        callIds: [],
        maxCalls: a.maxCalls ?? this.defaultMaxCalls,
        reachable: true,
      });
    }
  }

  /** `maxCalls` of agents that do not set their own (`routing.maxCallsPerAgent`). */
  defaultMaxCalls = 1;

  get(username: string): AgentPresence | undefined {
    return this.agents.get(username);
  }

  all(): IterableIterator<AgentPresence> {
    return this.agents.values();
  }

  /**
   * An agent added or changed at run time (admin console): a new one joins as
   * `away`; a known one gets the new name, queues and endpoint in place, keeping
   * its state and any call (the object is shared with the call center).
   */
  upsert(
    a: { username: string; displayName: string; queues: readonly string[]; skills?: readonly string[] | undefined; endpoint?: string | null | undefined; maxCalls?: number | null | undefined },
    now: number = Date.now(),
  ): AgentPresence {
    const endpoint = a.endpoint ?? `sim/${a.username}`;
    const skills = [...(a.skills ?? [])];
    const known = this.agents.get(a.username);
    // maxCalls: a number, null for the default, absent to keep what the agent has.
    const limit = a.maxCalls === null ? this.defaultMaxCalls : a.maxCalls;
    if (known) return Object.assign(known, { displayName: a.displayName, queues: [...a.queues], skills, endpoint, ...(limit !== undefined ? { maxCalls: limit } : {}) });
    const added: AgentPresence = {
      username: a.username, displayName: a.displayName, queues: [...a.queues], skills, endpoint,
      state: 'away', awayReason: null, stateSinceMs: now, idleSinceMs: now, offeredCallId: null, callId: null, callIds: [],
      maxCalls: limit ?? this.defaultMaxCalls, reachable: true,
    };
    this.agents.set(a.username, added);
    return added;
  }

  /** Takes a disabled agent off the board: no further offers; a call in progress ends as usual. */
  remove(username: string): boolean {
    return this.agents.delete(username);
  }

  /** Hears every change made through this board's methods (not `applyRemote`). */
  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(agent: AgentPresence, ...fields: PresenceField[]): void {
    for (const l of this.listeners) l(agent, fields);
  }

  /** Sets a state (and, for `away`, its reason); returns false when nothing changed. */
  set(agent: AgentPresence, state: AgentState, now: number = Date.now(), awayReason: string | null = null): boolean {
    const reason = state === 'away' ? awayReason : null;
    if (agent.state === state) {
      if (agent.awayReason === reason) return false;
      agent.awayReason = reason; // a new reason, same state: the time away keeps running
      this.changed(agent, 'state');
      return true;
    }
    agent.state = state;
    agent.awayReason = reason;
    // Connected calls exist only on a call: leaving it empties the list (a change of `call`).
    const hadCalls = state !== 'on-call' && agent.callIds.length > 0;
    if (hadCalls) agent.callIds = [];
    const hadLimit = agent.wrapUpEndsAtMs != null;
    agent.wrapUpEndsAtMs = null; // a limit belongs to the after-call work it was set for
    agent.stateSinceMs = now;
    if (state === 'available') agent.idleSinceMs = now;
    this.changed(agent, 'state', ...(hadLimit ? (['wrapUp'] as const) : []), ...(hadCalls ? (['call'] as const) : []));
    return true;
  }

  /** Takes the agent for `callId` (see AgentClaimer): true, false, or a promise of either. */
  claim(agent: AgentPresence, callId: string): boolean | Promise<boolean> {
    return this.claimer(agent, callId);
  }

  /** The call ringing the agent (one at a time), or null. */
  setOffer(agent: AgentPresence, callId: string | null): void {
    if (agent.offeredCallId === callId) return;
    agent.offeredCallId = callId;
    this.changed(agent, 'offer');
  }

  /** Clears the offer only if it is still `callId`. */
  releaseOffer(agent: AgentPresence, callId: string): void {
    if (agent.offeredCallId === callId) this.setOffer(agent, null);
    // A shared board releases what it holds even when its mirror shows something else by now.
    this.released?.(agent, callId);
  }

  /** Set by the cluster's shared presence: an offer this node made is over. */
  released: ((agent: AgentPresence, callId: string) => void) | null = null;

  /**
   * The call the agent is on or wrapping up, or null. With `connected`, the
   * calls the agent is connected to (call waiting); by default just `callId`
   * (none in after-call work). Leaving `on-call` empties the list (`set`).
   */
  setCall(agent: AgentPresence, callId: string | null, connected?: readonly string[], opts: { sole?: boolean } = {}): void {
    agent.soleCall = opts.sole === true;
    const ids = connected ? [...connected] : callId && agent.state !== 'after-call-work' ? [callId] : [];
    if (agent.callId === callId && sameList(agent.callIds, ids)) return;
    agent.callId = callId;
    agent.callIds = ids;
    this.changed(agent, 'call');
  }

  setReachable(agent: AgentPresence, reachable: boolean): void {
    if (agent.reachable === reachable) return;
    agent.reachable = reachable;
    this.changed(agent, 'reachable');
  }

  setWrapUpEnd(agent: AgentPresence, atMs: number | null): void {
    agent.wrapUpEndsAtMs = atMs;
    this.changed(agent, 'wrapUp');
  }

  /**
   * Takes fields another node wrote (the cluster's shared presence): no listener
   * hears it. Returns the agent, or undefined when it is not on this board.
   */
  applyRemote(
    username: string,
    fields: Partial<Pick<AgentPresence, 'state' | 'awayReason' | 'stateSinceMs' | 'idleSinceMs' | 'offeredCallId' | 'callId' | 'callIds' | 'callsElsewhere' | 'reachable' | 'wrapUpEndsAtMs'>>,
  ): AgentPresence | undefined {
    const agent = this.agents.get(username);
    if (agent) Object.assign(agent, fields);
    return agent;
  }

  /**
   * The agent to offer a call of `queue` to: one with room for it (`hasRoom`),
   * every skill in `skills`, not in `excluded` (agents who declined it). A free
   * agent first, the longest idle of them (ties: by name); only when none is
   * free, an agent on a call with room for another (call waiting), the one on
   * the fewest calls and then the longest idle. One pass, no sorting.
   */
  pick(queue: string, skills: readonly string[], excluded: ReadonlySet<string>, busyExcluded?: ReadonlySet<string>): AgentPresence | null {
    let best: AgentPresence | null = null;
    for (const a of this.agents.values()) {
      if (!hasRoom(a) || !a.queues.includes(queue) || excluded.has(a.username) || !hasSkills(a, skills)) continue;
      // Declined (or could not be rung) while on a call: not again until they are free.
      if (a.state === 'on-call' && busyExcluded?.has(a.username)) continue;
      if (!best || before(a, best)) best = a;
    }
    return best;
  }

  /** Every agent who could take a call of `queue` now, in `pick` order. */
  candidates(queue: string, skills: readonly string[], excluded: ReadonlySet<string>): AgentPresence[] {
    const out: AgentPresence[] = [];
    for (const a of this.agents.values()) {
      if (hasRoom(a) && a.queues.includes(queue) && !excluded.has(a.username) && hasSkills(a, skills)) out.push(a);
    }
    return out.sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
  }

  /** Whether any agent serves `queue` with these skills and has not declined (state aside). */
  hasUndeclinedAgent(queue: string, skills: readonly string[], excluded: ReadonlySet<string>): boolean {
    for (const a of this.agents.values()) if (a.queues.includes(queue) && !excluded.has(a.username) && hasSkills(a, skills)) return true;
    return false;
  }

  snapshot(agent: AgentPresence): AgentSnapshot {
    return {
      username: agent.username,
      displayName: agent.displayName,
      state: agent.state,
      ...(agent.state === 'away' && agent.awayReason ? { awayReason: agent.awayReason } : {}),
      stateSince: new Date(agent.stateSinceMs).toISOString(),
      queues: [...agent.queues],
      ...(agent.reachable ? {} : { phoneReachable: false }),
      ...(agent.state === 'after-call-work' && agent.wrapUpEndsAtMs ? { wrapUpEndsAt: new Date(agent.wrapUpEndsAtMs).toISOString() } : {}),
      ...(agent.maxCalls > 1 ? { maxCalls: agent.maxCalls } : {}),
      ...(agent.callIds.length > 1 ? { calls: agent.callIds.length } : {}),
    };
  }
}

/** Whether `a` comes before `b` in routing order: free before busy, fewer calls, longest idle, name. */
function before(a: AgentPresence, b: AgentPresence): boolean {
  const ca = a.state === 'available' ? 0 : a.callIds.length;
  const cb = b.state === 'available' ? 0 : b.callIds.length;
  if (ca !== cb) return ca < cb;
  return a.idleSinceMs < b.idleSinceMs || (a.idleSinceMs === b.idleSinceMs && a.username < b.username);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hasSkills(agent: AgentPresence, skills: readonly string[]): boolean {
  for (const s of skills) if (!agent.skills.includes(s)) return false;
  return true;
}
