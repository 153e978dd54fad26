import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../connector/store/db.js';
import { importContactsCsv } from '../connector/store/import-csv.js';
import { SqliteContactStore } from '../connector/store/sqlite-contacts.js';

let dir: string;
let db: Database;
let contacts: SqliteContactStore;
let accountId: number;

function fixture(name: string, lines: string[], eol = '\n'): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join(eol) + eol);
  return path;
}

function phonesOf(e164: string): Array<{ raw: string; kind: string; extension: string | null; region: string }> {
  return db
    .prepare('SELECT raw, kind, extension, region FROM contact_phones WHERE e164 = ? ORDER BY rowid')
    .all(e164) as Array<{ raw: string; kind: string; extension: string | null; region: string }>;
}

const HEADER = 'first_name,last_name,email,phone,mobile,extension,account,country';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-import-'));
  db = openDatabase(':memory:');
  contacts = new SqliteContactStore(db);
  accountId = contacts.addAccount({ name: 'Analytical Engines Ltd', accountNumber: 'ACC-1001', tier: 'priority' });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importContactsCsv', () => {
  it('imports good rows with their numbers normalized under the row country', async () => {
    const path = fixture('good.csv', [
      'First_Name, Last Name ,EMAIL,Phone,Mobile,Extension,Account,Country,notes',
      'Ada,Lovelace,ada@example.com,(415) 555-0123,,,ACC-1001,,first customer',
      'Kenji,Sato,,03-1234-5678,,,ACC-1001,jp,',
      'Alan,Turing,,0044 20 7946 0958,+1 646 555 0111,,,,',
      'Grace,Hopper,,212-555-0142,,x204,,,',
      '"Hopper, Jr.",Grace,,"+1 (212) 555-0143 ext. 9",,,,,"multi',
      'line note"',
      'Hiro,Tanaka,,,090-1234-5678,,,JP,',
    ]);
    const report = await importContactsCsv(db, path, 'US');
    expect(report).toEqual({ imported: 6, rejected: [] });
    expect(contacts.count()).toBe(6);

    const [ada] = contacts.findByE164('+14155550123');
    expect(ada?.contact).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phoneRaw: '(415) 555-0123' });
    expect(ada?.account?.id).toBe(accountId);
    expect(phonesOf('+81312345678')).toEqual([{ raw: '03-1234-5678', kind: 'phone', extension: null, region: 'JP' }]);
    expect(phonesOf('+442079460958')).toEqual([{ raw: '0044 20 7946 0958', kind: 'phone', extension: null, region: 'US' }]);
    expect(phonesOf('+16465550111')).toEqual([{ raw: '+1 646 555 0111', kind: 'mobile', extension: null, region: 'US' }]);
    expect(phonesOf('+12125550142')[0]?.extension).toBe('204');
    expect(phonesOf('+12125550143')[0]?.extension).toBe('9');
    expect(contacts.findByE164('+12125550143')[0]?.contact.firstName).toBe('Hopper, Jr.');
    expect(phonesOf('+819012345678')[0]).toMatchObject({ kind: 'mobile', region: 'JP' });
    expect(contacts.findByE164('+819012345678')[0]?.contact.phoneRaw).toBe('090-1234-5678');
  });

  it('rejects each kind of bad row with its line and reason, and imports the rest', async () => {
    const path = fixture('bad.csv', [
      HEADER, // 1
      'Ada,Lovelace,ada@example.com,(415) 555-0123,,,ACC-1001,', // 2 ok
      ',,nobody@example.com,415-555-0101,,,,', // 3
      'No,Phone,,,,,,', // 4
      'Bad,Phone,,555-0123,,,,', // 5
      'Bad,Mobile,,415-555-0102,12345,,,', // 6
      'Bad,Email,ada@,415-555-0103,,,,', // 7
      'Wrong,Account,,415-555-0104,,,ACC-9999,', // 8
      'Wrong,Country,,415-555-0105,,,,ZZ', // 9
      'Too,Few,,415-555-0106', // 10
      'Too,Many,,415-555-0107,,,,,extra', // 11
      'Bad,Ext,,415-555-0108,,12a,,', // 12
      '', // 13: blank lines are skipped, not rejected
      'Jp,AsUs,,03-1234-5678,,,,', // 14: national JP form read under US
      '"Multi',
      'Line",Ok,,415-555-0109,,,,', // 15-16 ok
      'After,Multi,,415-555-0110,,,,BOGUS', // 17
      'Grace,Hopper,,212-555-0142,,,,', // 18 ok
    ]);
    const report = await importContactsCsv(db, path, 'US');
    expect(report.rejected).toEqual([
      { line: 3, reason: 'missing name: first_name and last_name are both empty' },
      { line: 4, reason: 'no phone: phone and mobile are both empty' },
      { line: 5, reason: "invalid phone '555-0123'" },
      { line: 6, reason: "invalid mobile '12345'" },
      { line: 7, reason: "malformed email 'ada@'" },
      { line: 8, reason: "unknown account 'ACC-9999'" },
      { line: 9, reason: "unknown country 'ZZ'" },
      { line: 10, reason: 'wrong column count: expected 8, got 4' },
      { line: 11, reason: 'wrong column count: expected 8, got 9' },
      { line: 12, reason: "invalid extension '12a'" },
      { line: 14, reason: "invalid phone '03-1234-5678'" },
      { line: 17, reason: "unknown country 'BOGUS'" },
    ]);
    expect(report.imported).toBe(3);
    expect(contacts.count()).toBe(3);
    expect(contacts.findByE164('+14155550109')[0]?.contact.firstName).toBe('Multi\nLine');
  });

  it('reports an unterminated quote at the line that opened it and keeps the rows before', async () => {
    const path = fixture('quote.csv', [
      HEADER,
      'Ada,Lovelace,,(415) 555-0123,,,,',
      'Alan,"Turing,,415-555-0111,,,,', // 3: the quote never closes
      'Grace,Hopper,,212-555-0142,,,,',
      'Kenji,Sato,,+81 3 1234 5678,,,,',
    ]);
    const report = await importContactsCsv(db, path, 'US');
    expect(report.imported).toBe(1);
    expect(report.rejected).toEqual([
      { line: 3, reason: 'unterminated quote: the field opened on this line never closes; the rest of the file was not read' },
    ]);
    expect(contacts.findByE164('+12125550142')).toEqual([]);
  });

  it('reads a file with a BOM and CRLF line ends', async () => {
    const path = join(dir, 'excel.csv');
    writeFileSync(path, '\uFEFF' + [HEADER, 'Ada,Lovelace,,(415) 555-0123,,,,', 'Bad,Row,,12,,,,'].join('\r\n') + '\r\n');
    expect(await importContactsCsv(db, path, 'US')).toEqual({
      imported: 1,
      rejected: [{ line: 3, reason: "invalid phone '12'" }],
    });
  });

  it('throws CSV_HEADER_INVALID for a file without the header, writing nothing', async () => {
    const noHeader = fixture('noheader.csv', ['Ada,Lovelace,ada@example.com,(415) 555-0123,,,ACC-1001,']);
    await expect(importContactsCsv(db, noHeader, 'US')).rejects.toMatchObject({
      code: 'CSV_HEADER_INVALID',
      missing: ['first_name', 'last_name', 'phone or mobile'],
    });
    const noPhone = fixture('nophone.csv', ['first_name,last_name,email', 'Ada,Lovelace,a@example.com']);
    await expect(importContactsCsv(db, noPhone, 'US')).rejects.toMatchObject({
      code: 'CSV_HEADER_INVALID',
      missing: ['phone or mobile'],
    });
    const twice = fixture('twice.csv', ['first_name,last_name,phone,Phone', 'A,B,415-555-0123,']);
    await expect(importContactsCsv(db, twice, 'US')).rejects.toMatchObject({ code: 'CSV_HEADER_INVALID' });
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(importContactsCsv(db, empty, 'US')).rejects.toMatchObject({ code: 'CSV_HEADER_INVALID' });
    expect(contacts.count()).toBe(0);
  });

  it('throws CSV_READ_FAILED for a missing file', async () => {
    await expect(importContactsCsv(db, join(dir, 'nope.csv'), 'US')).rejects.toMatchObject({ code: 'CSV_READ_FAILED' });
  });

  it('re-importing the same file adds nothing and reports the duplicates', async () => {
    const path = fixture('again.csv', [
      HEADER,
      'Ada,Lovelace,,(415) 555-0123,,,ACC-1001,',
      'Alan,Turing,,+44 20 7946 0958,,,,',
      'Grace,Hopper,,212-555-0142,,,,',
    ]);
    expect(await importContactsCsv(db, path, 'US')).toEqual({ imported: 3, rejected: [] });
    const ids = [contacts.findByE164('+14155550123'), contacts.findByE164('+442079460958'), contacts.findByE164('+12125550142')].map(
      (m) => m[0]?.contact.id,
    );
    expect(await importContactsCsv(db, path, 'US')).toEqual({
      imported: 0,
      rejected: [
        { line: 2, reason: `duplicate of contact ${ids[0]}` },
        { line: 3, reason: `duplicate of contact ${ids[1]}` },
        { line: 4, reason: `duplicate of contact ${ids[2]}` },
      ],
    });
    expect(contacts.count()).toBe(3);
  });

  it('gives the same result whatever the batch size, duplicates within the file included', async () => {
    const rows = [HEADER];
    for (let i = 0; i < 25; i++) rows.push(`P${i},Q,,(415) 555-01${String(i).padStart(2, '0')},,,,`);
    rows.push('P3,q,,415.555.0103,,,,'); // line 27: same person, other spelling
    const path = fixture('batch.csv', rows);
    const report = await importContactsCsv(db, path, 'US', { batchSize: 4 });
    expect(report.imported).toBe(25);
    expect(report.rejected).toEqual([{ line: 27, reason: `duplicate of contact ${contacts.findByE164('+14155550103')[0]?.contact.id}` }]);
    expect(contacts.count()).toBe(25);
  });

  it('keeps same-number contacts that are different people (a shared main line)', async () => {
    const path = fixture('shared.csv', [
      HEADER,
      'Charles,Babbage,,+1 (212) 555-0100,,201,,',
      'Mary,Somerville,,+1 (212) 555-0100,,202,,',
    ]);
    expect(await importContactsCsv(db, path, 'US')).toEqual({ imported: 2, rejected: [] });
    expect(contacts.findByE164('+12125550100').map((m) => m.contact.extension)).toEqual(['201', '202']);
  });
});
