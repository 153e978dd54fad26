/**
 * The routing part of the configuration: queues (priority, required skills,
 * opening hours, maximum wait and overflow, escalation target) and the rules
 * that pick a call's queue from the IVR's choice and the caller. See
 * docs/routing.md.
 */
import { z } from 'zod';
import { openingHours } from '../../ivr/flow/schema.js';

export const idPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const id = z.string({ error: 'expected a string' }).regex(idPattern, { error: 'expected an id: lowercase letters, digits, - and _ (at most 64)' });

export const caseTypeSchema = z.enum(['technical_support', 'billing_question', 'feature_request', 'customer_info_change']);

/** What happens to a call that waited `maxWaitSeconds`, or that arrives while its queue is closed. */
export const overflowSchema = z.union(
  [
    /** Moves to another queue; the call keeps its place in time (its first queue time). */
    z.strictObject({ queue: id }),
    /**
     * Offers the caller a callback: the flow (default `callback-offer`) runs; its
     * callback node opens a callback case and ends the call; its queue node puts the
     * caller back in line at their place, whatever queue it names.
     */
    z.strictObject({ callbackOffer: z.strictObject({ flow: id.default('callback-offer') }).prefault({}) }),
  ],
  { error: 'expected { queue: <id> } or { callbackOffer: { flow?: <flow> } }' },
);
export type OverflowAction = z.output<typeof overflowSchema>;

export const queueSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** The case type a call from this queue is logged as by default. */
  caseType: caseTypeSchema.default('technical_support'),
  /** Added to the priority the IVR gave the call: higher is served first, across queues an agent serves. */
  priority: z.number().int().min(-100).max(100).default(0),
  /** Skills an agent MUST have (all of them) to be offered this queue's calls. */
  skills: z.array(id).max(20).default([]),
  /** Opening hours; a call arriving while closed goes to `overflow` at once (or waits, without one). */
  hours: openingHours.optional(),
  /** After this long in the queue the call goes to `overflow`. */
  maxWaitSeconds: z.number().int().min(5, { error: 'expected at least 5 seconds' }).max(86_400).optional(),
  overflow: overflowSchema.optional(),
  /** Where a case of this queue goes when an agent escalates it (tier 1 -> tier 2). */
  escalateTo: id.optional(),
});
export type QueueConfig = z.output<typeof queueSchema>;

const countryCode = z.string().regex(/^[A-Z]{2}$/, { error: 'expected a two-letter region code such as US or GB' });
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.output<T>>);

/** Every condition given MUST hold (and); a list means any of its values (or). */
const ruleCondition = z
  .strictObject({
    /** The queue the IVR chose. */
    queue: oneOrMany(id).optional(),
    /** The region of the caller's number (from its E.164 form), e.g. US, GB. */
    country: oneOrMany(countryCode).optional(),
    /** The language the caller chose in the IVR. */
    language: oneOrMany(z.string().min(2).max(16)).optional(),
    /** A call attribute (`account.vip`, `caller.match`, an entered value ...) equal to a value. */
    attribute: z.string().min(1).optional(),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  })
  .refine((c) => (c.attribute === undefined) === (c.equals === undefined), { error: 'expected attribute and equals together' })
  .refine((c) => Object.keys(c).length > 0, { error: 'expected at least one condition' });

export const routingRuleSchema = z.strictObject({
  /** A name shown in logs and on the call (why it went where it went). */
  name: z.string().min(1).max(80),
  when: ruleCondition,
  /** The queue the call goes to instead (default: the one it had). */
  queue: id.optional(),
  /** Added to the call's priority. */
  priority: z.number().int().min(-100).max(100).optional(),
  /** Skills required on top of the queue's. */
  skills: z.array(id).max(20).optional(),
});
export type RoutingRule = z.output<typeof routingRuleSchema>;

/** Why an agent can be away; the first ones are also set by the connector itself. */
export const DEFAULT_AWAY_REASONS = ['missed-call', 'phone-unreachable', 'break', 'lunch', 'meeting', 'training'] as const;
