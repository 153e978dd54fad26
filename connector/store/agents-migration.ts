/**
 * Schema step: agents managed at run time, and the audit log of admin changes.
 * Appended to `MIGRATIONS` in db.ts; never edit it once shipped.
 */
import type { Migration } from './db.js';

export const AGENTS_AND_AUDIT_MIGRATION: Migration = {
  name: 'agents and audit log',
  up: (db) =>
    db.exec(`
      -- source: 'config' (bootstrapped from the config file) or 'console' (created by an admin).
      -- config_hash: the config entry last applied, so an unchanged entry does not undo console edits;
      -- NULL for console agents and for config agents that left the config.
      CREATE TABLE agents (
        username      TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        queues        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(queues)),
        endpoint      TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        source        TEXT NOT NULL CHECK (source IN ('config', 'console')),
        config_hash   TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );

      -- before/after: JSON with secrets and password hashes removed (see connector/admin/redact.ts).
      CREATE TABLE audit_log (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT CHECK (before IS NULL OR json_valid(before)),
        after  TEXT CHECK (after IS NULL OR json_valid(after))
      );
      CREATE INDEX audit_log_target ON audit_log (target);
    `),
};
