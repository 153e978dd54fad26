/**
 * Contacts and accounts in PostgreSQL. Lookups by number go through the
 * `contact_phones (e164, contact_id)` index; the ordering rules are the SQLite
 * store's (by contact id, the `phone` entry before the `mobile` one, then entry order).
 */
import type { Pool } from 'pg';
import type { AccountSummary, ContactSummary } from '../../protocol.js';
import type { ContactMatch, ContactRepo } from '../data-layer.js';
import type { AccountInput, ContactBatchOutcome, ContactBatchRow, ContactInput } from '../types.js';
import { accountOf as toAccount, contactOf as toContact, type AccountRow, type ContactRow } from '../rows.js';
import { LOCK_CLASS_IMPORT } from './locks.js';
import { inTransaction, isKey, type Queryable } from './tx.js';



const CONTACT_COLUMNS = 'c.id, c.first_name, c.last_name, c.email, c.account_id';
const ACCOUNT_COLUMNS = 'a.id AS a_id, a.name AS a_name, a.account_number AS a_number, a.tier AS a_tier';

/** The caller lookup ($1: E.164); the test checks its plan uses `contact_phones_e164`. */
export const FIND_BY_E164_SQL = `SELECT DISTINCT ON (c.id) ${CONTACT_COLUMNS}, p.raw, p.e164, p.extension, ${ACCOUNT_COLUMNS}
   FROM contact_phones p
   JOIN contacts c ON c.id = p.contact_id
   LEFT JOIN accounts a ON a.id = c.account_id
  WHERE p.e164 = $1
  ORDER BY c.id, p.kind <> 'phone', p.id`;

/** SQLite's `COLLATE NOCASE` folds ASCII letters only; so does this, for the same duplicates. */
const fold = (column: string): string => `translate(${column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

export interface PgContactRepoOptions {
  /** Clock for `created_at`. */
  now: () => Date;
}

/** The PostgreSQL {@link ContactRepo}. */
export class PgContactRepo implements ContactRepo {
  constructor(
    private readonly pool: Pool,
    private readonly options: PgContactRepoOptions,
  ) {}

  async findByE164(e164: string): Promise<ContactMatch[]> {
    // The matching number is shown, not the primary one: that is the number that called.
    const { rows } = await this.pool.query<ContactRow & AccountRow>({ name: 'sb_contacts_by_e164', text: FIND_BY_E164_SQL, values: [e164] });
    return rows.map((r) => ({ contact: toContact(r), account: toAccount(r) }));
  }

  async getContact(id: number): Promise<ContactSummary | null> {
    if (!isKey(id)) return null;
    const { rows } = await this.pool.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS}, p.raw, p.e164, p.extension
         FROM contacts c
         LEFT JOIN LATERAL (
           SELECT raw, e164, extension FROM contact_phones WHERE contact_id = c.id ORDER BY kind <> 'phone', id LIMIT 1
         ) p ON true
        WHERE c.id = $1`,
      [id],
    );
    return rows[0] ? toContact(rows[0]) : null;
  }

  async getAccount(id: number): Promise<AccountSummary | null> {
    if (!isKey(id)) return null;
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findAccountByNumber(accountNumber: string): Promise<AccountSummary | null> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_number = $1`, [accountNumber]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async listAccounts(): Promise<AccountSummary[]> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.id`);
    return rows.map(toAccount).filter((a): a is AccountSummary => a !== null);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM contacts');
    return rows[0]?.n ?? 0;
  }

  async addAccount(input: AccountInput): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>(
      'INSERT INTO accounts (name, account_number, tier) VALUES ($1, $2, $3) RETURNING id',
      [input.name, input.accountNumber, input.tier],
    );
    return (rows[0] as { id: number }).id;
  }

  async addContact(input: ContactInput): Promise<number> {
    return inTransaction(this.pool, (client) => insertContact(client, input, this.options.now));
  }

  /**
   * One transaction; a transaction-level advisory lock makes concurrent batches (two
   * imports of one file) take turns, so the second sees the first one's rows as
   * duplicates instead of inserting them again.
   */
  async upsertBatch(rows: readonly ContactBatchRow[]): Promise<ContactBatchOutcome[]> {
    if (rows.length === 0) return [];
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [LOCK_CLASS_IMPORT]);
      const out: ContactBatchOutcome[] = [];
      for (const row of rows) {
        const { firstName, lastName, accountId } = row.input;
        const same = await client.query<{ id: number }>({
          name: 'sb_same_contact',
          text: `SELECT c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
                  WHERE p.e164 = $1 AND ${fold('c.first_name')} = ${fold('$2')} AND ${fold('c.last_name')} = ${fold('$3')}
                    AND c.account_id IS NOT DISTINCT FROM $4::bigint
                  ORDER BY p.id LIMIT 1`,
          values: [row.e164, firstName, lastName, accountId],
        });
        const existing = same.rows[0];
        out.push(existing ? { kind: 'duplicate', id: existing.id } : { kind: 'inserted', id: await insertContact(client, row.input, this.options.now) });
      }
      return out;
    });
  }
}

/**
 * Inserts a contact and its numbers with `db`, which MUST be a client inside a
 * transaction (the contact and its numbers go together); returns its id.
 */
export async function insertContact(db: Queryable, input: ContactInput, now: () => Date): Promise<number> {
  const { rows } = await db.query<{ id: number }>({
    name: 'sb_insert_contact',
    text: 'INSERT INTO contacts (account_id, first_name, last_name, email, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    values: [input.accountId, input.firstName, input.lastName, input.email, input.createdAt ?? now().toISOString()],
  });
  const id = (rows[0] as { id: number }).id;
  if (input.phones.length > 0) {
    // One statement for all the numbers, in entry order (the identity follows the array).
    await db.query({
      name: 'sb_insert_phones',
      text: `INSERT INTO contact_phones (contact_id, raw, e164, extension, kind, region)
             SELECT $1::bigint, raw, e164, extension, kind, region
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                    WITH ORDINALITY AS n (raw, e164, extension, kind, region, i)
              ORDER BY i`,
      values: [
        id,
        input.phones.map((p) => p.raw),
        input.phones.map((p) => p.e164),
        input.phones.map((p) => p.extension),
        input.phones.map((p) => p.kind),
        input.phones.map((p) => p.region),
      ],
    });
  }
  return id;
}


