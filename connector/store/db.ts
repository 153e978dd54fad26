/**
 * Opens the embedded SQLite database and brings its schema up to date.
 *
 * Durability: `journal_mode = WAL` with `synchronous = FULL`. In WAL mode
 * `NORMAL` survives a crash of the process but not of the machine: a commit
 * that returned may be rolled back by a power cut, because the WAL is only
 * synced at checkpoints. An agent who saw "case 00001042 saved" MUST find it
 * after any crash, so every commit syncs the WAL. The price is one fsync per
 * commit; cases are saved about once per call, and the CSV import commits in
 * batches of thousands of rows, so it is not felt.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ADAPTER_OVERRIDES_MIGRATION } from '../adapters/overrides.js';
import { AGENT_SKILLS_MIGRATION, CASE_FIRST_RESPONSE_MIGRATION } from './skills-and-response-migrations.js';
import { AGENTS_AND_AUDIT_MIGRATION } from './agents-migration.js';
import { CASE_ESCALATION_MIGRATION } from './escalation-migration.js';
import { AGENT_MAX_CALLS_MIGRATION } from './agent-max-calls-migration.js';
import { DatabaseOpenError, SchemaTooNewError } from './errors.js';

/** A better-sqlite3 connection. */
export type Database = BetterSqlite3.Database;

/** File name inside the data directory. */
export const DATABASE_FILE = 'switchboard.db';

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** One schema step. Its version is its index + 1, stored in `PRAGMA user_version`. */
export interface Migration {
  /** Short description, shown in errors. */
  name: string;
  /** Runs inside a transaction together with the `user_version` bump. */
  up: (db: Database) => void;
}

const CASE_TYPES = `'technical_support', 'billing_question', 'feature_request', 'customer_info_change'`;
const CASE_PRIORITIES = `'low', 'medium', 'high', 'urgent'`;
const CASE_STATUSES = `'new', 'open', 'pending', 'closed'`;
const CASE_ORIGINS = `'phone', 'web', 'email'`;
const DISPOSITIONS = `'resolved', 'follow-up', 'escalated', 'callback-requested', 'wrong-number', 'no-action'`;

const INITIAL_SCHEMA = `
CREATE TABLE accounts (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  account_number TEXT NOT NULL UNIQUE,
  tier           TEXT NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'priority'))
);

CREATE TABLE contacts (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER REFERENCES accounts (id),
  first_name TEXT NOT NULL,
  last_name  TEXT NOT NULL,
  email      TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX contacts_account_id ON contacts (account_id);

-- region: the country the raw form was read under (a per-contact hint or the
-- default), so a later re-normalization reads '03-1234-5678' the same way.
CREATE TABLE contact_phones (
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  raw        TEXT NOT NULL,
  e164       TEXT,
  extension  TEXT,
  kind       TEXT NOT NULL CHECK (kind IN ('phone', 'mobile')),
  region     TEXT
);
CREATE INDEX contact_phones_e164 ON contact_phones (e164);
CREATE INDEX contact_phones_contact_id ON contact_phones (contact_id);

-- number: AUTOINCREMENT so a number is never handed out twice, even after a
-- delete; the sequence is primed below so the first case is 1001.
CREATE TABLE cases (
  number       INTEGER PRIMARY KEY AUTOINCREMENT,
  subject      TEXT NOT NULL,
  type         TEXT NOT NULL CHECK (type IN (${CASE_TYPES})),
  priority     TEXT NOT NULL CHECK (priority IN (${CASE_PRIORITIES})),
  status       TEXT NOT NULL CHECK (status IN (${CASE_STATUSES})),
  origin       TEXT NOT NULL CHECK (origin IN (${CASE_ORIGINS})),
  description  TEXT NOT NULL,
  disposition  TEXT CHECK (disposition IS NULL OR disposition IN (${DISPOSITIONS})),
  contact_id   INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  account_id   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
  call_id      TEXT,
  ani          TEXT,
  ani_e164     TEXT,
  dnis         TEXT,
  queue        TEXT,
  ivr_path     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(ivr_path)),
  wait_seconds INTEGER,
  talk_seconds INTEGER,
  agent        TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('cases', 1000);
CREATE INDEX cases_contact_id ON cases (contact_id);
CREATE INDEX cases_ani_e164 ON cases (ani_e164);
CREATE INDEX cases_type ON cases (type);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_call_id ON cases (call_id);

CREATE TABLE idempotency_keys (
  key          TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  case_number  INTEGER NOT NULL REFERENCES cases (number),
  created_at   TEXT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  username   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE calls (
  call_id    TEXT PRIMARY KEY,
  record     TEXT NOT NULL, -- JSON
  updated_at TEXT NOT NULL
);
`;

/**
 * The schema history, oldest first. Append new steps at the end; never edit
 * or reorder a step that has shipped, since databases in the field already
 * carry its version number.
 */
export const MIGRATIONS: Migration[] = [
  { name: 'initial schema', up: (db) => db.exec(INITIAL_SCHEMA) },
  {
    // Reports read calls by time, queue and outcome: index the JSON record's fields
    // through generated columns rather than copying them.
    name: 'call report columns',
    up: (db) =>
      db.exec(`
        ALTER TABLE calls ADD COLUMN arrived_at TEXT GENERATED ALWAYS AS (json_extract(record, '$.arrivedAt')) VIRTUAL;
        ALTER TABLE calls ADD COLUMN queue TEXT GENERATED ALWAYS AS (json_extract(record, '$.queue')) VIRTUAL;
        ALTER TABLE calls ADD COLUMN outcome TEXT GENERATED ALWAYS AS (json_extract(record, '$.outcome')) VIRTUAL;
        CREATE INDEX calls_arrived_at ON calls (arrived_at);
        CREATE INDEX cases_created_at ON cases (created_at);
      `),
  },
  AGENTS_AND_AUDIT_MIGRATION,
  ADAPTER_OVERRIDES_MIGRATION,
  AGENT_SKILLS_MIGRATION,
  CASE_FIRST_RESPONSE_MIGRATION,
  CASE_ESCALATION_MIGRATION,
  AGENT_MAX_CALLS_MIGRATION,
];

/**
 * Opens (creating if needed) `<dataDir>/switchboard.db`, or an in-memory
 * database for `':memory:'`, sets the pragmas and applies pending migrations.
 *
 * @throws DatabaseOpenError (`DB_OPEN_FAILED`) when the directory or file cannot be opened.
 * @throws SchemaTooNewError (`DB_SCHEMA_TOO_NEW`) when a newer release wrote the file.
 */
export function openDatabase(dataDir: string | ':memory:'): Database {
  let db: Database;
  try {
    if (dataDir === ':memory:') {
      db = new BetterSqlite3(':memory:');
    } else {
      mkdirSync(dataDir, { recursive: true });
      db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
    }
  } catch (err) {
    throw new DatabaseOpenError(`cannot open the database in ${dataDir}`, { cause: err });
  }
  try {
    // In-memory databases answer 'memory' here; WAL only applies to files.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Applies the migrations past the database's `user_version`, each in its own
 * transaction with its version bump, so a crash leaves a consistent version.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new SchemaTooNewError(current, migrations.length);
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1];
    if (!step) continue;
    db.transaction(() => {
      step.up(db);
      // PRAGMA takes no bound parameters; version is an integer we computed.
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
