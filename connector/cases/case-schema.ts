/** The `POST /api/cases` and `PATCH /api/cases/:number` bodies and the `GET /api/cases` query, as zod schemas. */
import { z } from 'zod';

export const CASE_TYPES = ['technical_support', 'billing_question', 'feature_request', 'customer_info_change'] as const;
export const CASE_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const CASE_STATUSES = ['new', 'open', 'pending', 'closed'] as const;
export const DISPOSITIONS = ['resolved', 'follow-up', 'escalated', 'callback-requested', 'wrong-number', 'no-action'] as const;

const oneOf = (values: readonly string[]) => `expected one of: ${values.join(', ')}`;

export const newContactSchema = z.strictObject({
  firstName: z.string().trim().min(1, { error: 'required' }).max(100),
  lastName: z.string().trim().min(1, { error: 'required' }).max(100),
  email: z.email({ error: 'expected an e-mail address' }).max(200).optional(),
  /** Defaults to the caller's number when the case is logged from a call. */
  phone: z.string().trim().min(1).max(40).optional(),
});

export const createCaseBody = z
  .strictObject({
    callId: z.string().min(1).max(200).optional(),
    subject: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(200, { error: 'at most 200 characters' }),
    type: z.enum(CASE_TYPES, { error: oneOf(CASE_TYPES) }),
    priority: z.enum(CASE_PRIORITIES, { error: oneOf(CASE_PRIORITIES) }).default('medium'),
    status: z.enum(CASE_STATUSES, { error: oneOf(CASE_STATUSES) }).default('new'),
    origin: z.enum(['phone', 'web', 'email'], { error: oneOf(['phone', 'web', 'email']) }).optional(),
    description: z.string().max(20_000, { error: 'at most 20000 characters' }).default(''),
    disposition: z.enum(DISPOSITIONS, { error: oneOf(DISPOSITIONS) }).optional(),
    contactId: z.number({ error: 'expected a contact id' }).int().positive().optional(),
    newContact: newContactSchema.optional(),
  })
  .refine((b) => !(b.contactId !== undefined && b.newContact !== undefined), {
    path: ['newContact'],
    error: 'give either contactId or newContact, not both',
  });

/** An agent's change to a case: at least one field; every field checked, nothing written on a bad one. */
export const patchCaseBody = z
  .strictObject({
    subject: z.string({ error: 'expected a string' }).trim().min(1, { error: 'required' }).max(200, { error: 'at most 200 characters' }).optional(),
    description: z.string({ error: 'expected a string' }).max(20_000, { error: 'at most 20000 characters' }).optional(),
    status: z.enum(CASE_STATUSES, { error: oneOf(CASE_STATUSES) }).optional(),
    priority: z.enum(CASE_PRIORITIES, { error: oneOf(CASE_PRIORITIES) }).optional(),
    disposition: z.enum(DISPOSITIONS, { error: oneOf(DISPOSITIONS) }).nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { error: 'expected at least one field to change' });

export type CreateCaseBody = z.output<typeof createCaseBody>;
/** What a client sends (defaults not yet applied); the widget imports this type. */
export type CreateCaseRequest = z.input<typeof createCaseBody>;

export const listCasesQuery = z.strictObject({
  contactId: z.coerce.number({ error: 'expected a contact id' }).int().positive().optional(),
  phone: z.string().min(1).max(40).optional(),
  type: z.enum(CASE_TYPES, { error: oneOf(CASE_TYPES) }).optional(),
  status: z.enum(CASE_STATUSES, { error: oneOf(CASE_STATUSES) }).optional(),
  agent: z.string().min(1).max(64).optional(),
  /** The agent now responsible (`me`: the caller). */
  assignee: z.string().min(1).max(64).optional(),
  queue: z.string().min(1).max(64).optional(),
  /** Only cases nobody has taken yet (escalated, waiting in their queue). */
  unassigned: z.enum(['true', 'false'], { error: 'expected true or false' }).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(500, { error: 'at most 500' }).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

/** `Idempotency-Key`: printable ASCII, 1-200 characters (a UUID is typical). */
export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, { error: 'expected 1-200 printable ASCII characters' });
