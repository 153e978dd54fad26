import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, openDatabase, type Database } from '../connector/store/db.js';
import { requestHash } from '../connector/store/request-hash.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';
import type { NewCase } from '../connector/store/types.js';

const T0 = Date.parse('2025-06-01T10:00:00.000Z');

let db: Database;
let contacts: SqliteContactStore;
let cases: SqliteCaseStore;
let accountId: number;
let adaId: number;
let tick: number;

function newCase(overrides: Partial<NewCase> = {}): NewCase {
  return {
    subject: 'Printer on fire',
    type: 'technical_support',
    priority: 'high',
    status: 'open',
    origin: 'phone',
    description: 'Smoke from tray 2.',
    disposition: null,
    contactId: adaId,
    newContact: null,
    callId: 'call-1',
    ani: '(415) 555-0123',
    aniE164: '+14155550123',
    dnis: '+18005550100',
    queue: 'support',
    ivrPath: [
      { node: 'main-menu', event: 'entered', at: '2025-06-01T09:59:00.000Z' },
      { node: 'main-menu', event: 'key', key: '1', at: '2025-06-01T09:59:05.000Z' },
      { node: 'main-menu', event: 'routed', queue: 'support', at: '2025-06-01T09:59:06.000Z' },
    ],
    waitSeconds: 12,
    talkSeconds: 95,
    agent: 'alice',
    ...overrides,
  };
}

function count(table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

beforeEach(() => {
  tick = 0;
  const now = (): Date => new Date(T0 + 1000 * tick++);
  db = openDatabase(':memory:');
  contacts = new SqliteContactStore(db, { now });
  cases = new SqliteCaseStore(db, { defaultRegion: 'US', now });
  accountId = contacts.addAccount({ name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' });
  adaId = contacts.addContact({
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    accountId,
    phones: [{ kind: 'phone', raw: '(415) 555-0123', e164: '+14155550123', extension: null, region: 'US' }],
  });
});

describe('SqliteCaseStore.create', () => {
  it('stores every field and numbers cases from 00001001 up', () => {
    const first = cases.create(newCase(), null);
    expect(first).toEqual({
      kind: 'created',
      record: {
        ...newCase(),
        newContact: undefined,
        number: '00001001',
        accountId,
        createdAt: '2025-06-01T10:00:01.000Z',
        firstResponseAt: null,
        firstResponseBy: null,
        assignee: 'alice',
      },
    });
    const numbers = [cases.create(newCase(), null), cases.create(newCase(), null)].map((r) =>
      r.kind === 'created' ? r.record.number : r.kind,
    );
    expect(numbers).toEqual(['00001002', '00001003']);
    expect(cases.get('00001002')?.number).toBe('00001002');
    expect(cases.get('1003')?.number).toBe('00001003');
    expect(cases.get('00009999')).toBeNull();
    expect(cases.get('abc')).toBeNull();
  });

  it('replays the earlier case for the same key and body, whatever the key order', () => {
    const created = cases.create(newCase(), 'key-1');
    const reordered = Object.fromEntries(Object.entries(newCase()).reverse()) as unknown as NewCase;
    expect(requestHash(reordered)).toBe(requestHash(newCase()));
    const again = cases.create(reordered, 'key-1');
    expect(again.kind).toBe('replayed');
    if (created.kind !== 'created' || again.kind !== 'replayed') return;
    expect(again.record).toEqual(created.record);
    expect(count('cases')).toBe(1);
    expect(count('idempotency_keys')).toBe(1);
  });

  it('rejects the same key with a different body and writes nothing', () => {
    cases.create(newCase(), 'key-1');
    const contactsBefore = count('contacts');
    const result = cases.create(
      newCase({ contactId: null, newContact: { firstName: 'Eve', lastName: 'X', email: null, phoneRaw: '415-555-0150', accountId: null } }),
      'key-1',
    );
    expect(result).toEqual({ kind: 'key-reused' });
    expect(count('cases')).toBe(1);
    expect(count('contacts')).toBe(contactsBefore);
  });

  it('creates the new contact in the same transaction, with its number normalized', () => {
    const result = cases.create(
      newCase({
        contactId: null,
        newContact: { firstName: 'Grace', lastName: 'Hopper', email: null, phoneRaw: '212.555.0142 x7', accountId },
      }),
      'key-2',
    );
    if (result.kind !== 'created') throw new Error(result.kind);
    expect(result.record.accountId).toBe(accountId);
    const contact = contacts.getContact(result.record.contactId ?? -1);
    expect(contact).toMatchObject({
      firstName: 'Grace',
      lastName: 'Hopper',
      phoneRaw: '212.555.0142 x7',
      phoneE164: '+12125550142',
      extension: '7',
      accountId,
    });
    expect(contacts.findByE164('+12125550142').map((m) => m.contact.id)).toEqual([result.record.contactId]);
  });

  it('leaves nothing of the new contact behind when the case insert fails', () => {
    const before = { contacts: count('contacts'), phones: count('contact_phones'), keys: count('idempotency_keys') };
    const bad = newCase({
      type: 'not-a-type' as NewCase['type'],
      contactId: null,
      newContact: { firstName: 'Ghost', lastName: 'Caller', email: null, phoneRaw: '+1 312 555 0177', accountId },
    });
    expect(() => cases.create(bad, 'key-3')).toThrow(/CHECK constraint/);
    expect({ contacts: count('contacts'), phones: count('contact_phones'), keys: count('idempotency_keys') }).toEqual(before);
    expect(contacts.findByE164('+13125550177')).toEqual([]);
    // The key was not burnt: the corrected request goes through.
    expect(cases.create({ ...bad, type: 'technical_support' }, 'key-3').kind).toBe('created');
  });

  it('refuses unknown contacts and accounts, and contactId with newContact', () => {
    expect(() => cases.create(newCase({ contactId: 999 }), null)).toThrow(expect.objectContaining({ code: 'CONTACT_NOT_FOUND' }));
    const nc = { firstName: 'A', lastName: 'B', email: null, phoneRaw: '', accountId: 999 };
    expect(() => cases.create(newCase({ contactId: null, newContact: nc }), null)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
    expect(() => cases.create(newCase({ newContact: { ...nc, accountId: null } }), null)).toThrow(
      expect.objectContaining({ code: 'CASE_CONTACT_CONFLICT' }),
    );
    expect(count('cases')).toBe(0);
  });

  it('keeps a case with a withheld caller and no contact', () => {
    const result = cases.create(newCase({ contactId: null, ani: 'anonymous', aniE164: null }), null);
    if (result.kind !== 'created') throw new Error(result.kind);
    expect(result.record).toMatchObject({ contactId: null, accountId: null, ani: 'anonymous', aniE164: null });
  });
});

describe('SqliteCaseStore.list and openCasesFor', () => {
  let otherId: number;
  beforeEach(() => {
    otherId = contacts.addContact({
      firstName: 'Alan',
      lastName: 'Turing',
      email: null,
      accountId: null,
      phones: [
        { kind: 'phone', raw: '+44 20 7946 0958', e164: '+442079460958', extension: null, region: 'US' },
        { kind: 'mobile', raw: '(646) 555-0111', e164: '+16465550111', extension: null, region: 'US' },
      ],
    });
    cases.create(newCase({ subject: 'A1' }), null); // 1001 Ada
    cases.create(newCase({ subject: 'T1', contactId: otherId, ani: null, aniE164: null, type: 'billing_question' }), null); // 1002
    cases.create(newCase({ subject: 'A2', status: 'closed', disposition: 'resolved', agent: 'bob' }), null); // 1003
    // A caller from Alan's mobile, case not linked to him: matches by ANI only.
    cases.create(newCase({ subject: 'X1', contactId: null, ani: '0044 20 7946 0958', aniE164: null }), null); // 1004
    cases.create(newCase({ subject: 'A3', status: 'pending', type: 'feature_request' }), null); // 1005
  });

  const subjects = (filter: Parameters<SqliteCaseStore['list']>[0]): string[] => cases.list(filter).map((c) => c.subject);

  it('lists newest first, filtered by contact, type, status and agent', () => {
    expect(subjects({})).toEqual(['A3', 'X1', 'A2', 'T1', 'A1']);
    expect(subjects({ contactId: adaId })).toEqual(['A3', 'A2', 'A1']);
    expect(subjects({ type: 'billing_question' })).toEqual(['T1']);
    expect(subjects({ status: 'closed' })).toEqual(['A2']);
    expect(subjects({ agent: 'bob' })).toEqual(['A2']);
    expect(subjects({ contactId: adaId, status: 'open' })).toEqual(['A1']);
    expect(subjects({ limit: 2, offset: 1 })).toEqual(['X1', 'A2']);
  });

  it('matches a phone in any written form against the ANI or the contact numbers', () => {
    expect(subjects({ phone: '415.555.0123' })).toEqual(['A3', 'A2', 'A1']);
    expect(subjects({ phone: 'tel:+1-415-555-0123' })).toEqual(['A3', 'A2', 'A1']);
    // Alan's UK number: his own case (contact match) and the unlinked one (ANI normalized on save).
    expect(subjects({ phone: '011 44 20 7946 0958' })).toEqual(['X1', 'T1']);
    expect(subjects({ phone: '646-555-0111' })).toEqual(['T1']);
    expect(subjects({ phone: '+1 312 555 0199' })).toEqual([]);
    expect(subjects({ phone: 'anonymous' })).toEqual([]);
    expect(subjects({ phone: '  ' })).toEqual(['A3', 'X1', 'A2', 'T1', 'A1']);
  });

  it('defaults the limit to 50 and caps it at 500', () => {
    for (let i = 0; i < 550; i++) cases.create(newCase({ subject: `bulk ${i}` }), null);
    expect(cases.list({})).toHaveLength(50);
    expect(cases.list({ limit: 10_000 })).toHaveLength(500);
    expect(cases.list({ limit: 0 })).toHaveLength(1);
    expect(cases.list({ limit: Number.NaN })).toHaveLength(500);
    expect(cases.list({ offset: -5, limit: 1 })[0]?.subject).toBe('bulk 549');
    expect(cases.list({})[0]?.subject).toBe('bulk 549');
  });

  it('openCasesFor gives open cases of those contacts, newest first', () => {
    expect(cases.openCasesFor([adaId], 5)).toEqual([
      { number: '00001005', subject: 'A3', type: 'feature_request', status: 'pending', priority: 'high', createdAt: expect.any(String) },
      { number: '00001001', subject: 'A1', type: 'technical_support', status: 'open', priority: 'high', createdAt: expect.any(String) },
    ]);
    expect(cases.openCasesFor([adaId, otherId], 5).map((c) => c.subject)).toEqual(['A3', 'T1', 'A1']);
    expect(cases.openCasesFor([adaId, otherId], 2).map((c) => c.subject)).toEqual(['A3', 'T1']);
    expect(cases.openCasesFor([], 5)).toEqual([]);
    expect(cases.openCasesFor([12345], 5)).toEqual([]);
  });
});

describe('openDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and file with WAL, FULL sync and foreign keys', () => {
    const file = openDatabase(join(dir, 'nested', 'data'));
    expect(file.name).toBe(join(dir, 'nested', 'data', 'switchboard.db'));
    expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(file.pragma('synchronous', { simple: true })).toBe(2);
    expect(file.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(file.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(file.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    file.close();
  });

  it('keeps cases and the number sequence across a reopen', () => {
    const first = openDatabase(dir);
    const store = new SqliteCaseStore(first, { defaultRegion: 'US' });
    store.create(newCase({ contactId: null }), 'k');
    first.close();
    const second = openDatabase(dir);
    const again = new SqliteCaseStore(second, { defaultRegion: 'US' });
    expect(again.get('00001001')?.subject).toBe('Printer on fire');
    expect(again.create(newCase({ contactId: null }), 'k').kind).toBe('replayed');
    const next = again.create(newCase({ contactId: null }), null);
    expect(next.kind === 'created' && next.record.number).toBe('00001002');
    second.close();
  });

  it('refuses a database written by a newer release', () => {
    const first = openDatabase(dir);
    first.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    first.close();
    expect(() => openDatabase(dir)).toThrow(expect.objectContaining({ code: 'DB_SCHEMA_TOO_NEW' }));
  });
});
