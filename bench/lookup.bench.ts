/**
 * Caller lookup: normalize the ANI and find its contacts, with accounts and open
 * cases, over a store of 100,000 contacts. Baseline: the bare indexed SELECT on the
 * normalized number with a prepared statement, in the same run on the same data.
 * The mix: 60% hits (one contact), 10% shared numbers (several), 30% misses, written
 * in assorted human forms.
 */
import { lookupCaller } from '../connector/lookup.js';
import { normalizePhone } from '../connector/phone/normalize.js';
import { openDatabase } from '../connector/store/db.js';
import { SqliteCaseStore } from '../connector/store/sqlite-cases.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';
import { percentile, timeEach, type Bench } from './harness.js';

const CONTACTS = 100_000;
const LOOKUPS = 20_000;

const numberOf = (i: number): string => `+1415${String(2_000_000 + i).padStart(7, '0')}`;
const human = (e164: string, i: number): string => {
  const d = e164.slice(2);
  switch (i % 3) {
    case 0: return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
    case 1: return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`;
    default: return e164;
  }
};

export const lookupBench: Bench = {
  name: 'lookup',
  async run() {
    const db = openDatabase(':memory:');
    const contacts = new SqliteContactStore(db);
    const cases = new SqliteCaseStore(db, { defaultRegion: 'US' });
    db.transaction(() => {
      for (let i = 0; i < CONTACTS; i++) {
        // Every 10th number is shared by the next contact too (a main line).
        const n = i % 10 === 1 ? numberOf(i - 1) : numberOf(i);
        contacts.addContact({ firstName: `First${i}`, lastName: `Last${i}`, email: null, accountId: null, phones: [{ raw: n, e164: n, extension: null, kind: 'phone', region: 'US' }] });
      }
    })();
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const anis: string[] = [];
    const e164s: string[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const r = rand();
      const k = Math.floor(rand() * CONTACTS);
      const e164 = r < 0.6 ? numberOf(k - (k % 10 === 1 ? 1 : 0)) : r < 0.7 ? numberOf(k - (k % 10)) : `+1312${String(5_000_000 + k).padStart(7, '0')}`;
      anis.push(human(e164, i));
      e164s.push(e164);
    }
    const bare = db.prepare('SELECT contact_id FROM contact_phones WHERE e164 = ?');
    const deps = { contacts, cases, defaultRegion: 'US' as const };
    // Warm both paths first.
    timeEach(anis.slice(0, 2_000), (a) => lookupCaller(a, deps));
    timeEach(e164s.slice(0, 2_000), (e) => bare.all(e));
    const base = timeEach(e164s, (e) => bare.all(e));
    const full = timeEach(anis, (a) => lookupCaller(a, deps));
    const normalizeOnly = timeEach(anis, (a) => normalizePhone(a, 'US'));
    db.close();
    return {
      title: `ANI lookup over ${CONTACTS.toLocaleString('en')} contacts (normalize + contacts + accounts + open cases)`,
      command: 'npm run bench -- lookup',
      baselineDescription: 'a prepared, indexed SELECT on the already-normalized number',
      figures: [
        { name: 'lookup p50', value: percentile(full, 50), baseline: percentile(base, 50), unit: 'us', better: 'lower' },
        { name: 'lookup p99', value: percentile(full, 99), baseline: percentile(base, 99), unit: 'us', better: 'lower' },
        { name: 'lookup max', value: percentile(full, 100), baseline: percentile(base, 100), unit: 'us', better: 'lower' },
        { name: 'of which normalize p50', value: percentile(normalizeOnly, 50), baseline: percentile(base, 50), unit: 'us', better: 'lower' },
      ],
      notes: [
        'The lookup runs once per call while the caller is in the IVR, never on the pop path.',
        '`normalize p50` is libphonenumber-js parsing and validating the written number alone; the rest is the contact, account and open-case queries.',
      ],
    };
  },
};
