/**
 * Schema steps: agents' skills, and the first agent action on a case (the
 * reports' response time). Appended to `MIGRATIONS` in db.ts; never edit them once shipped.
 */
import type { Migration } from './db.js';

export const AGENT_SKILLS_MIGRATION: Migration = {
  name: 'agent skills',
  up: (db) =>
    db.exec(`
      -- A JSON list of skill ids (routing by skill comes later; today they are stored, shown and edited).
      ALTER TABLE agents ADD COLUMN skills TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills));
    `),
};

export const CASE_FIRST_RESPONSE_MIGRATION: Migration = {
  name: 'case first response',
  up: (db) =>
    db.exec(`
      -- The first change an agent made to a case they did not just create (PATCH /api/cases/:number):
      -- the reports' response time is created_at -> first_response_at. NULL: no agent action yet.
      ALTER TABLE cases ADD COLUMN first_response_at TEXT;
      ALTER TABLE cases ADD COLUMN first_response_by TEXT;
    `),
};
