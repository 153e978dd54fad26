/**
 * The cases part of the data-layer contract (test/store-contract.ts): creation with
 * idempotency, lists, the pop's open cases, changes, and tier escalation.
 */
import { describe, expect, it } from 'vitest';
import type { CaseRecord, CreateCaseResult, NewCase } from '../connector/store/types.js';
import { phone, reordered, T0, type Ctx } from './store-contract.js';

const iso = (secondsAfterT0: number): string => new Date(T0 + 1000 * secondsAfterT0).toISOString();

function created(result: CreateCaseResult): CaseRecord {
  if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
  return result.record;
}

export function describeCaseContract(ctx: Ctx): void {
  describe('cases: create', () => {
    it('stores every field, assigns the creator, numbers from 00001001 and records the creation', async () => {
      const { cases } = ctx.db;
      const first = await cases.create(ctx.newCase(), null);
      const { newContact: _, ...fields } = ctx.newCase();
      expect(first).toEqual({
        kind: 'created',
        record: { ...fields, number: '00001001', accountId: ctx.accountId, createdAt: iso(1), firstResponseAt: null, firstResponseBy: null, assignee: 'alice' },
      });
      const next = [created(await cases.create(ctx.newCase(), null)), created(await cases.create(ctx.newCase({ assignee: null }), null))];
      expect(next.map((r) => [r.number, r.assignee])).toEqual([['00001002', 'alice'], ['00001003', null]]);
      expect(await cases.get('00001002')).toEqual(next[0]);
      expect((await cases.get('1003'))?.number).toBe('00001003');
      expect(await cases.get('00009999')).toBeNull();
      expect(await cases.get('abc')).toBeNull();
      expect(await cases.events('00001001')).toEqual([
        { at: iso(1), by: 'alice', kind: 'created', fromQueue: null, toQueue: 'support', assignee: 'alice', note: null, fields: [] },
      ]);
      expect((await cases.events('1003'))?.[0]?.assignee).toBeNull();
      expect(await cases.events('00009999')).toBeNull();
    });

    it('replays the earlier case for the same key and body, whatever the key order', async () => {
      const { cases } = ctx.db;
      const first = created(await cases.create(ctx.newCase(), 'key-1'));
      expect(await cases.create(reordered(ctx.newCase()), 'key-1')).toEqual({ kind: 'replayed', record: first });
      // Matched by the hash of what the client sent when one is given, not by the derived fields.
      const byRequest = created(await cases.create(ctx.newCase(), 'key-2', 'hash-of-body'));
      expect(await cases.create(ctx.newCase({ talkSeconds: 96 }), 'key-2', 'hash-of-body')).toEqual({ kind: 'replayed', record: byRequest });
      expect((await cases.list({})).length).toBe(2);
      expect(await cases.events(first.number)).toHaveLength(1);
    });

    it('rejects the same key with a different body and writes nothing', async () => {
      const { cases, contacts } = ctx.db;
      await cases.create(ctx.newCase(), 'key-1');
      const result = await cases.create(
        ctx.newCase({ contactId: null, newContact: { firstName: 'Eve', lastName: 'X', email: null, phoneRaw: '415-555-0150', accountId: null } }),
        'key-1',
      );
      expect(result).toEqual({ kind: 'key-reused' });
      expect((await cases.list({})).length).toBe(1);
      expect(await contacts.count()).toBe(1);
      expect(await contacts.findByE164('+14155550150')).toEqual([]);
    });

    it('creates the new contact in the same transaction, its messy number normalized', async () => {
      const { cases, contacts } = ctx.db;
      const record = created(
        await cases.create(
          ctx.newCase({ contactId: null, newContact: { firstName: 'Grace', lastName: 'Hopper', email: null, phoneRaw: '212.555.0142 x7', accountId: ctx.accountId } }),
          'key-2',
        ),
      );
      expect(record.accountId).toBe(ctx.accountId);
      expect(await contacts.getContact(record.contactId ?? -1)).toEqual({
        id: record.contactId,
        firstName: 'Grace',
        lastName: 'Hopper',
        email: null,
        phoneRaw: '212.555.0142 x7',
        phoneE164: '+12125550142',
        extension: '7',
        accountId: ctx.accountId,
      });
      expect((await contacts.findByE164('+12125550142')).map((m) => m.contact.id)).toEqual([record.contactId]);
      const withheld = created(await cases.create(ctx.newCase({ contactId: null, newContact: { firstName: 'Anon', lastName: 'Y', email: null, phoneRaw: ' ', accountId: null } }), null));
      expect(await contacts.getContact(withheld.contactId ?? -1)).toMatchObject({ phoneRaw: '', phoneE164: null });
    });

    it('writes nothing when the case fails after its new contact (atomic), and does not burn the key', async () => {
      const { cases, contacts } = ctx.db;
      const bad = ctx.newCase({
        type: 'not-a-type' as NewCase['type'],
        contactId: null,
        newContact: { firstName: 'Ghost', lastName: 'Caller', email: null, phoneRaw: '+1 312 555 0177', accountId: ctx.accountId },
      });
      await expect(cases.create(bad, 'key-3')).rejects.toThrow();
      expect(await contacts.count()).toBe(1);
      expect(await contacts.findByE164('+13125550177')).toEqual([]);
      expect(await cases.list({})).toEqual([]);
      const good = created(await cases.create({ ...bad, type: 'technical_support' }, 'key-3'));
      expect(await cases.create({ ...bad, type: 'technical_support' }, 'key-3')).toEqual({ kind: 'replayed', record: good });
      expect(await cases.events(good.number)).toHaveLength(1);
    });

    it('refuses unknown contacts and accounts, and contactId with newContact, writing nothing', async () => {
      const { cases, contacts } = ctx.db;
      await expect(cases.create(ctx.newCase({ contactId: 999 }), 'k')).rejects.toMatchObject({ code: 'CONTACT_NOT_FOUND' });
      const nc = { firstName: 'A', lastName: 'B', email: null, phoneRaw: '+1 312 555 0177', accountId: 999 };
      await expect(cases.create(ctx.newCase({ contactId: null, newContact: nc }), 'k')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
      await expect(cases.create(ctx.newCase({ newContact: { ...nc, accountId: null } }), 'k')).rejects.toMatchObject({ code: 'CASE_CONTACT_CONFLICT' });
      expect(await cases.list({})).toEqual([]);
      expect(await contacts.count()).toBe(1);
    });

    it('keeps a withheld caller without a contact, and normalizes a typed-in ANI', async () => {
      const { cases } = ctx.db;
      const anon = created(await cases.create(ctx.newCase({ contactId: null, ani: 'anonymous', aniE164: null }), null));
      expect(anon).toMatchObject({ contactId: null, accountId: null, ani: 'anonymous', aniE164: null });
      const typed = created(await cases.create(ctx.newCase({ contactId: null, ani: '0044 20 7946 0958', aniE164: null }), null));
      expect(typed.aniE164).toBe('+442079460958');
    });

    it('makes one case of concurrent saves with one key, from two connections', async () => {
      const second = await ctx.sut.openSecond();
      const layers = [ctx.db, second];
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (layers[i % 2] ?? ctx.db).cases.create(ctx.newCase(), 'same-key')));
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'replayed')).toHaveLength(11);
      expect(new Set(results.map((r) => (r.kind === 'key-reused' ? '' : r.record.number))).size).toBe(1);
      // Different bodies racing on one key: still one case, the others refused or replayed.
      const mixed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (layers[i % 2] ?? ctx.db).cases.create(ctx.newCase({ subject: `body ${i % 3}` }), 'other-key')),
      );
      const winner = mixed.filter((r) => r.kind === 'created');
      expect(winner).toHaveLength(1);
      for (const r of mixed) {
        if (r.kind === 'replayed') expect(r.record).toEqual(winner[0]?.kind === 'created' && winner[0].record);
      }
      expect((await allCases(ctx)).length).toBe(2);
    });
  });

  describe('cases: lists and open cases', () => {
    const seed = async (): Promise<number> => {
      const { cases, contacts } = ctx.db;
      const otherId = await contacts.addContact({
        firstName: 'Alan',
        lastName: 'Turing',
        email: null,
        accountId: null,
        phones: [phone('phone', '+44 20 7946 0958'), phone('mobile', '(646) 555-0111')],
      });
      await cases.create(ctx.newCase({ subject: 'A1' }), null); // 1001 Ada
      await cases.create(ctx.newCase({ subject: 'T1', contactId: otherId, ani: null, aniE164: null, type: 'billing_question', queue: 'billing' }), null); // 1002
      await cases.create(ctx.newCase({ subject: 'A2', status: 'closed', disposition: 'resolved', agent: 'bob' }), null); // 1003
      // A caller from Alan's number, not linked to him: matches by ANI only.
      await cases.create(ctx.newCase({ subject: 'X1', contactId: null, ani: '0044 20 7946 0958', aniE164: null, assignee: null }), null); // 1004
      await cases.create(ctx.newCase({ subject: 'A3', status: 'pending', type: 'feature_request', assignee: 'carol' }), null); // 1005
      return otherId;
    };

    it('lists newest first, filtered by contact, type, status, agent, assignee, queue and taken or not', async () => {
      await seed();
      const s = ctx.subjects;
      expect(await s({})).toEqual(['A3', 'X1', 'A2', 'T1', 'A1']);
      expect(await s({ contactId: ctx.adaId })).toEqual(['A3', 'A2', 'A1']);
      expect(await s({ type: 'billing_question' })).toEqual(['T1']);
      expect(await s({ status: 'closed' })).toEqual(['A2']);
      expect(await s({ agent: 'bob' })).toEqual(['A2']);
      expect(await s({ assignee: 'alice' })).toEqual(['T1', 'A1']);
      expect(await s({ assignee: 'carol' })).toEqual(['A3']);
      expect(await s({ queue: 'billing' })).toEqual(['T1']);
      expect(await s({ unassigned: true })).toEqual(['X1']);
      expect(await s({ unassigned: false, queue: 'support' })).toEqual(['A3', 'A2', 'A1']);
      expect(await s({ contactId: ctx.adaId, status: 'open' })).toEqual(['A1']);
      expect(await s({ limit: 2, offset: 1 })).toEqual(['X1', 'A2']);
    });

    it('matches a phone in any written form against the ANI or the contact numbers', async () => {
      await seed();
      const s = ctx.subjects;
      expect(await s({ phone: '415.555.0123' })).toEqual(['A3', 'A2', 'A1']);
      expect(await s({ phone: 'tel:+1-415-555-0123' })).toEqual(['A3', 'A2', 'A1']);
      expect(await s({ phone: '011 44 20 7946 0958' })).toEqual(['X1', 'T1']);
      expect(await s({ phone: '646-555-0111' })).toEqual(['T1']);
      expect(await s({ phone: '+1 312 555 0199' })).toEqual([]);
      expect(await s({ phone: 'anonymous' })).toEqual([]);
      expect(await s({ phone: '  ' })).toEqual(['A3', 'X1', 'A2', 'T1', 'A1']);
    });

    it('defaults the page to 50 and caps it at 500', async () => {
      for (let i = 0; i < 505; i++) await ctx.db.cases.create(ctx.newCase({ subject: `bulk ${i}`, ivrPath: [] }), null);
      const { cases } = ctx.db;
      expect(await cases.list({})).toHaveLength(50);
      expect(await cases.list({ limit: 10_000 })).toHaveLength(500);
      expect(await cases.list({ limit: 0 })).toHaveLength(1);
      expect(await cases.list({ limit: Number.NaN })).toHaveLength(500);
      expect((await cases.list({ offset: -5, limit: 1 }))[0]?.subject).toBe('bulk 504');
      expect((await cases.list({ offset: 504 }))[0]?.subject).toBe('bulk 0');
    });

    it('gives the open cases of one or several contacts, newest first, cut at the limit', async () => {
      const otherId = await seed();
      const { cases } = ctx.db;
      expect(await cases.openCasesFor([ctx.adaId], 5)).toEqual([
        { number: '00001005', subject: 'A3', type: 'feature_request', status: 'pending', priority: 'high', createdAt: iso(6) },
        { number: '00001001', subject: 'A1', type: 'technical_support', status: 'open', priority: 'high', createdAt: iso(2) },
      ]);
      const sub = async (ids: number[], limit: number) => (await cases.openCasesFor(ids, limit)).map((c) => c.subject);
      expect(await sub([ctx.adaId, otherId], 5)).toEqual(['A3', 'T1', 'A1']);
      expect(await sub([ctx.adaId, otherId], 2)).toEqual(['A3', 'T1']);
      expect(await sub([ctx.adaId], 1.9)).toEqual(['A3']);
      expect(await sub([ctx.adaId], 0)).toEqual([]);
      expect(await sub([], 5)).toEqual([]);
      expect(await sub([12_345], 5)).toEqual([]);
      for (let limit = 1; limit <= 20; limit++) expect(await cases.openCasesFor([ctx.adaId, otherId], limit)).toHaveLength(Math.min(limit, 3));
    });
  });

  describe('cases: changes and tier escalation', () => {
    it('applies what differs, records the first response once and an updated event per change', async () => {
      const { cases } = ctx.db;
      const c = created(await cases.create(ctx.newCase({ status: 'new' }), null));
      // The creator completing the form: no first response, an event by the creator.
      const own = await cases.update(c.number, { description: 'More smoke.' }, null);
      expect(own).toMatchObject({ changed: ['description'], record: { description: 'More smoke.', firstResponseAt: null } });
      const r1 = await cases.update(c.number, { status: 'open', priority: 'high', subject: c.subject }, { at: iso(100), by: 'bob' });
      expect(r1?.changed).toEqual(['status']);
      expect(r1?.record).toMatchObject({ status: 'open', firstResponseAt: iso(100), firstResponseBy: 'bob' });
      const r2 = await cases.update(c.number, { status: 'closed', disposition: 'resolved' }, { at: iso(200), by: 'carol' }, { at: iso(201), by: 'carol' });
      expect(r2?.record).toMatchObject({ status: 'closed', disposition: 'resolved', firstResponseAt: iso(100), firstResponseBy: 'bob' });
      // Nothing differs: nothing written.
      expect(await cases.update(c.number, { status: 'closed' }, { at: iso(300), by: 'dave' })).toEqual({ record: r2?.record, changed: [] });
      expect(await cases.update('00009999', { status: 'open' }, null)).toBeNull();
      expect(await cases.update('nope', { status: 'open' }, null)).toBeNull();
      const events = await cases.events(c.number);
      expect(events?.map((e) => [e.kind, e.by, e.at, e.fields])).toEqual([
        ['created', 'alice', iso(1), []],
        ['updated', 'alice', iso(2), ['description']],
        ['updated', 'bob', iso(100), ['status']],
        ['updated', 'carol', iso(201), ['status', 'disposition']],
      ]);
      expect(await cases.get(c.number)).toEqual(r2?.record);
    });

    it('escalates to another queue, unassigned, opening a new case; a closed one stays put', async () => {
      const { cases } = ctx.db;
      const c = created(await cases.create(ctx.newCase({ status: 'new', queue: 'tier1' }), null));
      const up = await cases.escalate(c.number, { toQueue: 'tier2', by: 'alice', note: 'Needs a field engineer.', at: iso(50) });
      expect(up).toEqual({ kind: 'escalated', record: { ...c, queue: 'tier2', assignee: null, status: 'open' } });
      const pending = created(await cases.create(ctx.newCase({ status: 'pending', queue: 'tier1' }), null));
      expect((await cases.escalate(pending.number, { toQueue: 'tier2', by: 'alice', note: null, at: iso(51) }))?.record.status).toBe('pending');
      const closed = created(await cases.create(ctx.newCase({ status: 'closed', disposition: 'resolved' }), null));
      expect(await cases.escalate(closed.number, { toQueue: 'tier2', by: 'alice', note: null, at: iso(52) })).toEqual({ kind: 'closed', record: closed });
      expect(await cases.events(closed.number)).toHaveLength(1);
      expect(await cases.escalate('00009999', { toQueue: 'tier2', by: 'alice', note: null, at: iso(53) })).toBeNull();
      expect((await cases.events(c.number))?.at(-1)).toEqual({
        at: iso(50), by: 'alice', kind: 'escalated', fromQueue: 'tier1', toQueue: 'tier2', assignee: null, note: 'Needs a field engineer.', fields: [],
      });
      expect((await cases.list({ queue: 'tier2', unassigned: true })).map((r) => r.number)).toEqual([pending.number, c.number]);
    });

    it('lets one agent take an unassigned case; the next finds it taken', async () => {
      const { cases } = ctx.db;
      const c = created(await cases.create(ctx.newCase({ queue: 'tier1' }), null));
      expect(await cases.assign(c.number, { assignee: 'bob', by: 'bob', at: iso(10) })).toEqual({ kind: 'taken', record: c });
      await cases.escalate(c.number, { toQueue: 'tier2', by: 'alice', note: null, at: iso(20) });
      const taken = await cases.assign(c.number, { assignee: 'bob', by: 'supervisor', at: iso(30) });
      expect(taken).toMatchObject({ kind: 'assigned', record: { assignee: 'bob', queue: 'tier2' } });
      expect(await cases.assign(c.number, { assignee: 'carol', by: 'carol', at: iso(40) })).toMatchObject({ kind: 'taken', record: { assignee: 'bob' } });
      expect(await cases.list({ assignee: 'bob' })).toEqual([taken?.record]);
      expect((await cases.events(c.number))?.map((e) => [e.kind, e.by, e.assignee, e.fromQueue, e.toQueue])).toEqual([
        ['created', 'alice', 'alice', null, 'tier1'],
        ['escalated', 'alice', null, 'tier1', 'tier2'],
        ['assigned', 'supervisor', 'bob', null, null],
      ]);
      const closed = created(await cases.create(ctx.newCase({ status: 'closed', assignee: null }), null));
      expect(await cases.assign(closed.number, { assignee: 'bob', by: 'bob', at: iso(50) })).toEqual({ kind: 'closed', record: closed });
      expect(await cases.assign('00009999', { assignee: 'bob', by: 'bob', at: iso(50) })).toBeNull();
    });

    it('gives a case to exactly one of several agents taking it at once, from two connections', async () => {
      const second = await ctx.sut.openSecond();
      const c = created(await ctx.db.cases.create(ctx.newCase({ assignee: null }), null));
      const agents = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
      const results = await Promise.all(agents.map((a, i) => (i % 2 ? second : ctx.db).cases.assign(c.number, { assignee: a, by: a, at: iso(10 + i) })));
      const winners = results.filter((r) => r?.kind === 'assigned');
      expect(winners).toHaveLength(1);
      const winner = winners[0]?.record.assignee;
      for (const r of results) if (r?.kind === 'taken') expect(r.record.assignee).toBe(winner);
      expect((await ctx.db.cases.get(c.number))?.assignee).toBe(winner);
      expect((await second.cases.events(c.number))?.filter((e) => e.kind === 'assigned').map((e) => e.assignee)).toEqual([winner]);
    });
  });
}

async function allCases(ctx: Ctx): Promise<CaseRecord[]> {
  return ctx.db.cases.list({ limit: 500 });
}
