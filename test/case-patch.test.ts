/**
 * `PATCH /api/cases/:number`: an agent's change to a case, validated per field,
 * nothing written on a bad body, idempotent; the first real change is the case's
 * first response (what the reports' response time measures), except a change its
 * creator makes at the moment of creating it. IVR-opened callback cases get theirs
 * from the first agent who acts on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
let bob: string;
const row = (number: string) =>
  srv.sb.db.prepare('SELECT status, priority, subject, description, disposition, first_response_at, first_response_by FROM cases WHERE number = ?').get(Number(number));

beforeAll(async () => {
  srv = await startTestServer();
  [alice, bob] = await Promise.all([login(srv.url, 'alice'), login(srv.url, 'bob')]);
});
afterAll(async () => {
  await srv?.close();
});

/** A callback case as the IVR opens it (agent `ivr`), `ageMs` ago. */
function ivrCase(ageMs: number): string {
  const store = new SqliteCaseStore(srv.sb.db, { defaultRegion: 'US', now: () => new Date(Date.now() - ageMs) });
  const r = store.create(
    {
      subject: 'Callback request from +14155550123', type: 'technical_support', priority: 'medium', status: 'new', origin: 'phone',
      description: 'The caller asked to be called back at +14155550123.', disposition: 'callback-requested', contactId: null, newContact: null,
      callId: null, ani: '+14155550123', aniE164: '+14155550123', dnis: null, queue: 'support', ivrPath: [], waitSeconds: 30, talkSeconds: null, agent: 'ivr',
    },
    null,
  );
  if (r.kind !== 'created') throw new Error('not created');
  return r.record.number;
}

describe('PATCH /api/cases/:number', () => {
  it('the first agent action on an IVR callback case is its first response; later changes keep it', async () => {
    const number = ivrCase(120_000);
    expect((await api(srv.url, 'GET', `/api/cases/${number}`, { token: alice })).body).toMatchObject({ firstResponseAt: null, firstResponseBy: null });
    const r = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: alice, body: { status: 'open', priority: 'high' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ number, status: 'open', priority: 'high', disposition: 'callback-requested', firstResponseBy: 'alice' });
    const first = r.body.firstResponseAt as string;
    const seconds = (Date.parse(first) - Date.parse(r.body.createdAt)) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(119);
    expect(seconds).toBeLessThan(180);

    // A later change by someone else changes the case, not its first response.
    const later = await api(srv.url, 'PATCH', `/api/cases/${Number(number)}`, { token: bob, body: { status: 'closed', disposition: 'resolved', description: 'Called back; fixed.' } });
    expect(later.body).toMatchObject({ status: 'closed', disposition: 'resolved', description: 'Called back; fixed.', firstResponseAt: first, firstResponseBy: 'alice' });
  });

  it('is idempotent: the same change again writes nothing and answers the same case', async () => {
    const number = ivrCase(60_000);
    const body = { status: 'pending', disposition: null, subject: '  Call back about the printer ' };
    const a = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: bob, body });
    expect(a.body).toMatchObject({ status: 'pending', disposition: null, subject: 'Call back about the printer', firstResponseBy: 'bob' });
    const before = row(number);
    const b = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: bob, body });
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(row(number)).toEqual(before);
  });

  it('a change with no effect is not a response', async () => {
    const number = ivrCase(60_000);
    const r = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: alice, body: { status: 'new', priority: 'medium' } });
    expect(r.body).toMatchObject({ firstResponseAt: null, firstResponseBy: null });
  });

  it('a change by the creator at the moment of logging the case is not a response; another agent\'s is', async () => {
    const created = await api(srv.url, 'POST', '/api/cases', { token: alice, body: { subject: 'Printer jams', type: 'technical_support', origin: 'web' } });
    expect(created.status).toBe(201);
    const number = created.body.number as string;
    const own = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: alice, body: { priority: 'high' } });
    expect(own.body).toMatchObject({ priority: 'high', firstResponseAt: null });
    const other = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: bob, body: { status: 'open' } });
    expect(other.body).toMatchObject({ status: 'open', firstResponseBy: 'bob', firstResponseAt: expect.any(String) });
  });

  it('refuses bad bodies per field, unknown cases and no token; nothing is written', async () => {
    const number = ivrCase(60_000);
    const before = row(number);
    const bad: Array<[unknown, number, string, string[]?]> = [
      [{ status: 'done' }, 400, 'VALIDATION_FAILED', ['status']],
      [{ priority: 3, subject: '' }, 400, 'VALIDATION_FAILED', ['priority', 'subject']],
      [{ status: 'open', agent: 'mallory' }, 400, 'VALIDATION_FAILED', ['agent']],
      [{ status: 'open', firstResponseAt: '2020-01-01T00:00:00Z' }, 400, 'VALIDATION_FAILED', ['firstResponseAt']],
      [{ description: 'x'.repeat(20_001) }, 400, 'VALIDATION_FAILED', ['description']],
      [{}, 400, 'VALIDATION_FAILED'],
      [[], 400, 'VALIDATION_FAILED'],
      ['open', 400, 'INVALID_JSON'],
    ];
    for (const [body, status, code, fields] of bad) {
      const r = await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: alice, body });
      expect([JSON.stringify(body).slice(0, 40), r.status, r.body.error?.code]).toEqual([JSON.stringify(body).slice(0, 40), status, code]);
      if (fields) expect(Object.keys(r.body.error.fields).sort()).toEqual(fields);
    }
    expect((await api(srv.url, 'PATCH', `/api/cases/${number}`, { token: alice, raw: '{"status":' })).body.error.code).toBe('INVALID_JSON');
    expect((await api(srv.url, 'PATCH', '/api/cases/99999999', { token: alice, body: { status: 'open' } })).body.error.code).toBe('CASE_NOT_FOUND');
    expect((await api(srv.url, 'PATCH', '/api/cases/abc', { token: alice, body: { status: 'open' } })).body.error.code).toBe('CASE_NOT_FOUND');
    expect((await api(srv.url, 'PATCH', `/api/cases/${number}`, { body: { status: 'open' } })).status).toBe(401);
    expect(row(number)).toEqual(before);
  });
});
