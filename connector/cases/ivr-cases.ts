/**
 * The case a callback request or a voicemail leaves behind: opened by the IVR
 * (agent `ivr`), with the number to call back, so that nobody who asked for a
 * callback is forgotten.
 */
import type { Logger } from 'pino';
import type { FlowOutput } from '../../ivr/flow/context.js';
import { secondsBetween, type CallRecord } from '../calls/call-record.js';
import type { QueueConfig } from '../config/schema.js';
import type { CaseRepo } from '../store/data-layer.js';

/**
 * The call center's `openIvrCase`. It MUST NOT throw, and the case is written in the
 * background: a failure (the store down) is logged with the call id, never thrown or
 * left as an unhandled rejection.
 */
export function ivrCaseOpener(deps: { cases: Pick<CaseRepo, 'create'>; queues: readonly QueueConfig[]; log: Logger }) {
  const caseType = new Map(deps.queues.map((q) => [q.id, q.caseType]));
  return (call: CallRecord, request: Extract<FlowOutput, { outcome: 'callback' | 'voicemail' }>): void => {
    const contactId = call.lookup?.outcome === 'one' ? call.lookup.contact.id : null;
    const number = request.outcome === 'callback' ? request.number : (call.aniE164 ?? call.aniRaw);
    const lines =
      request.outcome === 'callback'
        ? [`The caller asked to be called back at ${number}.`]
        : [`The caller left a voicemail.`, `Recording: ${request.recording ?? '(the PBX kept no recording)'}`, `Call back at ${number}.`];
    const failed = (err: unknown): void => deps.log.error({ err, callId: call.callId, outcome: request.outcome }, 'opening the callback case failed');
    try {
      // Keyed by call: a repeated request for the same call never opens a second case.
      const saving = deps.cases.create(
        {
          subject: request.outcome === 'callback' ? `Callback request from ${number}` : `Voicemail from ${number}`,
          type: caseType.get(request.queue) ?? 'technical_support',
          priority: 'medium',
          status: 'new',
          origin: 'phone',
          description: lines.join('\n'),
          disposition: 'callback-requested',
          contactId,
          newContact: null,
          callId: call.callId,
          ani: call.aniRaw,
          aniE164: call.aniE164,
          dnis: call.dnis,
          queue: request.queue,
          ivrPath: request.path,
          waitSeconds: secondsBetween(call.arrivedAt, new Date().toISOString()),
          talkSeconds: null,
          agent: 'ivr',
        },
        `ivr:${call.callId}`,
      );
      void saving.catch(failed);
    } catch (err) {
      failed(err); // a repository that throws instead of rejecting
    }
  };
}
