/**
 * The row shapes of `cases`, `contacts` and `accounts` as both stores read them, and
 * their records: one mapping for SQLite and PostgreSQL. The only difference between
 * the two is `ivr_path`, text in SQLite and parsed `jsonb` in PostgreSQL.
 */
import type { AccountSummary, CaseSummary, ContactSummary, IvrStep } from '../protocol.js';
import { formatNumber } from './case-rules.js';
import type { CaseRecord } from './types.js';

/** A `cases` row; `P` is how the store gives `ivr_path` (JSON text, or parsed). */
export interface CaseRowOf<P> {
  number: number;
  subject: string;
  type: CaseRecord['type'];
  priority: CaseRecord['priority'];
  status: CaseRecord['status'];
  origin: CaseRecord['origin'];
  description: string;
  disposition: CaseRecord['disposition'];
  contact_id: number | null;
  account_id: number | null;
  call_id: string | null;
  ani: string | null;
  ani_e164: string | null;
  dnis: string | null;
  queue: string | null;
  ivr_path: P;
  wait_seconds: number | null;
  talk_seconds: number | null;
  agent: string;
  created_at: string;
  first_response_at: string | null;
  first_response_by: string | null;
  assignee: string | null;
}

export type SummaryRow = Pick<CaseRowOf<unknown>, 'number' | 'subject' | 'type' | 'status' | 'priority' | 'created_at'>;

export function caseRecordOf<P>(row: CaseRowOf<P>, ivrPath: IvrStep[]): CaseRecord {
  return {
    number: formatNumber(row.number),
    subject: row.subject,
    type: row.type,
    priority: row.priority,
    status: row.status,
    origin: row.origin,
    description: row.description,
    disposition: row.disposition,
    contactId: row.contact_id,
    accountId: row.account_id,
    callId: row.call_id,
    ani: row.ani,
    aniE164: row.ani_e164,
    dnis: row.dnis,
    queue: row.queue,
    ivrPath,
    waitSeconds: row.wait_seconds,
    talkSeconds: row.talk_seconds,
    agent: row.agent,
    createdAt: row.created_at,
    firstResponseAt: row.first_response_at,
    firstResponseBy: row.first_response_by,
    assignee: row.assignee,
  };
}

export function caseSummaryOf(row: SummaryRow): CaseSummary {
  return { number: formatNumber(row.number), subject: row.subject, type: row.type, status: row.status, priority: row.priority, createdAt: row.created_at };
}

/** A contact with the number it was found by. */
export interface ContactRow {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  account_id: number | null;
  raw: string | null;
  e164: string | null;
  extension: string | null;
}

/** An account joined to a contact (all null when it has none). */
export interface AccountRow {
  a_id: number | null;
  a_name: string | null;
  a_number: string | null;
  a_tier: AccountSummary['tier'] | null;
}

export function contactOf(row: ContactRow): ContactSummary {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phoneRaw: row.raw ?? '',
    phoneE164: row.e164,
    extension: row.extension,
    accountId: row.account_id,
  };
}

export function accountOf(row: AccountRow): AccountSummary | null {
  if (row.a_id === null || row.a_name === null || row.a_number === null || row.a_tier === null) return null;
  return { id: row.a_id, name: row.a_name, accountNumber: row.a_number, tier: row.a_tier };
}
