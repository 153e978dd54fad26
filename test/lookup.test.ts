import { describe, it, expect, beforeEach } from 'vitest';
import { lookupCaller, MAX_OPEN_CASES, type LookupDeps } from '../connector/lookup.js';
import { openDatabase, type Database } from '../connector/store/db.js';
import {
  ADA_ACCOUNT_NAME,
  ADA_ACCOUNT_NUMBER,
  ADA_E164,
  ADA_RAW,
  SHARED_ACCOUNT_NUMBER,
  SHARED_E164,
  UNKNOWN_E164,
  seedDemoData,
} from '../connector/store/seed.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';
import type { NewCase } from '../connector/store/types.js';

let db: Database;
let deps: LookupDeps;
let cases: SqliteCaseStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  expect(seedDemoData(db, 'US')).toEqual({ seeded: true, accounts: 10, contacts: 300, cases: 35 });
  cases = new SqliteCaseStore(db, { defaultRegion: 'US' });
  deps = { contacts: new SqliteContactStore(db), cases, defaultRegion: 'US' };
});

describe('lookupCaller', () => {
  it('finds Ada Lovelace with her account and her open cases, newest first', () => {
    const result = lookupCaller(ADA_E164, deps);
    expect(result.outcome).toBe('one');
    if (result.outcome !== 'one') return;
    expect(result.contact).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      phoneRaw: ADA_RAW,
      phoneE164: ADA_E164,
      extension: null,
    });
    expect(result.account).toMatchObject({ name: ADA_ACCOUNT_NAME, accountNumber: ADA_ACCOUNT_NUMBER, tier: 'priority' });
    expect(result.openCases.map((c) => [c.subject, c.status])).toEqual([
      ['Export programs to punched cards', 'new'],
      ['Invoice billed at standard tier', 'open'],
    ]);
    expect(result.openCases[0]?.number).toMatch(/^\d{8}$/);
  });

  it('reads the ANI in any form the PBX sends', () => {
    for (const ani of ['sip:+14155550123@pbx.example.com', '<sip:4155550123@10.0.0.5>', 'tel:+1-415-555-0123', '14155550123']) {
      const result = lookupCaller(ani, deps);
      expect(result.outcome, ani).toBe('one');
    }
  });

  it('gives many for the shared main line, with every match and their open cases', () => {
    const result = lookupCaller('+1 212-555-0100', deps);
    expect(result.outcome).toBe('many');
    if (result.outcome !== 'many') return;
    expect(result.matches.map((m) => `${m.contact.firstName} ${m.contact.lastName}`)).toEqual([
      'Charles Babbage',
      'Mary Somerville',
      'Augustus De Morgan',
    ]);
    expect(result.matches.map((m) => m.contact.extension)).toEqual(['201', '202', '203']);
    expect(result.matches.every((m) => m.contact.phoneE164 === SHARED_E164)).toBe(true);
    expect(result.matches.every((m) => m.account?.accountNumber === SHARED_ACCOUNT_NUMBER)).toBe(true);
    // Mary's case is closed: only Charles's open one shows.
    expect(result.openCases.map((c) => c.subject)).toEqual(['Main line drops transfers']);
  });

  it('caps open cases at 5, newest first, across all matches', () => {
    const [charles, mary] = deps.contacts.findByE164(SHARED_E164).map((m) => m.contact.id);
    for (let i = 0; i < 6; i++) cases.create(newCase(i % 2 === 0 ? charles : mary, `extra ${i}`), null);
    const result = lookupCaller(SHARED_E164, deps);
    if (result.outcome !== 'many') throw new Error(`expected many, got ${result.outcome}`);
    expect(result.openCases).toHaveLength(MAX_OPEN_CASES);
    expect(result.openCases.map((c) => c.subject)).toEqual(['extra 5', 'extra 4', 'extra 3', 'extra 2', 'extra 1']);
  });

  it('says not-found for a valid number nobody has', () => {
    expect(lookupCaller(UNKNOWN_E164, deps)).toEqual({ outcome: 'none', reason: 'not-found' });
  });

  it.each(['', 'anonymous', 'Anonymous', 'restricted', 'sip:anonymous@anonymous.invalid'])('says withheld for %j', (ani) => {
    expect(lookupCaller(ani, deps)).toEqual({ outcome: 'none', reason: 'withheld' });
  });

  it.each(['12', '555-0123', '+1 123 456 7890', 'not a number'])('says invalid-number for %j', (ani) => {
    expect(lookupCaller(ani, deps)).toEqual({ outcome: 'none', reason: 'invalid-number' });
  });

  it('finds a JP contact entered as 03-... from the +81 ANI', () => {
    const row = db
      .prepare<[], { e164: string }>("SELECT e164 FROM contact_phones WHERE region = 'JP' AND raw LIKE '0%' LIMIT 1")
      .get();
    expect(row?.e164).toMatch(/^\+81[36]1234\d{4}$/);
    const result = lookupCaller(row?.e164 ?? '', deps);
    expect(result.outcome).toBe('one');
  });

  it('seeding twice writes nothing the second time', () => {
    expect(seedDemoData(db, 'US')).toEqual({ seeded: false, accounts: 0, contacts: 0, cases: 0 });
    expect(deps.contacts.count()).toBe(300);
  });

  it('seeds the same data on every run', () => {
    const other = openDatabase(':memory:');
    seedDemoData(other, 'US');
    const dump = (d: Database): unknown =>
      d.prepare('SELECT c.first_name, c.last_name, p.raw, p.e164 FROM contacts c JOIN contact_phones p ON p.contact_id = c.id ORDER BY p.rowid').all();
    expect(dump(other)).toEqual(dump(db));
  });
});

function newCase(contactId: number | undefined, subject: string): NewCase {
  return {
    subject,
    type: 'technical_support',
    priority: 'low',
    status: 'open',
    origin: 'phone',
    description: '',
    disposition: null,
    contactId: contactId ?? null,
    newContact: null,
    callId: null,
    ani: null,
    aniE164: null,
    dnis: null,
    queue: null,
    ivrPath: [],
    waitSeconds: null,
    talkSeconds: null,
    agent: 'alice',
  };
}
