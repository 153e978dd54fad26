/** Human labels for the protocol's codes. One place, so every view says the same thing. */
import type { AgentState, CallEndReason, CasePriority, CaseStatus, CaseType, IvrStep } from '../../connector/protocol.js';
import type { Disposition } from '../../connector/store/types.js';

export const CASE_TYPES: Record<CaseType, string> = {
  technical_support: 'Technical support',
  billing_question: 'Billing question',
  feature_request: 'Feature request',
  customer_info_change: 'Customer info change',
};

export const PRIORITIES: Record<CasePriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export const STATUSES: Record<CaseStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  closed: 'Closed',
};

export const DISPOSITIONS: Record<Disposition, string> = {
  resolved: 'Resolved',
  'follow-up': 'Follow-up needed',
  escalated: 'Escalated',
  'callback-requested': 'Callback requested',
  'wrong-number': 'Wrong number',
  'no-action': 'No action',
};

export const AGENT_STATES: Record<AgentState, string> = {
  available: 'Available',
  away: 'Away',
  'on-call': 'On call',
  'after-call-work': 'After-call work',
};

export const END_REASONS: Record<CallEndReason, string> = {
  'caller-hangup': 'the caller hung up',
  'agent-hangup': 'you hung up',
  'system-hangup': 'the system ended the call',
  failed: 'the call failed',
};

/** `support` -> `Support`, `vip-billing` -> `Vip billing`. */
export function queueLabel(queue: string): string {
  const words = queue.replace(/[-_]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'No queue';
}

/** What happened at one IVR step, in a few words. */
export function ivrStepLabel(step: IvrStep): string {
  switch (step.event) {
    case 'entered':
      return 'entered';
    case 'key':
      return 'pressed';
    case 'no-input':
      return 'no input';
    case 'invalid':
      return 'invalid key';
    case 'routed':
      return `to ${queueLabel(step.queue ?? '')}`;
    case 'hangup':
      return 'hung up';
    case 'gathered':
      return `entered ${step.attribute ?? 'digits'} ${step.value ?? ''}`.trim();
    case 'branched':
      return `went on to ${step.value ?? ''}`.trim();
    case 'language':
      return `chose ${step.value ?? 'a language'}`;
    case 'callback':
      return 'asked for a callback';
    case 'voicemail':
      return 'left a voicemail';
    case 'transferred':
      return `transferred to ${step.to ?? 'an outside number'}`;
  }
}

/** Local clock time `14:03:27`. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Short local date-time for lists: `14:03` today, `12 Mar 14:03` otherwise. */
export function shortDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}
