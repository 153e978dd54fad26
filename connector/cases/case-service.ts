/**
 * Logging a case. The client sends what the agent typed; everything the call
 * already knows (ANI, DNIS, queue, IVR path, wait and talk time, account) is
 * taken from the call record, not from the client.
 */
import { secondsBetween, type CallRecord } from '../calls/call-record.js';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { CaseRepo, ContactRepo } from '../store/data-layer.js';
import type { CaseEvent, CaseFilter, CaseRecord, NewCase } from '../store/types.js';
import { requestHash } from '../store/request-hash.js';
import { createCaseBody, idempotencyKey, listCasesQuery, patchCaseBody } from './case-schema.js';
import { parseOrThrow } from '../http/validate.js';

/** A change by a case's creator this soon after creating it is part of logging it, not a response. */
export const SAME_MOMENT_MS = 10_000;

/** What the case service needs of the call center (`CallCenter`). */
export interface CaseCalls {
  /**
   * The call's record: live or recent on this node, else from the shared store (in
   * scale-out mode a case may be logged on one node for a call another node handled).
   * MUST resolve null, not reject, for an unknown call.
   */
  fetchCall(callId: string): Promise<CallRecord | null>;
  /** Ends the agent's after-call work for this call, if they are in it. */
  finishWrapUp(username: string, callId: string | null): boolean;
}

export interface CaseServiceDeps {
  cases: CaseRepo;
  contacts: Pick<ContactRepo, 'getContact'>;
  calls: CaseCalls;
}

export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /** Validates and stores a case; resolves whether it was new (201) or a replay (200). */
  async create(username: string, body: unknown, rawKey: string | undefined): Promise<{ created: boolean; record: CaseRecord }> {
    const key = rawKey === undefined ? null : parseOrThrow(z.object({ 'Idempotency-Key': idempotencyKey }), { 'Idempotency-Key': rawKey }, 'header')['Idempotency-Key'];
    const input = parseOrThrow(createCaseBody, body, 'case');
    const call = input.callId ? await this.deps.calls.fetchCall(input.callId) : null;
    if (input.callId && !call) {
      throw new AppError('UNKNOWN_CALL', `No call ${input.callId}.`, { fields: { callId: ['no such call'] } });
    }
    // A call is logged by the agent who took it; a call nobody took (missed, abandoned) by
    // anyone, once it has ended. A call still ringing someone else is not yours to log.
    if (call && (call.agent ? call.agent !== username : call.phase !== 'ended')) {
      throw new AppError('FORBIDDEN', 'That call is handled by another agent.', { fields: { callId: ['handled by another agent'] } });
    }
    let contactId = input.contactId ?? null;
    if (contactId === null && !input.newContact && call?.lookup?.outcome === 'one') contactId = call.lookup.contact.id;
    const contact = contactId === null ? null : await this.deps.contacts.getContact(contactId);
    if (contactId !== null && !contact) {
      throw new AppError('CONTACT_NOT_FOUND', `No contact ${contactId}.`, { fields: { contactId: ['no such contact'] } });
    }
    const newCase: NewCase = {
      subject: input.subject,
      type: input.type,
      priority: input.priority,
      status: input.status,
      origin: call ? 'phone' : (input.origin ?? 'phone'),
      description: input.description,
      disposition: input.disposition ?? null,
      contactId,
      newContact: input.newContact
        ? {
            firstName: input.newContact.firstName,
            lastName: input.newContact.lastName,
            email: input.newContact.email ?? null,
            phoneRaw: input.newContact.phone ?? call?.aniRaw ?? '',
            accountId: null,
          }
        : null,
      callId: call?.callId ?? null,
      ani: call?.aniRaw ?? null,
      aniE164: call?.aniE164 ?? null,
      dnis: call?.dnis ?? null,
      queue: call?.queue ?? null,
      ivrPath: call?.ivrPath ?? [],
      waitSeconds: call ? secondsBetween(call.arrivedAt, call.connectedAt ?? call.endedAt) : null,
      talkSeconds: call ? secondsBetween(call.connectedAt, call.endedAt) : null,
      agent: username,
    };
    // Keys are scoped to the agent: one agent's key can never return another's case. The
    // retry is recognized by what the agent sent, not by fields derived from the call.
    const result = await this.deps.cases.create(newCase, key === null ? null : `${username}:${key}`, requestHash({ username, input }));
    if (result.kind === 'key-reused') throw new AppError('IDEMPOTENCY_KEY_REUSED');
    if (call) this.deps.calls.finishWrapUp(username, call.callId);
    return { created: result.kind === 'created', record: result.record };
  }

  /**
   * An agent's change to a case. The first change that changes something is the
   * case's first response (the reports' response time), unless it is the case's
   * creator changing it within {@link SAME_MOMENT_MS} of creating it (part of
   * logging it). Cases the IVR opened (agent `ivr`) get theirs from the first agent
   * who touches them. A repeated patch changes nothing.
   */
  async update(username: string, number: string, body: unknown, now = new Date()): Promise<CaseRecord> {
    const patch = parseOrThrow(patchCaseBody, body, 'change');
    const current = await this.get(number);
    const sameMoment = current.agent === username && now.getTime() - Date.parse(current.createdAt) < SAME_MOMENT_MS;
    const result = await this.deps.cases.update(current.number, patch, sameMoment ? null : { at: now.toISOString(), by: username });
    if (!result) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    return result.record;
  }

  async list(query: unknown, username?: string): Promise<CaseRecord[]> {
    const q = parseOrThrow(listCasesQuery, query, 'query');
    if (q.assignee === 'me' && username) q.assignee = username;
    const filter: CaseFilter = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
    return this.deps.cases.list(filter);
  }

  /** The case's history, oldest first. */
  async events(number: string): Promise<CaseEvent[]> {
    return (await this.deps.cases.events((await this.get(number)).number)) ?? [];
  }

  async get(number: string): Promise<CaseRecord> {
    const record = /^\d{1,12}$/.test(number) ? await this.deps.cases.get(number) : null;
    if (!record) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    return record;
  }
}
