/**
 * Contact import from CSV. The file is streamed (csv-parse) and rows are
 * written in batched transactions, so a million-row file needs neither the
 * whole file in memory nor a million commits.
 *
 * Columns (header names are case-insensitive; spaces and `-` read as `_`):
 * `first_name`, `last_name`, `phone` and/or `mobile` are required;
 * `email`, `extension`, `account` (an existing account number) and `country`
 * (ISO region the row's national-form numbers are written for, e.g. `JP` for
 * `03-1234-5678`) are optional; other columns are ignored.
 *
 * A row that is already in the database (same name in any case, same
 * account, same first number) is not written again and is reported as a
 * duplicate, so importing a file twice, or again after fixing its bad rows,
 * is safe.
 *
 * The rows go to a {@link ContactRepo}'s `upsertBatch` (one transaction per batch), so
 * the same import fills either store; given a SQLite database it writes there directly.
 */
import { createReadStream } from 'node:fs';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { parse, type CsvError, type Info } from 'csv-parse';
import { normalizePhone, type CountryCode } from '../phone/normalize.js';
import type { ContactRepo } from './data-layer.js';
import type { Database } from './db.js';
import { CsvHeaderInvalidError, CsvReadError } from './errors.js';
import { SqliteContactStore } from './sqlite-contacts.js';
import { SqliteContactRepo } from './sqlite/repos.js';
import type { ContactBatchRow, ContactPhoneInput } from './types.js';

export interface ImportReport {
  imported: number;
  /** Rows not written, by line in the file (1 is the header), with the reason. */
  rejected: Array<{ line: number; reason: string }>;
}

export interface ImportOptions {
  /** Rows per transaction. Larger batches commit (and fsync) less often. */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 5000;
/** No contact row is this long; a longer "record" is an unterminated quote eating the file. */
const MAX_RECORD_BYTES = 64 * 1024;

const KNOWN_COLUMNS = ['first_name', 'last_name', 'email', 'phone', 'mobile', 'extension', 'account', 'country'] as const;
type Column = (typeof KNOWN_COLUMNS)[number];

/** Deliberately loose: one `@`, a dot in the domain, no spaces. Deliverability is not ours to judge. */
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface PendingRow extends ContactBatchRow {
  line: number;
}

/**
 * Imports contacts from a CSV file into `target`: a SQLite database, or any
 * {@link ContactRepo} (PostgreSQL in scale-out mode).
 *
 * @throws CsvHeaderInvalidError (`CSV_HEADER_INVALID`) when the first line
 *   lacks a required column or repeats one; nothing is written then.
 * @throws CsvReadError (`CSV_READ_FAILED`) when the file cannot be read.
 */
export async function importContactsCsv(
  target: Database | ContactRepo,
  filePath: string,
  region: CountryCode,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const repo = 'upsertBatch' in target ? target : new SqliteContactRepo(new SqliteContactStore(target));
  const accounts = new Map((await repo.listAccounts()).map((a) => [a.accountNumber, a.id]));
  const report: ImportReport = { imported: 0, rejected: [] };

  const flush = async (rows: PendingRow[]): Promise<void> => {
    if (rows.length === 0) return;
    const outcomes = await repo.upsertBatch(rows);
    rows.forEach((row, i) => {
      const outcome = outcomes[i];
      if (outcome?.kind === 'duplicate') report.rejected.push({ line: row.line, reason: `duplicate of contact ${outcome.id}` });
      else report.imported++;
    });
  };

  const skipped: CsvError[] = [];
  const parser = parse({
    bom: true,
    info: true,
    // Column count and quoting are judged per row below, so one bad row does not stop the file.
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (err) => {
      if (err) skipped.push(err);
      return undefined;
    },
  });
  const source = createReadStream(filePath);
  source.on('error', (err) => parser.destroy(new CsvReadError(filePath, { cause: err })));
  source.pipe(parser);

  let columns: Map<Column, number> | null = null;
  let width = 0;
  let lastEnd = 0;
  let batch: PendingRow[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // Empty lines come through as records (skip_empty_lines is off) so this count stays exact.
      const line = lastEnd + 1;
      lastEnd = info.lines;
      if (record.length === 1 && (record[0] ?? '').trim() === '') continue;
      if (columns === null) {
        columns = readHeader(record);
        width = record.length;
        continue;
      }
      if (record.length !== width) {
        report.rejected.push({ line, reason: `wrong column count: expected ${width}, got ${record.length}` });
        continue;
      }
      const row = readRow(record, columns, line, region, accounts);
      if (typeof row === 'string') {
        report.rejected.push({ line, reason: row });
        continue;
      }
      batch.push(row);
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
  } finally {
    source.destroy();
  }
  if (columns === null) throw new CsvHeaderInvalidError(`${filePath} is empty: no header line`, [...REQUIRED]);
  await flush(batch);

  for (const err of skipped) {
    // Both stop the parser: the bad record starts right after the last good one.
    const fatal = err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_MAX_RECORD_SIZE';
    const line = fatal ? lastEnd + 1 : typeof err.lines === 'number' ? err.lines : lastEnd + 1;
    const reason = fatal
      ? 'unterminated quote: the field opened on this line never closes; the rest of the file was not read'
      : `malformed CSV: ${err.message}`;
    report.rejected.push({ line, reason });
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

const REQUIRED = ['first_name', 'last_name', 'phone or mobile'] as const;

function readHeader(record: string[]): Map<Column, number> {
  const columns = new Map<Column, number>();
  record.forEach((name, index) => {
    const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
    if (!(KNOWN_COLUMNS as readonly string[]).includes(key)) return;
    if (columns.has(key as Column)) {
      throw new CsvHeaderInvalidError(`column ${key} appears twice in the header`, []);
    }
    columns.set(key as Column, index);
  });
  const missing: string[] = [];
  if (!columns.has('first_name')) missing.push('first_name');
  if (!columns.has('last_name')) missing.push('last_name');
  if (!columns.has('phone') && !columns.has('mobile')) missing.push('phone or mobile');
  if (missing.length > 0) {
    throw new CsvHeaderInvalidError(
      `the first line must be a header naming the columns; missing: ${missing.join(', ')}`,
      missing,
    );
  }
  return columns;
}

/** The contact of one row, or why it is rejected. */
function readRow(
  record: string[],
  columns: Map<Column, number>,
  line: number,
  defaultRegion: CountryCode,
  accounts: Map<string, number>,
): PendingRow | string {
  const get = (c: Column): string => {
    const i = columns.get(c);
    return i === undefined ? '' : (record[i] ?? '').trim();
  };
  const firstName = get('first_name');
  const lastName = get('last_name');
  if (firstName === '' && lastName === '') return 'missing name: first_name and last_name are both empty';

  const email = get('email');
  if (email !== '' && !EMAIL_RE.test(email)) return `malformed email '${email}'`;

  const country = get('country').toUpperCase();
  if (country !== '' && !isSupportedCountry(country)) return `unknown country '${get('country')}'`;
  const region = (country || defaultRegion) as CountryCode;

  const accountNumber = get('account');
  let accountId: number | null = null;
  if (accountNumber !== '') {
    accountId = accounts.get(accountNumber) ?? null;
    if (accountId === null) return `unknown account '${accountNumber}'`;
  }

  const phones: ContactPhoneInput[] = [];
  for (const kind of ['phone', 'mobile'] as const) {
    const raw = get(kind);
    if (raw === '') continue;
    const n = normalizePhone(raw, region);
    if (n.e164 === null) return `invalid ${kind} '${raw}'${country ? ` (read as ${country})` : ''}`;
    phones.push({ kind, raw, e164: n.e164, extension: n.extension, region });
  }
  const first = phones[0];
  if (!first) return 'no phone: phone and mobile are both empty';

  const extension = get('extension').replace(/^(?:ext\.?|x|#)\s*/i, '');
  if (extension !== '') {
    if (!/^\d{1,10}$/.test(extension)) return `invalid extension '${get('extension')}'`;
    first.extension = extension;
  }

  return {
    line,
    e164: first.e164 ?? '',
    input: { firstName, lastName, email: email === '' ? null : email, accountId, phones },
  };
}
