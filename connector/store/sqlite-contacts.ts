/**
 * Contacts and accounts in SQLite. Statements are prepared once per store;
 * lookups by number go through the `contact_phones.e164` index.
 */
import type { AccountSummary, ContactSummary } from '../protocol.js';
import type { Database } from './db.js';
import { accountOf as toAccount, contactOf as toContact, type AccountRow, type ContactRow } from './rows.js';
import type { AccountInput, ContactBatchOutcome, ContactBatchRow, ContactInput, ContactStore, PhoneKind } from './types.js';

export type { AccountInput, ContactInput, ContactPhoneInput, PhoneKind } from './types.js';

export interface SqliteContactStoreOptions {
  /** Clock for `created_at`; tests and the seed pass a fixed one. */
  now?: () => Date;
}



/**
 * A row of the by-number lookup, as an array: the contact (id, first and last
 * name, email, account id), the matching number (raw, e164, extension), whether
 * it is not the `phone` entry (0/1), its rowid, then the account (id, name,
 * number, tier; nulls when none).
 */
type ByE164Row = [
  number, string, string, string | null, number | null,
  string | null, string | null, string | null,
  number, number,
  number | null, string | null, string | null, AccountSummary['tier'] | null,
];

const CONTACT_COLUMNS = 'c.id, c.first_name, c.last_name, c.email, c.account_id';
const ACCOUNT_COLUMNS = 'a.id AS a_id, a.name AS a_name, a.account_number AS a_number, a.tier AS a_tier';

/** The SQLite {@link ContactStore}, plus the writes the seed and the CSV import need. */
export class SqliteContactStore implements ContactStore {
  private readonly now: () => Date;
  private readonly byE164;
  private readonly contactById;
  private readonly accountById;
  private readonly accountByNumber;
  private readonly countContacts;
  private readonly insertContact;
  private readonly insertPhone;
  private readonly insertAccount;
  private readonly sameContact;
  private readonly allAccounts;

  constructor(
    private readonly db: Database,
    options: SqliteContactStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    // The matching number is shown, not the primary one: that is the number that called.
    // Rows as arrays (no object per row) and sorted here, not by SQL: see findByE164.
    this.byE164 = db
      .prepare<[string], ByE164Row>(
        `SELECT c.id, c.first_name, c.last_name, c.email, c.account_id, p.raw, p.e164, p.extension,
                p.kind <> 'phone', p.rowid, a.id, a.name, a.account_number, a.tier
           FROM contact_phones p
           JOIN contacts c ON c.id = p.contact_id
           LEFT JOIN accounts a ON a.id = c.account_id
          WHERE p.e164 = ?`,
      )
      .raw(true);
    this.contactById = db.prepare<[number], ContactRow>(
      `SELECT ${CONTACT_COLUMNS}, p.raw, p.e164, p.extension
         FROM contacts c
         LEFT JOIN contact_phones p ON p.rowid = (
           SELECT rowid FROM contact_phones WHERE contact_id = c.id ORDER BY kind <> 'phone', rowid LIMIT 1)
        WHERE c.id = ?`,
    );
    this.accountById = db.prepare<[number], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`);
    this.accountByNumber = db.prepare<[string], AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_number = ?`,
    );
    this.allAccounts = db.prepare<[], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.id`);
    this.countContacts = db.prepare<[], number>('SELECT count(*) FROM contacts').pluck();
    this.insertContact = db.prepare<[number | null, string, string, string | null, string]>(
      'INSERT INTO contacts (account_id, first_name, last_name, email, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertPhone = db.prepare<[number | bigint, string, string | null, string | null, PhoneKind, string | null]>(
      'INSERT INTO contact_phones (contact_id, raw, e164, extension, kind, region) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertAccount = db.prepare<[string, string, string]>(
      'INSERT INTO accounts (name, account_number, tier) VALUES (?, ?, ?)',
    );
    this.sameContact = db
      .prepare<[string, string, string, number | null], number>(
        `SELECT c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
          WHERE p.e164 = ? AND c.first_name = ? COLLATE NOCASE AND c.last_name = ? COLLATE NOCASE
            AND c.account_id IS ?
          LIMIT 1`,
      )
      .pluck();
  }

  /** Every contact with a number equal to `e164`, once each, by id; the number shown is the matching one. */
  findByE164(e164: string): Array<{ contact: ContactSummary; account: AccountSummary | null }> {
    const rows = this.byE164.all(e164) as unknown as ByE164Row[];
    // By contact, its `phone` entry before its `mobile`, then as entered: the order an
    // SQL ORDER BY gave, without the temporary B-tree SQLite built for it on every call.
    if (rows.length > 1) rows.sort((x, y) => x[0] - y[0] || x[8] - y[8] || x[9] - y[9]);
    const out: Array<{ contact: ContactSummary; account: AccountSummary | null }> = [];
    let lastId = -1;
    for (const r of rows) {
      // A contact whose phone and mobile are the same number comes twice.
      if (r[0] === lastId) continue;
      lastId = r[0];
      out.push({
        contact: { id: r[0], firstName: r[1], lastName: r[2], email: r[3], phoneRaw: r[5] ?? '', phoneE164: r[6], extension: r[7], accountId: r[4] },
        account: r[10] === null || r[11] === null || r[12] === null || r[13] === null ? null : { id: r[10], name: r[11], accountNumber: r[12], tier: r[13] },
      });
    }
    return out;
  }

  getContact(id: number): ContactSummary | null {
    const row = this.contactById.get(id);
    return row ? toContact(row) : null;
  }

  getAccount(id: number): AccountSummary | null {
    const row = this.accountById.get(id);
    return row ? toAccount(row) : null;
  }

  /** The account with this account number (exact match), or null. */
  findAccountByNumber(accountNumber: string): AccountSummary | null {
    const row = this.accountByNumber.get(accountNumber);
    return row ? toAccount(row) : null;
  }

  count(): number {
    return this.countContacts.get() ?? 0;
  }

  /**
   * Inserts a contact and its numbers; returns its id. Joins the caller's
   * transaction when there is one (the CSV import batches thousands of rows
   * per transaction), else runs in its own.
   */
  addContact(input: ContactInput): number {
    const write = (): number => {
      const createdAt = input.createdAt ?? this.now().toISOString();
      const { lastInsertRowid } = this.insertContact.run(
        input.accountId,
        input.firstName,
        input.lastName,
        input.email,
        createdAt,
      );
      for (const phone of input.phones) {
        this.insertPhone.run(lastInsertRowid, phone.raw, phone.e164, phone.extension, phone.kind, phone.region);
      }
      return Number(lastInsertRowid);
    };
    return this.db.inTransaction ? write() : this.db.transaction(write)();
  }

  /** Inserts an account; returns its id. */
  addAccount(input: AccountInput): number {
    return Number(this.insertAccount.run(input.name, input.accountNumber, input.tier).lastInsertRowid);
  }

  /**
   * The CSV import's write: each row not already present (see {@link findSameContact})
   * is inserted, all in one transaction (the caller's, when there is one).
   */
  upsertBatch(rows: readonly ContactBatchRow[]): ContactBatchOutcome[] {
    const write = (): ContactBatchOutcome[] =>
      rows.map((row) => {
        const { firstName, lastName, accountId } = row.input;
        const existing = this.findSameContact(firstName, lastName, accountId, row.e164);
        return existing !== null ? { kind: 'duplicate', id: existing } : { kind: 'inserted', id: this.addContact(row.input) };
      });
    return this.db.inTransaction ? write() : this.db.transaction(write)();
  }

  /** Every account, by id. */
  listAccounts(): AccountSummary[] {
    return (this.allAccounts.all() as AccountRow[]).map(toAccount).filter((a): a is AccountSummary => a !== null);
  }

  /**
   * The id of a contact with the same name (any case), the same account and
   * this number, or null: how a re-import recognizes rows it already has.
   */
  findSameContact(firstName: string, lastName: string, accountId: number | null, e164: string): number | null {
    return this.sameContact.get(e164, firstName, lastName, accountId) ?? null;
  }
}


