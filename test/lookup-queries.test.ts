/**
 * The two queries of the caller lookup, rewritten for speed (bench/profiling.md):
 * their results must stay exactly what the SQL ORDER BY / bound LIMIT gave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../connector/store/db.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';

let db: Database;
let contacts: SqliteContactStore;
let cases: SqliteCaseStore;
const N = '+14155550123';
const phone = (kind: 'phone' | 'mobile', raw: string, e164 = N) => ({ kind, raw, e164, extension: null, region: 'US' as const });

beforeEach(() => {
  db = openDatabase(':memory:');
  contacts = new SqliteContactStore(db);
  cases = new SqliteCaseStore(db, { defaultRegion: 'US' });
});
afterEach(() => db.close());

describe('findByE164', () => {
  it('gives each contact once, by id, showing its phone entry before its mobile, with its account', () => {
    const acc = contacts.addAccount({ name: 'Acme', accountNumber: 'ACC-1', tier: 'priority' });
    // Mobile entered first, phone second: the phone entry is the one shown.
    const a = contacts.addContact({ firstName: 'A', lastName: 'A', email: null, accountId: acc, phones: [phone('mobile', 'm-a'), phone('phone', 'p-a')] });
    const b = contacts.addContact({ firstName: 'B', lastName: 'B', email: 'b@x.io', accountId: null, phones: [phone('mobile', 'm-b1'), phone('mobile', 'm-b2')] });
    const c = contacts.addContact({ firstName: 'C', lastName: 'C', email: null, accountId: null, phones: [phone('phone', 'other', '+14155550999'), phone('phone', 'p-c')] });
    const found = contacts.findByE164(N);
    expect(found.map((m) => [m.contact.id, m.contact.phoneRaw])).toEqual([
      [a, 'p-a'],
      [b, 'm-b1'],
      [c, 'p-c'],
    ]);
    expect(found[0]).toEqual({
      contact: { id: a, firstName: 'A', lastName: 'A', email: null, phoneRaw: 'p-a', phoneE164: N, extension: null, accountId: acc },
      account: { id: acc, name: 'Acme', accountNumber: 'ACC-1', tier: 'priority' },
    });
    expect(found[1]?.account).toBeNull();
    expect(contacts.findByE164('+14155550000')).toEqual([]);
  });
});

describe('openCasesFor', () => {
  it('gives the newest open cases first, for one contact or several, cut at the limit', () => {
    const ids = [1, 2].map((i) => contacts.addContact({ firstName: `F${i}`, lastName: 'L', email: null, accountId: null, phones: [] }));
    const open = (contactId: number, subject: string, status: 'new' | 'open' | 'closed') =>
      cases.create(
        {
          subject, type: 'technical_support', priority: 'low', status, origin: 'phone', description: '', disposition: null,
          contactId, callId: null, ani: null, aniE164: null, dnis: null, queue: null, ivrPath: [], waitSeconds: null,
          talkSeconds: null, agent: 'alice', newContact: null,
        } as never,
        null,
      );
    open(ids[0] as number, 'a1', 'open');
    open(ids[1] as number, 'b1', 'new');
    open(ids[0] as number, 'a2', 'closed');
    open(ids[0] as number, 'a3', 'new');
    const subjects = (xs: Array<{ subject: string }>) => xs.map((x) => x.subject);
    expect(subjects(cases.openCasesFor([ids[0] as number], 5))).toEqual(['a3', 'a1']);
    expect(subjects(cases.openCasesFor([ids[0] as number], 1))).toEqual(['a3']);
    expect(subjects(cases.openCasesFor([ids[0] as number], 1.9))).toEqual(['a3']);
    expect(subjects(cases.openCasesFor(ids, 5))).toEqual(['a3', 'b1', 'a1']);
    expect(subjects(cases.openCasesFor(ids, 2))).toEqual(['a3', 'b1']);
    expect(cases.openCasesFor([ids[0] as number], 0)).toEqual([]);
    expect(cases.openCasesFor([], 5)).toEqual([]);
    // Every limit keeps working after the statement cache turned over.
    for (let limit = 1; limit <= 40; limit++) expect(cases.openCasesFor(ids, limit)).toHaveLength(Math.min(limit, 3));
    expect(cases.openCasesFor([ids[0] as number], 5)[0]).toMatchObject({ subject: 'a3', status: 'new', priority: 'low', type: 'technical_support' });
  });
});
