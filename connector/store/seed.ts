/**
 * Demo data: about 10 accounts, 300 contacts and some cases, the same on
 * every run (a seeded PRNG and a fixed clock, no Math.random, no wall time).
 *
 * Numbers are written the way people type them, in every form the
 * normalizer reads, and all lie in ranges reserved for fiction: NANP
 * 555-0100..0199, Ofcom's drama range 020 7946 0000..0999, and
 * 03-1234-56xx / 06-1234-56xx for Japan.
 *
 * Regions: a number written in national form is stored with the region it
 * was written for (`US` for `(415) 555-0123`, `GB` for `020 7946 0123`, `JP`
 * for `03-1234-5678`, `US` for the NANP exit code `011 44 ...`), exactly as
 * the CSV import does with its `country` column. The demo numbers therefore
 * normalize the same whatever the deployment's default region; numbers in
 * international form (`+`, `00`) need no hint and are read under `region`.
 */
import type { CaseStatus, CaseType, CasePriority, IvrStep } from '../protocol.js';
import { normalizePhone, type CountryCode } from '../phone/normalize.js';
import type { DataLayer } from './data-layer.js';
import type { Database } from './db.js';
import { SqliteCaseStore } from './sqlite-cases.js';
import { SqliteContactStore, type ContactPhoneInput, type PhoneKind } from './sqlite-contacts.js';
import type { AccountInput, ContactInput, Disposition, NewCase } from './types.js';

/** Ada Lovelace's number, written `(415) 555-0123`; one contact, account Analytical Engines Ltd. */
export const ADA_RAW = '(415) 555-0123';
export const ADA_E164 = '+14155550123';
export const ADA_ACCOUNT_NUMBER = 'ACC-1001';
export const ADA_ACCOUNT_NAME = 'Analytical Engines Ltd';
/** Main line of Difference Works Inc, shared by 3 contacts: a lookup gives `many`. */
export const SHARED_RAW = '+1 (212) 555-0100';
export const SHARED_E164 = '+12125550100';
export const SHARED_ACCOUNT_NUMBER = 'ACC-1002';
/** A valid number in the fictional range that no demo contact has. */
export const UNKNOWN_E164 = '+13125550199';

export interface SeedReport {
  /** False when the database already had accounts and nothing was written. */
  seeded: boolean;
  accounts: number;
  contacts: number;
  cases: number;
}

/** Clock of the seeded rows: a fixed start, so runs are identical. */
const SEED_EPOCH = Date.parse('2025-03-03T09:00:00.000Z');
const CONTACT_COUNT = 300;
const RESERVED = new Set([ADA_E164, SHARED_E164, UNKNOWN_E164]);

const ACCOUNTS: Array<{ name: string; number: string; tier: 'standard' | 'priority'; country: 'US' | 'GB' | 'JP' }> = [
  { name: ADA_ACCOUNT_NAME, number: ADA_ACCOUNT_NUMBER, tier: 'priority', country: 'GB' },
  { name: 'Difference Works Inc', number: SHARED_ACCOUNT_NUMBER, tier: 'standard', country: 'US' },
  { name: 'Jacquard Looms Co', number: 'ACC-1003', tier: 'priority', country: 'US' },
  { name: 'Hollerith Tabulating', number: 'ACC-1004', tier: 'standard', country: 'US' },
  { name: 'Thames Telegraph plc', number: 'ACC-1005', tier: 'standard', country: 'GB' },
  { name: 'Kanda Keisanki KK', number: 'ACC-1006', tier: 'standard', country: 'JP' },
  { name: 'Bletchley Ciphers Ltd', number: 'ACC-1007', tier: 'priority', country: 'GB' },
  { name: 'Menlo Phonograph Co', number: 'ACC-1008', tier: 'standard', country: 'US' },
  { name: 'Pascaline Partners', number: 'ACC-1009', tier: 'standard', country: 'US' },
  { name: 'Osaka Relay Works', number: 'ACC-1010', tier: 'priority', country: 'JP' },
];

const FIRST_NAMES = [
  'Grace', 'Alan', 'Katherine', 'John', 'Margaret', 'Claude', 'Hedy', 'Dennis', 'Barbara', 'Ken',
  'Frances', 'Edsger', 'Radia', 'Donald', 'Sophie', 'Tim', 'Annie', 'Niklaus', 'Jean', 'Yukihiro',
  'Hiro', 'Emi', 'Kenji', 'Aiko', 'Oliver', 'Amelia', 'Priya', 'Mateo', 'Chloe', 'Omar',
];
const LAST_NAMES = [
  'Hopper', 'Turing', 'Johnson', 'Backus', 'Hamilton', 'Shannon', 'Lamarr', 'Ritchie', 'Liskov', 'Thompson',
  'Allen', 'Dijkstra', 'Perlman', 'Knuth', 'Wilson', 'Berners-Lee', 'Easley', 'Wirth', 'Bartik', 'Matsumoto',
  'Tanaka', 'Sato', 'Suzuki', 'Watanabe', 'Clarke', 'Evans', 'Patel', 'Garcia', 'Nguyen', 'Haddad',
];

type Formatter = (n: string, ext: string) => { raw: string; hint: CountryCode | null };

/** `n`: area code + line, `4155550123`. Every form people and PBXs use. */
const US_FORMATS: Formatter[] = [
  (n) => national(`(${n.slice(0, 3)}) 555-${n.slice(6)}`),
  (n) => national(`${n.slice(0, 3)}.555.${n.slice(6)}`),
  (n) => national(`${n.slice(0, 3)}-555-${n.slice(6)}`),
  (n) => intl(`+1 ${n.slice(0, 3)} 555 ${n.slice(6)}`),
  (n) => national(`1-${n.slice(0, 3)}-555-${n.slice(6)}`),
  (n) => national(n),
  (n, ext) => intl(`+1 (${n.slice(0, 3)}) 555-${n.slice(6)} x${ext}`),
  (n, ext) => national(`${n.slice(0, 3)}-555-${n.slice(6)} ext. ${ext}`),
  (n, ext) => national(`(${n.slice(0, 3)}) 555-${n.slice(6)} ext ${ext}`),
  (n, ext) => national(`${n.slice(0, 3)}.555.${n.slice(6)} #${ext}`),
  (n, ext) => intl(`tel:+1-${n.slice(0, 3)}-555-${n.slice(6)};ext=${ext}`),
  (n) => intl(`tel:+1${n}`),
  (n) => intl(`sip:+1${n}@pbx.example.com`),
  (n) => national(`<sip:${n}@pbx.example.com>`),
];
/** `n`: the last 3 digits of 020 7946 0xxx. */
const GB_FORMATS: Formatter[] = [
  (n) => intl(`+44 20 7946 0${n}`),
  (n) => intl(`0044 20 7946 0${n}`),
  (n) => ({ raw: `011 44 20 7946 0${n}`, hint: 'US' }),
  (n) => ({ raw: `020 7946 0${n}`, hint: 'GB' }),
  (n) => intl(`+44 (0)20 7946 0${n}`),
  (n, ext) => intl(`+44 20 7946 0${n} ext. ${ext}`),
];
/** `n`: `3-1234-56xx` or `6-1234-56xx`. */
const JP_FORMATS: Formatter[] = [
  (n) => ({ raw: `0${n}`, hint: 'JP' }),
  (n) => intl(`+81 ${n.replaceAll('-', ' ')}`),
  (n) => intl(`+81-${n}`),
  (n) => ({ raw: `(0${n.slice(0, 1)}) ${n.slice(2)}`, hint: 'JP' }),
  (n) => intl(`0081 ${n.replaceAll('-', ' ')}`),
];

function national(raw: string): { raw: string; hint: CountryCode } {
  return { raw, hint: 'US' };
}
function intl(raw: string): { raw: string; hint: null } {
  return { raw, hint: null };
}

/** mulberry32: small, fast and good enough to pick demo names. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function pick<T>(items: readonly T[], rand: () => number): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** Endless supply of distinct numbers of one country, in a seeded order. */
function numberPools(rand: () => number): Record<'US' | 'GB' | 'JP', () => string> {
  const us: string[] = [];
  for (const area of ['415', '212', '312', '617', '206', '512', '303', '646']) {
    for (let line = 100; line < 200; line++) us.push(`${area}5550${line}`);
  }
  const gb = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
  const jp: string[] = [];
  for (const area of ['3', '6']) for (let i = 0; i < 100; i++) jp.push(`${area}-1234-56${String(i).padStart(2, '0')}`);
  const draw = (pool: string[]): (() => string) => {
    let i = 0;
    return () => {
      const n = pool[i++];
      if (n === undefined) throw new Error('demo number pool exhausted');
      return n;
    };
  };
  return {
    US: draw(shuffled(us, rand).filter((n) => !RESERVED.has(`+1${n}`))),
    GB: draw(shuffled(gb, rand)),
    JP: draw(shuffled(jp, rand)),
  };
}

/** The demo rows, in the order they are written; accounts and contacts referred to by index. */
interface DemoPlan {
  accounts: AccountInput[];
  contacts: Array<{ input: Omit<ContactInput, 'accountId'>; account: number | null }>;
  cases: Array<{ contact: number; input: Omit<NewCase, 'contactId'> }>;
}

/** The demo data as a plan (deterministic: a seeded PRNG), written by either store. */
function demoPlan(region: CountryCode): DemoPlan {
  const rand = prng(20250303);
  const phone = (kind: PhoneKind, written: { raw: string; hint: CountryCode | null }): ContactPhoneInput => {
    const read = written.hint ?? region;
    const n = normalizePhone(written.raw, read);
    if (n.e164 === null) throw new Error(`demo number ${written.raw} does not normalize under ${read}`);
    return { kind, raw: written.raw, e164: n.e164, extension: n.extension, region: read };
  };
  const plan: DemoPlan = { accounts: ACCOUNTS.map((a) => ({ name: a.name, accountNumber: a.number, tier: a.tier })), contacts: [], cases: [] };
  const add = (first: string, last: string, account: number | null, phones: ContactPhoneInput[]): number => {
    const email = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + '@example.com';
    plan.contacts.push({ input: { firstName: first, lastName: last, email, phones }, account });
    return plan.contacts.length - 1;
  };

  const ada = add('Ada', 'Lovelace', 0, [phone('phone', national(ADA_RAW))]);
  const shared = ['Charles Babbage', 'Mary Somerville', 'Augustus De Morgan'].map((name, i) => {
    const [first = '', last = ''] = name.split(/ (.*)/);
    return add(first, last, 1, [phone('phone', intl(`${SHARED_RAW} x${201 + i}`))]);
  });

  const pools = numberPools(rand);
  const formatIndex = { US: 0, GB: 0, JP: 0 };
  const formats = { US: US_FORMATS, GB: GB_FORMATS, JP: JP_FORMATS };
  const written = (country: 'US' | 'GB' | 'JP'): { raw: string; hint: CountryCode | null } => {
    // Round-robin over the forms, so every one of them is in the data.
    const list = formats[country];
    const format = list[formatIndex[country]++ % list.length] as Formatter;
    return format(pools[country](), String(100 + Math.floor(rand() * 900)));
  };
  while (plan.contacts.length < CONTACT_COUNT) {
    // One contact in 20 has no account (a lead, or a private caller).
    const accountIndex = rand() < 0.05 ? -1 : Math.floor(rand() * ACCOUNTS.length);
    const country = ACCOUNTS[accountIndex]?.country ?? 'US';
    const phones = [phone('phone', written(country))];
    if (rand() < 0.3) phones.push(phone('mobile', written('US')));
    add(pick(FIRST_NAMES, rand), pick(LAST_NAMES, rand), accountIndex === -1 ? null : accountIndex, phones);
  }

  const open = (contact: number, subject: string, type: CaseType, status: CaseStatus, extra: Partial<NewCase> = {}): void => {
    const { contactId: _unused, ...input } = demoCase(0, subject, type, status, extra);
    plan.cases.push({ contact, input });
  };
  open(ada, 'Mill loses carry on long additions', 'technical_support', 'closed', { disposition: 'resolved' });
  open(ada, 'Invoice billed at standard tier', 'billing_question', 'open', { priority: 'high' });
  open(ada, 'Export programs to punched cards', 'feature_request', 'new');
  open(shared[0] ?? 0, 'Main line drops transfers', 'technical_support', 'open');
  open(shared[1] ?? 0, 'Update billing address', 'customer_info_change', 'closed', { disposition: 'resolved' });

  const types: CaseType[] = ['technical_support', 'billing_question', 'feature_request', 'customer_info_change'];
  const statuses: CaseStatus[] = ['new', 'open', 'pending', 'closed'];
  const priorities: CasePriority[] = ['low', 'medium', 'high', 'urgent'];
  const others = plan.contacts.slice(4).map((_, i) => i + 4);
  for (let i = 0; i < 30; i++) {
    const status = pick(statuses, rand);
    open(pick(others, rand), `Demo case ${i + 1}`, pick(types, rand), status, {
      priority: pick(priorities, rand),
      disposition: status === 'closed' ? 'resolved' : null,
    });
  }
  return plan;
}

/** The clock of the seeded rows: each reading is the next minute from a fixed start, so runs are identical. */
export function demoSeedClock(): () => Date {
  let tick = 0;
  return () => new Date(SEED_EPOCH + 60_000 * tick++);
}

/**
 * Writes the demo data if the database has no accounts yet; otherwise does
 * nothing. Everything is written in one transaction.
 *
 * @param region the deployment's default region: reads the numbers written
 *   in international form and the numbers of contacts the case store creates.
 */
export function seedDemoData(db: Database, region: CountryCode): SeedReport {
  const now = demoSeedClock();
  const contacts = new SqliteContactStore(db, { now });
  const cases = new SqliteCaseStore(db, { defaultRegion: region, now });
  const plan = demoPlan(region);
  return db.transaction((): SeedReport => {
    const existing = db.prepare('SELECT count(*) FROM accounts').pluck().get() as number;
    if (existing > 0) return { seeded: false, accounts: 0, contacts: 0, cases: 0 };
    const accountIds = plan.accounts.map((a) => contacts.addAccount(a));
    const contactIds = plan.contacts.map((c) => contacts.addContact({ ...c.input, accountId: c.account === null ? null : (accountIds[c.account] ?? null) }));
    for (const c of plan.cases) cases.create({ ...c.input, contactId: contactIds[c.contact] ?? null }, null);
    return { seeded: true, accounts: accountIds.length, contacts: contactIds.length, cases: plan.cases.length };
  })();
}

/**
 * {@link seedDemoData} over a data layer (PostgreSQL in scale-out mode): the same rows,
 * written one by one, if the layer has no accounts yet. Open `layer` with
 * {@link demoSeedClock} as its clock for the seeded times.
 *
 * Not one transaction: nodes starting together may both find no accounts; the later
 * one then fails on the unique account number and writes nothing (resolves `seeded:
 * false`). A failure half-way leaves part of the demo data (demo data only).
 */
export async function seedDemoDataLayer(layer: Pick<DataLayer, 'contacts' | 'cases'>, region: CountryCode): Promise<SeedReport> {
  const none: SeedReport = { seeded: false, accounts: 0, contacts: 0, cases: 0 };
  if ((await layer.contacts.listAccounts()).length > 0) return none;
  const plan = demoPlan(region);
  const accountIds: number[] = [];
  for (const [i, a] of plan.accounts.entries()) {
    try {
      accountIds.push(await layer.contacts.addAccount(a));
    } catch (err) {
      // Another node seeding at the same moment took the first account number.
      if (i === 0 && (err as { code?: unknown }).code === '23505') return none;
      throw err;
    }
  }
  const contactIds: number[] = [];
  for (const c of plan.contacts) {
    contactIds.push(await layer.contacts.addContact({ ...c.input, accountId: c.account === null ? null : (accountIds[c.account] ?? null) }));
  }
  for (const c of plan.cases) await layer.cases.create({ ...c.input, contactId: contactIds[c.contact] ?? null }, null);
  return { seeded: true, accounts: accountIds.length, contacts: contactIds.length, cases: plan.cases.length };
}

function demoCase(
  contactId: number,
  subject: string,
  type: CaseType,
  status: CaseStatus,
  extra: Partial<NewCase>,
): NewCase {
  const at = new Date(SEED_EPOCH).toISOString();
  const ivrPath: IvrStep[] = [
    { node: 'main-menu', event: 'entered', at },
    { node: 'main-menu', event: 'key', key: '1', at },
    { node: 'main-menu', event: 'routed', queue: 'support', at },
  ];
  const disposition: Disposition | null = status === 'closed' ? 'resolved' : null;
  return {
    subject,
    type,
    priority: 'medium',
    status,
    origin: 'phone',
    description: `${subject} (demo data).`,
    disposition,
    contactId,
    newContact: null,
    callId: null,
    ani: null,
    aniE164: null,
    dnis: '+18005550100',
    queue: 'support',
    ivrPath,
    waitSeconds: 42,
    talkSeconds: 180,
    agent: 'alice',
    ...extra,
  };
}
