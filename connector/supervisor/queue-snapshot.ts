/**
 * Queues, agents and the waiting line now, for supervisors: the body of
 * `GET /api/queues` and what the `/supervisor` namespace pushes. Read from the
 * presence board and the dispatcher's waiting line (live), and from the store
 * for today's service level.
 *
 * Callers are personal data: the number is masked as in the logs and the name
 * cut to initials; nothing the IVR gathered (account numbers, PINs) is sent.
 */
import type { AgentPresence } from '../agents/presence.js';
import type { CallRecord } from '../calls/call-record.js';
import { maskPhone } from '../phone/mask.js';
import type { QueueSnapshot, QueueTile, SupervisedAgent, WaitingCallView } from '../protocol.js';
import type { CallStats, ServiceLevelCount } from './call-stats.js';

export interface QueueSnapshotDeps {
  queues: ReadonlyArray<{ id: string; name: string }>;
  /** `routing.serviceLevelSeconds`. */
  serviceLevelSeconds: number;
  /** `PresenceBoard.all`. */
  agents(): Iterable<AgentPresence>;
  /** `Dispatcher.waitingCalls`: the line, in the order calls will be offered. */
  waitingCalls(): ReadonlyArray<{ record: CallRecord }>;
  stats: CallStats;
}

export type ServiceLevels = Map<string | null, ServiceLevelCount>;

/** `J. S.` from `John Smith`; a caller-ID name that is a number is masked as one. */
export function maskCallerName(name: string | null): string | null {
  const s = name?.trim();
  if (!s) return null;
  if (/\d/.test(s)) return maskPhone(s);
  return s
    .split(/\s+/)
    .map((w) => `${[...w][0]?.toUpperCase() ?? ''}.`)
    .join(' ');
}

/** A presence entry as a supervisor sees it; `awayReason` when the board has one. */
function agentView(a: AgentPresence): SupervisedAgent {
  const reason = (a as AgentPresence & { awayReason?: unknown }).awayReason;
  return {
    username: a.username,
    displayName: a.displayName,
    state: a.state,
    since: new Date(a.stateSinceMs).toISOString(),
    queues: [...a.queues],
    callId: a.callId,
    ...(a.callIds.length > 1 ? { callIds: [...a.callIds] } : {}),
    offeredCallId: a.offeredCallId,
    phoneReachable: a.reachable,
    ...(typeof reason === 'string' || reason === null ? { awayReason: reason } : {}),
  };
}

function waitingView(r: CallRecord, now: number): WaitingCallView {
  const queuedAt = r.queuedAt ?? r.arrivedAt;
  return {
    callId: r.callId,
    queue: r.queue,
    priority: r.priority,
    queuedAt,
    waitedSeconds: Math.max(0, Math.round((now - Date.parse(queuedAt)) / 1000)),
    callerNumber: maskPhone(r.aniE164 ?? r.aniRaw),
    callerName: maskCallerName(r.callerName),
  };
}

export class QueueSnapshots {
  constructor(private readonly d: QueueSnapshotDeps) {}

  /** Today's (UTC) service level per queue, from the store. */
  serviceLevels(now: number = Date.now()): Promise<ServiceLevels> {
    return this.d.stats.serviceLevels(new Date(now).toISOString().slice(0, 10), this.d.serviceLevelSeconds);
  }

  /** The picture now, with the service level read from the store. */
  async read(): Promise<QueueSnapshot> {
    const levels = await this.serviceLevels();
    return this.snapshot(Date.now(), levels);
  }

  /**
   * The picture at `now` with `levels` from a recent `serviceLevels()`, so a
   * caller that takes a snapshot every second need not query the store as often.
   */
  snapshot(now: number, levels: ServiceLevels): QueueSnapshot {
    const waiting = this.d.waitingCalls().map((c) => waitingView(c.record, now));
    const agents = [...this.d.agents()].map(agentView).sort((x, y) => x.displayName.localeCompare(y.displayName) || x.username.localeCompare(y.username));
    const queues = this.d.queues.map((q): QueueTile => {
      const line = waiting.filter((c) => c.queue === q.id);
      const mine = agents.filter((a) => a.queues.includes(q.id));
      const count = (state: SupervisedAgent['state']) => mine.filter((a) => a.state === state).length;
      const s = levels.get(q.id);
      return {
        id: q.id,
        name: q.name,
        waiting: line.length,
        longestWaitSeconds: line.reduce((max, c) => Math.max(max, c.waitedSeconds), 0),
        agents: { available: count('available'), onCall: count('on-call'), afterCallWork: count('after-call-work'), away: count('away') },
        serviceLevel: s
          ? { answered: s.answered, withinThreshold: s.withinThreshold, percent: Math.round((100 * s.withinThreshold) / s.answered) }
          : { answered: 0, withinThreshold: 0, percent: null },
      };
    });
    return { at: new Date(now).toISOString(), serviceLevelSeconds: this.d.serviceLevelSeconds, queues, agents, waitingCalls: waiting };
  }
}
