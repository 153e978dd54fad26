/**
 * Schema step: tier escalation. A case gets an assignee (null: waiting in its
 * queue) and a history of events. Appended to `MIGRATIONS` in db.ts; never edit
 * it once shipped. The PostgreSQL schema has the same step (`pg/migrations.ts`).
 */
import type { Migration } from './db.js';

export const CASE_ESCALATION_MIGRATION: Migration = {
  name: 'case assignee and events',
  up: (db) =>
    db.exec(`
      -- The agent now responsible for the case; NULL: waiting in cases.queue for someone to take it.
      -- Cases logged before this step stay with the agent who logged them.
      ALTER TABLE cases ADD COLUMN assignee TEXT;
      UPDATE cases SET assignee = agent;
      CREATE INDEX cases_assignee ON cases (assignee);
      CREATE INDEX cases_queue ON cases (queue);

      -- The history of a case, oldest first by id (several events may share a time).
      CREATE TABLE case_events (
        id          INTEGER PRIMARY KEY,
        case_number INTEGER NOT NULL REFERENCES cases (number) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'escalated', 'assigned')),
        from_queue  TEXT,
        to_queue    TEXT,
        assignee    TEXT,
        note        TEXT,
        fields      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(fields))
      );
      CREATE INDEX case_events_case_number ON case_events (case_number, id);

      -- Every case has a history from its creation on, including the cases already there.
      INSERT INTO case_events (case_number, at, actor, kind, to_queue, assignee)
        SELECT number, created_at, agent, 'created', queue, agent FROM cases ORDER BY number;
    `),
};
