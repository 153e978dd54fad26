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
  readonly endpoint: string;
  state: AgentState;
  /** ms epoch of the last state change. */
  stateSinceMs: number;
  /** ms epoch the agent last became idle: the longest-idle agent is offered first. */
  idleSinceMs: number;
  /** The call currently ringing this agent, if any (one offer at a time). */
  offeredCallId: string | null;
  /** The call the agent is on, or wrapping up. */
  callId: string | null;
  /**
   * False while the agent's softphone is known to be unregistered (its widget said
   * so, or the widget that reported it went away): no calls are offered then.
   * True for desk phones, whose reachability the connector cannot see.
   */
  reachable: boolean;
  /** ms epoch at which after-call work ends by itself (`routing.wrapUpSeconds`); null or absent: no limit. */
  wrapUpEndsAtMs?: number | null;
}

export class PresenceBoard {
  private readonly agents = new Map<string, AgentPresence>();

  constructor(agents: readonly AgentConfig[], now: number = Date.now()) {
    for (const a of agents) {
      this.agents.set(a.username, {
        username: a.username,
        displayName: a.displayName,
        queues: [...a.queues],
        endpoint: a.endpoint ?? `sim/${a.username}`,
        state: 'away',
        stateSinceMs: now,
        idleSinceMs: now,
        offeredCallId: null,
        callId: null,
        reachable: true,
      });
    }
  }

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
  upsert(a: { username: string; displayName: string; queues: readonly string[]; endpoint?: string | null | undefined }, now: number = Date.now()): AgentPresence {
    const endpoint = a.endpoint ?? `sim/${a.username}`;
    const known = this.agents.get(a.username);
    if (known) return Object.assign(known, { displayName: a.displayName, queues: [...a.queues], endpoint });
    const added: AgentPresence = {
      username: a.username, displayName: a.displayName, queues: [...a.queues], endpoint,
      state: 'away', stateSinceMs: now, idleSinceMs: now, offeredCallId: null, callId: null, reachable: true,
    };
    this.agents.set(a.username, added);
    return added;
  }

  /** Takes a disabled agent off the board: no further offers; a call in progress ends as usual. */
  remove(username: string): boolean {
    return this.agents.delete(username);
  }

  /** Sets a state; returns false when it was already that state. */
  set(agent: AgentPresence, state: AgentState, now: number = Date.now()): boolean {
    if (agent.state === state) return false;
    agent.state = state;
    agent.wrapUpEndsAtMs = null; // a limit belongs to the after-call work it was set for
    agent.stateSinceMs = now;
    if (state === 'available') agent.idleSinceMs = now;
    return true;
  }

  /**
   * Available, reachable agents of `queue` with no offer ringing, longest idle
   * first, leaving out `excluded` (agents who declined this call).
   */
  candidates(queue: string, excluded: ReadonlySet<string>): AgentPresence[] {
    const out: AgentPresence[] = [];
    for (const a of this.agents.values()) {
      if (a.state === 'available' && a.reachable && a.offeredCallId === null && a.queues.includes(queue) && !excluded.has(a.username)) out.push(a);
    }
    return out.sort((x, y) => x.idleSinceMs - y.idleSinceMs || x.username.localeCompare(y.username));
  }

  /** Whether any agent serves `queue` and has not declined (state aside). */
  hasUndeclinedAgent(queue: string, excluded: ReadonlySet<string>): boolean {
    for (const a of this.agents.values()) if (a.queues.includes(queue) && !excluded.has(a.username)) return true;
    return false;
  }

  snapshot(agent: AgentPresence): AgentSnapshot {
    return {
      username: agent.username,
      displayName: agent.displayName,
      state: agent.state,
      stateSince: new Date(agent.stateSinceMs).toISOString(),
      queues: [...agent.queues],
      ...(agent.reachable ? {} : { phoneReachable: false }),
      ...(agent.state === 'after-call-work' && agent.wrapUpEndsAtMs ? { wrapUpEndsAt: new Date(agent.wrapUpEndsAtMs).toISOString() } : {}),
    };
  }
}
