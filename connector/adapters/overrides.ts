/**
 * Adapter settings changed through the admin API, kept in the store and laid over
 * the config file's: an adapter the console changed keeps the console's settings
 * until an admin resets it to the config's. Secrets are never stored: settings
 * name an environment variable or a file instead (`passwordEnv`, `secretFile`...).
 */
import type { AdapterConfig } from '../config/schema.js';
import type { Database, Migration } from '../store/db.js';

export const ADAPTER_OVERRIDES_MIGRATION: Migration = {
  name: 'adapter overrides',
  up: (db) =>
    db.exec(`
      CREATE TABLE adapter_overrides (
        id         TEXT PRIMARY KEY,
        settings   TEXT NOT NULL CHECK (json_valid(settings)),
        updated_at TEXT NOT NULL
      );
    `),
};

/** Keys that hold a secret value itself; settings must use their Env/File forms. */
export const INLINE_SECRET_KEYS = ['password', 'secret', 'token', 'authToken'] as const;

export class AdapterOverrides {
  constructor(private readonly db: Database) {}

  list(): AdapterConfig[] {
    return (this.db.prepare('SELECT settings FROM adapter_overrides ORDER BY id').all() as Array<{ settings: string }>).map(
      (r) => JSON.parse(r.settings) as AdapterConfig,
    );
  }

  set(settings: AdapterConfig): void {
    this.db
      .prepare('INSERT INTO adapter_overrides (id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at')
      .run(settings.id, JSON.stringify(settings), new Date().toISOString());
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM adapter_overrides WHERE id = ?').run(id).changes > 0;
  }
}

/** The settings in force: the config's adapters with the console's changes laid over, then the console's additions. */
export function effectiveAdapters(fromConfig: readonly AdapterConfig[], overrides: readonly AdapterConfig[]): AdapterConfig[] {
  const byId = new Map(overrides.map((o) => [o.id, o]));
  const out = fromConfig.map((c) => byId.get(c.id) ?? c);
  const known = new Set(fromConfig.map((c) => c.id));
  return [...out, ...overrides.filter((o) => !known.has(o.id))];
}
