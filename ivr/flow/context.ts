/** The flow machine's context, events and output. */
import type { IvrStep } from '../../connector/protocol.js';

export type AttributeValue = string | number | boolean | null;

export interface FlowContext {
  callId: string;
  language: string;
  /** Call attributes: `caller.match`, `account.tier`, `account.vip`, gathered values... */
  attributes: Record<string, AttributeValue>;
  /** Names of attributes that came from a sensitive gather: never shown in clear. */
  sensitive: string[];
  path: IvrStep[];
  /** The node the caller is in. */
  node: string;
  /** Failures (no input or invalid entry) in the current node. */
  failures: number;
  /** Digits entered in the current gather attempt. */
  digits: string;
  /** Keys pressed while nothing was collecting (during a play node); the next menu or gather takes them. */
  typeahead: string;
  result: FlowResult | null;
}

/** `REPLAYED` is internal: raised after the keys typed ahead are replayed to a node (see `replayThen`). */
export type FlowEvent = { type: 'DTMF'; digit: string } | { type: 'HANGUP' } | { type: 'REPLAYED' };

export type FlowResult =
  | { outcome: 'queue'; queue: string; priority: number }
  | { outcome: 'callback'; queue: string; number: string }
  | { outcome: 'voicemail'; queue: string; recording: string | null }
  | { outcome: 'transfer'; to: string }
  | { outcome: 'hangup' }
  | { outcome: 'caller-hangup' }
  | { outcome: 'failed'; error: unknown };

export type FlowOutput = FlowResult & {
  path: IvrStep[];
  /** Attributes as they may be shown: sensitive values masked. */
  attributes: Record<string, AttributeValue>;
  language: string;
};

export interface FlowInput {
  callId: string;
  /** Attributes known when the call arrives (the lookup outcome, the account tier...). */
  attributes?: Record<string, AttributeValue>;
}

export const MASK = '••••';

/** The name a call's voicemail is recorded under. */
export const voicemailName = (callId: string): string => `voicemail-${callId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** Attributes with sensitive values masked. */
export function shownAttributes(ctx: Pick<FlowContext, 'attributes' | 'sensitive'>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(ctx.attributes)) out[k] = ctx.sensitive.includes(k) ? MASK : v;
  return out;
}
