/**
 * The data-layer contract suite. Both stores (SQLite, PostgreSQL) run these same
 * tests against `connector/store/data-layer.ts`; a store that passes them can take
 * the other's place. Each test gets an empty database; `openSecond` gives a second
 * handle on it with its own connections, as a second connector process would have.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../connector/calls/call-record.js';
import { lookupCallerAsync } from '../connector/lookup.js';
import { normalizePhone, type CountryCode } from '../connector/phone/normalize.js';
import type { DataLayer } from '../connector/store/data-layer.js';
import { importContactsCsv } from '../connector/store/import-csv.js';
import { requestHash } from '../connector/store/request-hash.js';
import type { CaseFilter, ContactPhoneInput, NewCase, PhoneKind } from '../connector/store/types.js';
import { describeCaseContract } from './store-contract-cases.js';

export interface DataLayerTestOptions {
  /** The stores' clock. */
  now: () => Date;
  defaultRegion: CountryCode;
}

export interface DataLayerUnderTest {
  layer: DataLayer;
  /** Another layer on the same database, with its own connections. */
  openSecond(): Promise<DataLayer>;
  /** Closes every layer opened and discards the data. */
  dispose(): Promise<void>;
}

export type MakeDataLayer = (options: DataLayerTestOptions) => Promise<DataLayerUnderTest>;

export const T0 = Date.parse('2025-06-01T10:00:00.000Z');
export const ADA_E164 = '+14155550123';

/** A number as the import and the seed store it: normalized once, with its region. */
export function phone(kind: PhoneKind, raw: string, region: CountryCode = 'US'): ContactPhoneInput {
  const n = normalizePhone(raw, region);
  return { kind, raw, e164: n.e164, extension: n.extension, region };
}

/** What each test starts from: one account, Ada with one number, and the clock. */
export interface Ctx {
  sut: DataLayerUnderTest;
  db: DataLayer;
  accountId: number;
  adaId: number;
  newCase(overrides?: Partial<NewCase>): NewCase;
  subjects(filter: CaseFilter): Promise<string[]>;
}

export function describeDataLayerContract(name: string, makeDataLayer: MakeDataLayer): void {
  describe(`data layer contract: ${name}`, () => {
    const ctx = {} as Ctx;

    beforeEach(async () => {
      let tick = 0;
      const now = (): Date => new Date(T0 + 1000 * tick++);
      ctx.sut = await makeDataLayer({ now, defaultRegion: 'US' });
      ctx.db = ctx.sut.layer;
      ctx.accountId = await ctx.db.contacts.addAccount({ name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' });
      ctx.adaId = await ctx.db.contacts.addContact({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        accountId: ctx.accountId,
        phones: [phone('phone', '(415) 555-0123')],
      });
      ctx.newCase = (overrides = {}) => ({
        subject: 'Printer on fire',
        type: 'technical_support',
        priority: 'high',
        status: 'open',
        origin: 'phone',
        description: 'Smoke from tray 2.',
        disposition: null,
        contactId: ctx.adaId,
        newContact: null,
        callId: 'call-1',
        ani: '(415) 555-0123',
        aniE164: ADA_E164,
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
      });
      ctx.subjects = async (filter) => (await ctx.db.cases.list(filter)).map((c) => c.subject);
    });
    afterEach(async () => {
      await ctx.sut.dispose();
    });

    describeContactContract(ctx);
    describeCaseContract(ctx);
    describeCallContract(ctx);
  });
}

function describeContactContract(ctx: Ctx): void {
  describe('contacts', () => {
    it('finds none, one or many contacts by number, with their accounts', async () => {
      const { contacts } = ctx.db;
      expect(await contacts.findByE164('+13125550199')).toEqual([]);
      const [ada, ...rest] = await contacts.findByE164(ADA_E164);
      expect(rest).toEqual([]);
      expect(ada).toEqual({
        contact: { id: ctx.adaId, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phoneRaw: '(415) 555-0123', phoneE164: ADA_E164, extension: null, accountId: ctx.accountId },
        account: { id: ctx.accountId, name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' },
      });
      // A shared main line, written three ways: three contacts, each with its extension.
      const ids = [];
      for (const raw of ['+1 (212) 555-0100 x201', '212.555.0100 ext. 202', 'tel:+1-212-555-0100;ext=203']) {
        ids.push(await contacts.addContact({ firstName: 'F', lastName: raw, email: null, accountId: null, phones: [phone('phone', raw)] }));
      }
      const many = await contacts.findByE164('+12125550100');
      expect(many.map((m) => [m.contact.id, m.contact.extension, m.account])).toEqual([
        [ids[0], '201', null],
        [ids[1], '202', null],
        [ids[2], '203', null],
      ]);
    });

    it('gives each contact once, its phone entry before its mobile, whatever the entry order', async () => {
      const { contacts } = ctx.db;
      const n = '+16465550111';
      const a = await contacts.addContact({ firstName: 'A', lastName: 'A', email: null, accountId: ctx.accountId, phones: [phone('mobile', '(646) 555-0111'), phone('phone', '646.555.0111')] });
      const b = await contacts.addContact({ firstName: 'B', lastName: 'B', email: null, accountId: null, phones: [phone('mobile', '+1 646 555 0111'), phone('mobile', '1-646-555-0111')] });
      const c = await contacts.addContact({ firstName: 'C', lastName: 'C', email: null, accountId: null, phones: [phone('phone', '+44 20 7946 0958'), phone('phone', 'sip:+16465550111@pbx.example.com')] });
      const found = await contacts.findByE164(n);
      expect(found.map((m) => [m.contact.id, m.contact.phoneRaw])).toEqual([
        [a, '646.555.0111'],
        [b, '+1 646 555 0111'],
        [c, 'sip:+16465550111@pbx.example.com'],
      ]);
      // A contact shows its first phone entry, whichever number is asked about.
      expect((await contacts.getContact(c))?.phoneRaw).toBe('+44 20 7946 0958');
      expect((await contacts.getContact(a))?.phoneRaw).toBe('646.555.0111');
    });

    it('looks a caller up from the ANI in any written form: none, one, many', async () => {
      const deps = { contacts: ctx.db.contacts, cases: ctx.db.cases, defaultRegion: 'US' as const };
      const created = await ctx.db.cases.create(ctx.newCase(), null);
      for (const ani of ['(415) 555-0123', 'sip:+14155550123@pbx.example.com;user=phone', '<tel:+1-415-555-0123>', '001 415 555 0123', '1-415-555-0123']) {
        const result = await lookupCallerAsync(ani, deps);
        expect(result, ani).toMatchObject({ outcome: 'one', contact: { id: ctx.adaId }, account: { id: ctx.accountId } });
        expect(result.outcome === 'one' && result.openCases.map((c) => c.number)).toEqual([created.kind === 'created' && created.record.number]);
      }
      expect(await lookupCallerAsync('anonymous', deps)).toEqual({ outcome: 'none', reason: 'withheld' });
      expect(await lookupCallerAsync('12', deps)).toEqual({ outcome: 'none', reason: 'invalid-number' });
      expect(await lookupCallerAsync('+1 312 555 0199', deps)).toEqual({ outcome: 'none', reason: 'not-found' });
      await ctx.db.contacts.addContact({ firstName: 'Ada', lastName: 'Junior', email: null, accountId: null, phones: [phone('mobile', '415-555-0123')] });
      const many = await lookupCallerAsync('+14155550123', deps);
      expect(many.outcome === 'many' && many.matches.map((m) => m.contact.lastName)).toEqual(['Lovelace', 'Junior']);
    });

    it('reads contacts and accounts by id, accounts by number, and counts contacts', async () => {
      const { contacts } = ctx.db;
      expect(await contacts.getContact(ctx.adaId)).toMatchObject({ firstName: 'Ada', phoneE164: ADA_E164 });
      expect(await contacts.getContact(99_999)).toBeNull();
      expect(await contacts.getAccount(ctx.accountId)).toEqual({ id: ctx.accountId, name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' });
      expect(await contacts.getAccount(99_999)).toBeNull();
      expect((await contacts.findAccountByNumber('ACC-1001'))?.id).toBe(ctx.accountId);
      expect(await contacts.findAccountByNumber('acc-1001')).toBeNull();
      const other = await contacts.addAccount({ name: 'Difference Works', accountNumber: 'ACC-1002', tier: 'standard' });
      expect((await contacts.listAccounts()).map((a) => a.id)).toEqual([ctx.accountId, other]);
      await expect(contacts.addAccount({ name: 'Dup', accountNumber: 'ACC-1002', tier: 'standard' })).rejects.toThrow();
      const noPhone = await contacts.addContact({ firstName: 'No', lastName: 'Phone', email: null, accountId: null, phones: [] });
      expect(await contacts.getContact(noPhone)).toMatchObject({ phoneRaw: '', phoneE164: null, extension: null });
      expect(await contacts.count()).toBe(2);
      await expect(contacts.addContact({ firstName: 'X', lastName: 'Y', email: null, accountId: 99_999, phones: [phone('phone', '+1 312 555 0177')] })).rejects.toThrow();
      expect(await contacts.count()).toBe(2);
      expect(await contacts.findByE164('+13125550177')).toEqual([]);
    });

    it('upserts an import batch: duplicates by name (any case), account and number, also within the batch', async () => {
      const { contacts } = ctx.db;
      const row = (first: string, last: string, accountId: number | null, raw: string) => {
        const p = phone('phone', raw);
        return { input: { firstName: first, lastName: last, email: null, accountId, phones: [p] }, e164: p.e164 ?? '' };
      };
      const outcomes = await contacts.upsertBatch([
        row('ADA', 'lovelace', ctx.accountId, '415.555.0123'), // Ada, already there
        row('Grace', 'Hopper', null, '212-555-0142'),
        row('grace', 'HOPPER', null, '+1 212 555 0142'), // the row above, again
        row('Grace', 'Hopper', ctx.accountId, '212-555-0142'), // another account: another contact
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(['duplicate', 'inserted', 'duplicate', 'inserted']);
      expect(outcomes[0]).toEqual({ kind: 'duplicate', id: ctx.adaId });
      expect(outcomes[2]?.id).toBe(outcomes[1]?.id);
      expect(await contacts.count()).toBe(3);
      expect(await contacts.upsertBatch([])).toEqual([]);
      // All or nothing: a bad row (unknown account) takes the good one with it.
      await expect(contacts.upsertBatch([row('Alan', 'Turing', null, '+44 20 7946 0958'), row('Bad', 'Row', 99_999, '+1 312 555 0177')])).rejects.toThrow();
      expect(await contacts.count()).toBe(3);
      expect(await contacts.findByE164('+442079460958')).toEqual([]);
    });

    it('imports a CSV file through the repository, twice without duplicates', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-contract-'));
      try {
        const file = join(dir, 'contacts.csv');
        writeFileSync(file, ['first_name,last_name,phone,mobile,account,country', 'Kenji,Sato,03-1234-5678,,ACC-1001,JP', 'Alan,Turing,0044 20 7946 0958,+1 646 555 0111,,', 'Bad,Row,12,,,'].join('\n'));
        expect(await importContactsCsv(ctx.db.contacts, file, 'US', { batchSize: 1 })).toEqual({ imported: 2, rejected: [{ line: 4, reason: "invalid phone '12'" }] });
        const [kenji] = await ctx.db.contacts.findByE164('+81312345678');
        expect(kenji).toMatchObject({ contact: { firstName: 'Kenji', phoneRaw: '03-1234-5678' }, account: { accountNumber: 'ACC-1001' } });
        const again = await importContactsCsv(ctx.db.contacts, file, 'US');
        expect(again.imported).toBe(0);
        expect(again.rejected.map((r) => r.reason.replace(/\d+$/, 'N'))).toEqual(['duplicate of contact N', 'duplicate of contact N', "invalid phone '12'"]);
        expect(await ctx.db.contacts.count()).toBe(3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

function callRecord(callId: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    callId,
    adapterId: 'sim',
    aniRaw: 'sip:+14155550123@pbx.example.com',
    aniE164: ADA_E164,
    dnis: '+18005550100',
    callerName: 'Ada “The Countess” Lovelace — 日本語 ✓',
    attestation: 'A',
    phase: 'ended',
    arrivedAt: '2025-06-01T09:59:00.000Z',
    flow: { name: 'main', version: 'v3' },
    ivrPath: [
      { node: 'main-menu', event: 'entered', at: '2025-06-01T09:59:00.000Z' },
      { node: 'account', event: 'gathered', attribute: 'pin', value: '••••', at: '2025-06-01T09:59:09.000Z' },
      { node: 'main-menu', event: 'routed', queue: 'support', at: '2025-06-01T09:59:10.000Z' },
    ],
    ivrAttributes: { pin: '••••', verified: true, tries: 2, note: null, 'dotted.key': 'x"y\\z' },
    language: 'en-US',
    lookup: {
      outcome: 'one',
      contact: { id: 7, firstName: 'Ada', lastName: 'Lovelace', email: null, phoneRaw: '(415) 555-0123', phoneE164: ADA_E164, extension: null, accountId: 1 },
      account: { id: 1, name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' },
      openCases: [{ number: '00001001', subject: 'S', type: 'technical_support', status: 'open', priority: 'high', createdAt: '2025-06-01T09:00:00.000Z' }],
    },
    queue: 'support',
    priority: 5,
    queuedAt: '2025-06-01T09:59:10.000Z',
    agent: 'alice',
    connectedAt: '2025-06-01T09:59:40.000Z',
    endedAt: '2025-06-01T10:02:00.500Z',
    endReason: 'caller-hangup',
    wrapUpEndedAt: null,
    outcome: 'answered',
    ...overrides,
  };
}

function describeCallContract(ctx: Ctx): void {
  describe('calls', () => {
    it('saves and reads a record back with its JSON fields intact', async () => {
      const { calls } = ctx.db;
      const record = callRecord('call-1');
      await calls.save(record);
      expect(await calls.get('call-1')).toEqual(record);
      expect(await calls.get('call-2')).toBeNull();
      expect(await calls.get('x'.repeat(201))).toBeNull();
      // The store keeps the record as it was saved, not the live object.
      record.phase = 'queued';
      expect((await calls.get('call-1'))?.phase).toBe('ended');
      // A second save replaces the first.
      await calls.save(callRecord('call-1', { outcome: 'abandoned-queue', agent: null, lookup: { outcome: 'none', reason: 'withheld' } }));
      expect(await calls.get('call-1')).toMatchObject({ outcome: 'abandoned-queue', agent: null, lookup: { outcome: 'none', reason: 'withheld' } });
    });

    it('saves many in one go, the later record of an id winning', async () => {
      const { calls } = ctx.db;
      await calls.saveMany([]);
      await calls.saveMany([callRecord('a', { phase: 'ivr' }), callRecord('b'), callRecord('a', { phase: 'queued', queue: 'billing' })]);
      expect(await calls.get('a')).toEqual(callRecord('a', { phase: 'queued', queue: 'billing' }));
      expect(await calls.get('b')).toEqual(callRecord('b'));
      const second = await ctx.sut.openSecond();
      expect((await second.calls.get('a'))?.queue).toBe('billing');
    });
  });
}

/** Keys reordered: the same body for the request hash. */
export function reordered(input: NewCase): NewCase {
  const out = Object.fromEntries(Object.entries(input).reverse()) as unknown as NewCase;
  expect(requestHash(out)).toBe(requestHash(input));
  return out;
}
