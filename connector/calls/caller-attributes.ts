/**
 * The call attributes a flow starts with, from the call and the lookup:
 * `ani`, `dnis`, `caller.match` (none / one / many), `caller.known`,
 * `account.number`, `account.tier`, `account.vip` (a priority-tier account).
 */
import type { AttributeValue } from '../../ivr/flow/context.js';
import type { CallRecord } from './call-record.js';

export function callerAttributes(call: Pick<CallRecord, 'aniRaw' | 'aniE164' | 'dnis' | 'lookup'>): Record<string, AttributeValue> {
  const lookup = call.lookup;
  const account = lookup?.outcome === 'one' ? lookup.account : lookup?.outcome === 'many' ? (lookup.matches.length > 0 && lookup.matches.every((m) => m.account?.id === lookup.matches[0]?.account?.id) ? (lookup.matches[0]?.account ?? null) : null) : null;
  return {
    ani: call.aniE164 ?? call.aniRaw,
    dnis: call.dnis,
    'caller.match': lookup?.outcome ?? 'none',
    'caller.known': lookup?.outcome === 'one' || lookup?.outcome === 'many',
    'account.number': account?.accountNumber ?? null,
    'account.tier': account?.tier ?? null,
    'account.vip': account?.tier === 'priority',
  };
}
