/**
 * Tier escalation: an agent escalates a case (tier 1 -> tier 2, or any queue's
 * `escalateTo`); the case moves to that queue, unassigned, with an `escalated`
 * event, and is routed with its history: the longest-idle available agent of
 * the queue who has its skills is given it at once (`case.assigned` on their
 * widget); with nobody available it waits in the queue and goes to the first
 * agent of that queue who becomes available. See docs/routing.md.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PresenceBoard } from '../agents/presence.js';
import type { QueueConfig } from '../config/schema.js';
import { AppError } from '../errors.js';
import { parseOrThrow } from '../http/validate.js';
import type { CaseAssignment } from '../protocol.js';
import type { CaseRepo } from '../store/data-layer.js';
import type { CaseRecord } from '../store/types.js';

export const escalateBody = z.strictObject({
  /** Why, for the next tier: shown with the case. */
  note: z.string().trim().max(2000, { error: 'at most 2000 characters' }).optional(),
  /** Another queue than the case queue's `escalateTo`. */
  toQueue: z.string().min(1).max(64).optional(),
});

export interface EscalationDeps {
  cases: CaseRepo;
  queues: readonly QueueConfig[];
  presence: PresenceBoard;
  /** Tells an agent a case is theirs now (the `/agent` namespace). MUST NOT throw. */
  assigned: (username: string, assignment: CaseAssignment) => void;
  log: Logger;
}

export class CaseEscalation {
  private readonly queues: Map<string, QueueConfig>;

  constructor(private readonly d: EscalationDeps) {
    this.queues = new Map(d.queues.map((q) => [q.id, q]));
    // An agent who becomes available takes the oldest escalated case waiting in their queues.
    // assignWaitingTo never rejects (it logs): nothing is left unhandled.
    d.presence.onChange((agent, fields) => {
      if (fields.includes('state') && agent.state === 'available') void this.assignWaitingTo(agent.username);
    });
  }

  /** Escalates a case for `username`; resolves the case as it is after routing. */
  async escalate(username: string, number: string, body: unknown, now = new Date()): Promise<CaseRecord> {
    const { note, toQueue } = parseOrThrow(escalateBody, body ?? {}, 'escalation');
    const current = /^\d{1,12}$/.test(number) ? await this.d.cases.get(number) : null;
    if (!current) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    const target = toQueue ?? this.queues.get(current.queue ?? '')?.escalateTo;
    if (!target) {
      throw new AppError('VALIDATION_FAILED', `The case's queue (${current.queue ?? 'none'}) has no escalation queue; give toQueue.`, { fields: { toQueue: ['required: the case queue has no escalateTo'] } });
    }
    if (!this.queues.has(target)) throw new AppError('VALIDATION_FAILED', `Unknown queue "${target}".`, { fields: { toQueue: [`unknown queue "${target}"`] } });
    if (target === current.queue) throw new AppError('VALIDATION_FAILED', `The case is in ${target} already.`, { fields: { toQueue: ['the case is in that queue already'] } });
    const r = await this.d.cases.escalate(current.number, { toQueue: target, by: username, note: note || null, at: now.toISOString() });
    if (!r) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    if (r.kind === 'closed') throw new AppError('CASE_CLOSED', `Case ${number} is closed; reopen it to escalate it.`);
    this.d.log.info({ case: r.record.number, from: current.queue, to: target, by: username }, 'case escalated');
    return (await this.route(r.record)) ?? r.record;
  }

  /** Gives an unassigned case to the longest-idle available agent of its queue; null: nobody now. */
  private async route(record: CaseRecord): Promise<CaseRecord | null> {
    const queue = this.queues.get(record.queue ?? '');
    if (!queue) return null;
    // Free agents only: call waiting lets an agent on a call take another call, not a case.
    const agent = this.d.presence.candidates(queue.id, queue.skills, new Set()).find((a) => a.state === 'available');
    return agent ? this.give(record.number, agent.username) : null;
  }

  /** Null: someone took the case first (assign is atomic: one of two concurrent gives wins). */
  private async give(number: string, username: string): Promise<CaseRecord | null> {
    const r = await this.d.cases.assign(number, { assignee: username, by: 'routing', at: new Date().toISOString() });
    if (r?.kind !== 'assigned') return null;
    const events = (await this.d.cases.events(number)) ?? [];
    const escalated = [...events].reverse().find((e) => e.kind === 'escalated');
    this.d.log.info({ case: number, agent: username }, 'escalated case assigned');
    this.d.assigned(username, { case: r.record, events, escalatedBy: escalated?.by ?? null, note: escalated?.note ?? null });
    return r.record;
  }

  /** MUST NOT reject: it runs from a presence listener. */
  private async assignWaitingTo(username: string): Promise<void> {
    const agent = this.d.presence.get(username);
    if (!agent) return;
    try {
      for (const q of agent.queues) {
        const queue = this.queues.get(q);
        if (!queue || !queue.skills.every((s) => agent.skills.includes(s))) continue;
        // Every page (newest first, 500 a page), so the oldest are never cut off.
        const waiting: Awaited<ReturnType<typeof this.d.cases.list>> = [];
        for (let offset = 0; ; offset += 500) {
          const page = await this.d.cases.list({ queue: q, unassigned: true, limit: 500, offset });
          waiting.push(...page.filter((c) => c.status !== 'closed'));
          if (page.length < 500) break;
        }
        // Oldest first (the list is newest first). Another node, or another agent becoming
        // available at the same moment, may take a case between the list and the assign:
        // then the next one.
        for (const c of waiting.reverse()) {
          // The agent may have become busy while we read the store.
          if (this.d.presence.get(username)?.state !== 'available') return;
          if (await this.give(c.number, username)) return;
        }
      }
    } catch (err) {
      this.d.log.error({ err, agent: username }, 'assigning waiting escalated cases failed');
    }
  }
}
