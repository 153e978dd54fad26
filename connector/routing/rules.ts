/**
 * Routing rules: where a call the IVR queued actually goes. The rules are
 * evaluated in order; the first whose conditions all hold decides the queue,
 * adds priority and required skills. The queue's own priority and skills are
 * added after. Pure: the same call and config always give the same route.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { AttributeValue } from '../../ivr/flow/context.js';
import type { QueueConfig, RoutingRule } from '../config/routing-schema.js';

/** What a rule can look at. */
export interface RoutableCall {
  /** The queue the IVR chose (or the fallback queue). */
  queue: string;
  /** The priority the IVR gave. */
  priority: number;
  aniE164: string | null;
  language: string | null;
  attributes: Readonly<Record<string, AttributeValue>>;
}

export interface Route {
  queue: string;
  priority: number;
  /** Skills the agent MUST have: the rule's and the queue's. */
  skills: string[];
  /** The rule's own (they stay required when the call overflows to another queue). */
  ruleSkills: string[];
  /** The rule that applied, if any (shown on the call, logged). */
  rule: string | null;
}

/** The region of an E.164 number (US, GB ...), or null (withheld, unknown). */
export function countryOf(e164: string | null): string | null {
  if (!e164) return null;
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

export function matches(rule: RoutingRule, call: RoutableCall, country: string | null): boolean {
  const w = rule.when;
  if (w.queue && !w.queue.includes(call.queue)) return false;
  if (w.country && (country === null || !w.country.includes(country))) return false;
  if (w.language && (call.language === null || !w.language.includes(call.language))) return false;
  if (w.attribute !== undefined && (call.attributes[w.attribute] ?? null) !== w.equals) return false;
  return true;
}

export function route(call: RoutableCall, rules: readonly RoutingRule[], queues: (id: string) => QueueConfig | undefined): Route {
  const country = rules.some((r) => r.when.country) ? countryOf(call.aniE164) : null;
  const rule = rules.find((r) => matches(r, call, country)) ?? null;
  const queue = rule?.queue ?? call.queue;
  const q = queues(queue);
  const skills = [...new Set([...(rule?.skills ?? []), ...(q?.skills ?? [])])];
  return { queue, priority: call.priority + (rule?.priority ?? 0) + (q?.priority ?? 0), skills, ruleSkills: [...(rule?.skills ?? [])], rule: rule?.name ?? null };
}
