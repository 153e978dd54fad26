/**
 * Caller lookup over 1,000,000 contacts: normalize the ANI and find its contacts,
 * with accounts and open cases, in the file store `switchboard import contacts`
 * built from the import bench's CSV (contacts-dataset.ts), plus 200,000 cases.
 * Baseline, same run, same store: the bare prepared, indexed SELECT on the
 * already-normalized number.
 *
 * The mix, in the forms PBXs send (`+1...`, `sip:+1...@host;user=phone`,
 * `1415...`, `415...`): 50% one contact by phone, 10% one contact by mobile,
 * 10% a number two contacts share, 5% a number five share, 20% unknown numbers,
 * 5% withheld or invalid.
 */
import { lookupCaller } from '../connector/lookup.js';
import { normalizePhone } from '../connector/phone/normalize.js';
import { openDatabase } from '../connector/store/db.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';
import { dataset, missOf, mobileOf, numberOf, ROWS } from './contacts-dataset.js';
import { percentile, timeEach, type Bench } from './harness.js';

const LOOKUPS = 50_000;
const CASES = 200_000;

export const lookupBench: Bench = {
  name: 'lookup',
  async run() {
    const d = await dataset();
    const db = openDatabase(d.dataDir);
    const contacts = new SqliteContactStore(db);
    const cases = new SqliteCaseStore(db, { defaultRegion: 'US' });
    let seed = 42;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const maxContact = (db.prepare('SELECT max(id) AS n FROM contacts').get() as { n: number }).n;
    // Open and closed cases on random contacts (once per dataset).
    if ((db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n < CASES) {
      const insert = db.prepare(
        `INSERT INTO cases (subject, type, priority, status, origin, description, contact_id, agent, created_at)
         VALUES (?, 'technical_support', 'medium', ?, 'phone', '', ?, 'agent0001', '2026-01-01T00:00:00.000Z')`,
      );
      db.transaction(() => {
        for (let i = 0; i < CASES; i++) insert.run(`Case ${i}`, i % 5 < 3 ? 'open' : 'closed', 1 + Math.floor(rand() * maxContact));
      })();
    }

    // A row whose own number is stored (not one of the planted bad or duplicate rows).
    const row = (pick: () => number): number => {
      for (;;) {
        const i = pick();
        if (i % 2000 < 1998) return i;
      }
    };
    const anyRow = (): number => Math.floor(rand() * ROWS);
    const form = (e164: string, r: number): string =>
      r < 0.5 ? e164 : r < 0.65 ? `sip:${e164}@10.0.0.1;user=phone` : r < 0.75 ? e164.slice(1) : e164.slice(2);
    const anis: string[] = [];
    const expected: Array<'one' | 'many' | 'none'> = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const r = rand();
      const f = rand();
      let e164: string | null = null;
      let want: 'one' | 'many' | 'none' = 'one';
      if (r < 0.5) {
        // One contact: not a shared line.
        e164 = numberOf(
          row(() => {
            for (;;) {
              const k = anyRow();
              if (k % 10 < 8 && k % 1000 > 4) return k;
            }
          }),
        );
      } else if (r < 0.6) {
        // One contact by mobile (rows 3j have one).
        e164 = mobileOf(row(() => Math.floor(rand() * (ROWS / 3)) * 3));
      } else if (r < 0.7) {
        e164 = numberOf(row(() => Math.floor(rand() * (ROWS / 10)) * 10 + 8));
        want = 'many';
      } else if (r < 0.75) {
        e164 = numberOf(Math.floor(rand() * (ROWS / 1000)) * 1000);
        want = 'many';
      } else if (r < 0.95) {
        e164 = missOf(anyRow());
        want = 'none';
      } else {
        want = 'none';
      }
      anis.push(e164 ? form(e164, f) : (['anonymous', '', 'sip:anonymous@anonymous.invalid', '12345'][i % 4] as string));
      expected.push(want);
    }
    const e164s = anis.map((a) => normalizePhone(a, 'US').e164).filter((e): e is string => e !== null);
    const bare = db.prepare('SELECT contact_id FROM contact_phones WHERE e164 = ?');
    const deps = { contacts, cases, defaultRegion: 'US' as const };

    // The outcomes are the planned ones (the dataset and the lookup agree).
    const wrong = anis.filter((a, i) => lookupCaller(a, deps).outcome !== expected[i]).length;
    if (wrong > 0) throw new Error(`lookup: ${wrong} of ${LOOKUPS} outcomes differ from the plan`);

    // Warm both paths, then measure each over the whole mix.
    timeEach(anis.slice(0, 5_000), (a) => lookupCaller(a, deps));
    timeEach(e164s.slice(0, 5_000), (e) => bare.all(e));
    const base = timeEach(e164s, (e) => bare.all(e));
    const full = timeEach(anis, (a) => lookupCaller(a, deps));
    const normalizeOnly = timeEach(anis, (a) => normalizePhone(a, 'US'));
    db.close();
    const p99 = percentile(full, 99);
    return {
      title: `ANI lookup over ${ROWS.toLocaleString('en')} contacts and ${CASES.toLocaleString('en')} cases (normalize + contacts + accounts + open cases)`,
      command: 'npm run bench -- lookup',
      baselineDescription: 'a prepared, indexed SELECT on the already-normalized number, same store',
      figures: [
        { name: 'lookup p50', value: percentile(full, 50), baseline: percentile(base, 50), unit: 'us', better: 'lower' },
        { name: 'lookup p99', value: p99, baseline: percentile(base, 99), unit: 'us', better: 'lower' },
        { name: 'lookup max', value: percentile(full, 100), baseline: percentile(base, 100), unit: 'us', better: 'lower' },
        { name: 'of which normalize p50', value: percentile(normalizeOnly, 50), unit: 'us', better: 'lower' },
        { name: 'of which normalize p99', value: percentile(normalizeOnly, 99), unit: 'us', better: 'lower' },
      ],
      notes: [
        `Target p99 under 1 ms: ${p99.toFixed(1)} us, ${p99 < 1000 ? 'met' : 'NOT met'}.`,
        `${LOOKUPS.toLocaleString('en')} lookups: 50% one contact by phone, 10% by mobile, 10% a number 2 contacts share, 5% one 5 share, 20% unknown, 5% withheld or invalid; ANIs as PBXs send them (\`+1...\` half the time, else \`sip:+1...@host;user=phone\`, \`1415...\`, \`415...\`). Every outcome is checked against the plan first.`,
        'The store is the file database the import bench wrote (WAL), read through the same prepared statements the connector uses. The lookup runs once per call while the caller is in the IVR, never on the pop path.',
      ],
    };
  },
};
