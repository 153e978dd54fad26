/**
 * Logging a case. The client sends what the agent typed; everything the call
 * already knows (ANI, DNIS, queue, IVR path, wait and talk time, account) is
 * taken from the call record, not from the client.
 */
import type { CallCenter } from '../calls/call-center.js';
import { secondsBetween } from '../calls/call-record.js';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { CaseEvent, CaseFilter, CaseRecord, CaseStore, ContactStore, NewCase } from '../store/types.js';
import { requestHash } from '../store/request-hash.js';
import { createCaseBody, idempotencyKey, listCasesQuery, patchCaseBody } from './case-schema.js';
import { parseOrThrow } from '../http/validate.js';

/** A change by a case's creator this soon after creating it is part of logging it, not a response. */
export const SAME_MOMENT_MS = 10_000;

export class CaseService {
  constructor(
    private readonly deps: { cases: CaseStore; contacts: ContactStore; calls: CallCenter },
  ) {}

  /** Validates and stores a case; returns whether it was new (201) or a replay (200). */
  create(username: string, body: unknown, rawKey: string | undefined): { created: boolean; record: CaseRecord } {
    const key = rawKey === undefined ? null : parseOrThrow(z.object({ 'Idempotency-Key': idempotencyKey }), { 'Idempotency-Key': rawKey }, 'header')['Idempotency-Key'];
    const input = parseOrThrow(createCaseBody, body, 'case');
    const call = input.callId ? this.deps.calls.getCall(input.callId) : null;
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
    const contact = contactId === null ? null : this.deps.contacts.getContact(contactId);
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
    const result = this.deps.cases.create(newCase, key === null ? null : `${username}:${key}`, requestHash({ username, input }));
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
  update(username: string, number: string, body: unknown, now = new Date()): CaseRecord {
    const patch = parseOrThrow(patchCaseBody, body, 'change');
    const current = this.get(number);
    const sameMoment = current.agent === username && now.getTime() - Date.parse(current.createdAt) < SAME_MOMENT_MS;
    const result = this.deps.cases.update(current.number, patch, sameMoment ? null : { at: now.toISOString(), by: username });
    if (!result) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    return result.record;
  }

  list(query: unknown, username?: string): CaseRecord[] {
    const q = parseOrThrow(listCasesQuery, query, 'query');
    if (q.assignee === 'me' && username) q.assignee = username;
    const filter: CaseFilter = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
    return this.deps.cases.list(filter);
  }

  /** The case's history, oldest first. */
  events(number: string): CaseEvent[] {
    return this.deps.cases.events(this.get(number).number) ?? [];
  }

  get(number: string): CaseRecord {
    const record = /^\d{1,12}$/.test(number) ? this.deps.cases.get(number) : null;
    if (!record) throw new AppError('CASE_NOT_FOUND', `No case ${number}.`);
    return record;
  }
}
