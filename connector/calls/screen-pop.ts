/** Building the screen-pop from what the connector already knows: no lookup on the pop path. */
import type { CaseType, ScreenPop } from '../protocol.js';
import type { CallRecord } from './call-record.js';

export function buildScreenPop(
  call: CallRecord,
  opts: { offeredAtMs: number; expiresAtMs: number; caseType: CaseType },
): ScreenPop {
  const arrivedMs = Date.parse(call.arrivedAt);
  return {
    callId: call.callId,
    aniRaw: call.aniRaw,
    aniE164: call.aniE164,
    dnis: call.dnis,
    callerName: call.callerName,
    ...(call.attestation ? { attestation: call.attestation } : {}),
    lookup: call.lookup ?? { outcome: 'none', reason: 'not-found' },
    ivrPath: call.ivrPath,
    ivrAttributes: call.ivrAttributes,
    language: call.language,
    queue: call.queue ?? '',
    suggestedCaseType: opts.caseType,
    arrivedAt: call.arrivedAt,
    offeredAt: new Date(opts.offeredAtMs).toISOString(),
    waitedSeconds: Math.max(0, Math.round((opts.offeredAtMs - arrivedMs) / 1000)),
    offerExpiresAt: new Date(opts.expiresAtMs).toISOString(),
  };
}
