/**
 * Human labels for the protocol's codes, in English and Japanese. One place, so
 * every view says the same thing. Each record reads the current language on
 * every access (its values are getters), so views use them as plain records.
 */
import type { AgentState, CallEndReason, CasePriority, CaseStatus, CaseType, IvrStep, OfferWithdrawnReason } from '../../connector/protocol.js';
import type { Disposition } from '../../connector/store/types.js';
import { lang } from './i18n/index.js';

function localized<K extends string>(en: Record<K, string>, ja: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(en) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => (lang() === 'ja' ? ja[k] : en[k]) });
  return out;
}

export const CASE_TYPES = localized<CaseType>(
  { technical_support: 'Technical support', billing_question: 'Billing question', feature_request: 'Feature request', customer_info_change: 'Customer info change' },
  { technical_support: '技術サポート', billing_question: '請求に関する質問', feature_request: '機能の要望', customer_info_change: 'お客様情報の変更' },
);

export const PRIORITIES = localized<CasePriority>({ low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' }, { low: '低', medium: '中', high: '高', urgent: '緊急' });

export const STATUSES = localized<CaseStatus>({ new: 'New', open: 'Open', pending: 'Pending', closed: 'Closed' }, { new: '新規', open: '対応中', pending: '保留', closed: '完了' });

export const DISPOSITIONS = localized<Disposition>(
  { resolved: 'Resolved', 'follow-up': 'Follow-up needed', escalated: 'Escalated', 'callback-requested': 'Callback requested', 'wrong-number': 'Wrong number', 'no-action': 'No action' },
  { resolved: '解決', 'follow-up': '要フォローアップ', escalated: 'エスカレーション', 'callback-requested': '折り返し希望', 'wrong-number': '番号違い', 'no-action': '対応なし' },
);

export const AGENT_STATES = localized<AgentState>(
  { available: 'Available', away: 'Away', 'on-call': 'On call', 'after-call-work': 'After-call work' },
  { available: '受付可', away: '離席', 'on-call': '通話中', 'after-call-work': '後処理' },
);

export const END_REASONS = localized<CallEndReason>(
  { 'caller-hangup': 'the caller hung up', 'agent-hangup': 'you hung up', 'system-hangup': 'the system ended the call', failed: 'the call failed' },
  { 'caller-hangup': '発信者が切断', 'agent-hangup': 'あなたが終話', 'system-hangup': 'システムが終了', failed: '通話に失敗' },
);

/** How a call that stopped ringing here went on: "The call from X ..." */
export const WITHDRAWN = localized<OfferWithdrawnReason>(
  { 'ring-timeout': 'was not answered in time and moved on', declined: 'was declined', 'caller-hangup': 'ended: the caller hung up', 'agent-unavailable': 'moved on' },
  { 'ring-timeout': 'は時間内に応答がなく次に回されました', declined: 'は拒否されました', 'caller-hangup': 'は発信者が切断しました', 'agent-unavailable': 'は次に回されました' },
);

const KNOWN_AWAY_REASONS = localized(
  { 'missed-call': 'Missed a call', 'phone-unreachable': 'Phone unreachable', break: 'Break', lunch: 'Lunch', meeting: 'Meeting', training: 'Training', coaching: 'Coaching' },
  { 'missed-call': '不在着信', 'phone-unreachable': '電話に接続できません', break: '休憩', lunch: '昼休み', meeting: '会議', training: '研修', coaching: 'コーチング' },
);

/** An away reason's label: a known one in the current language, else the id in words. */
export function awayReasonLabel(reason: string): string {
  return (KNOWN_AWAY_REASONS as Record<string, string>)[reason] ?? queueLabel(reason);
}

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
