/**
 * Schema step: an agent's own limit of calls at once (call waiting, docs/routing.md).
 * Appended to `MIGRATIONS` in db.ts; never edit it once shipped.
 */
import type { Migration } from './db.js';

export const AGENT_MAX_CALLS_MIGRATION: Migration = {
  name: 'agent max calls',
  up: (db) =>
    db.exec(`
      -- NULL: routing.maxCallsPerAgent. Set by the config file (agents[].maxCalls) or the admin console.
      ALTER TABLE agents ADD COLUMN max_calls INTEGER CHECK (max_calls IS NULL OR max_calls BETWEEN 1 AND 4);
    `),
};
