/**
 * Agents in the embedded store: the live source of who may log in, with which
 * role and queues. The config's `agents` bootstrap it (see `applyConfig`); the
 * admin console changes it at run time. Password hashes never leave this module
 * except to verify a login (`find`); everything shown goes through `publicAgent`.
 */
import { createHash } from 'node:crypto';
import type { AgentConfig } from '../config/schema.js';
import type { Database } from '../store/db.js';

export type Role = AgentConfig['role'];

export interface StoredAgent {
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  queues: string[];
  /** Skill ids (routing by skill comes later). */
  skills: string[];
  /** The PBX endpoint that rings this agent; null: the adapter's default (the simulator's virtual phone). */
  endpoint: string | null;
  /** Calls at once (call waiting, 1 to 4); null: `routing.maxCallsPerAgent`. */
  maxCalls: number | null;
  disabled: boolean;
  /** `config`: bootstrapped from the config file; `console`: created by an admin. */
  source: 'config' | 'console';
  createdAt: string;
  updatedAt: string;
}

/** An agent as the API shows it: no password hash. */
export type PublicAgent = Omit<StoredAgent, 'passwordHash'>;

/**
 * The live view of agents every role check and login reads.
 * `find` MUST reflect changes made through the store at once (no caching).
 */
export interface AgentDirectory {
  find(username: string): StoredAgent | undefined;
}

/** What the console may change on an agent. */
export interface AgentPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  queues?: string[] | undefined;
  skills?: string[] | undefined;
  endpoint?: string | null | undefined;
  /** 1 to 4, or null for `routing.maxCallsPerAgent`. */
  maxCalls?: number | null | undefined;
  disabled?: boolean | undefined;
}

interface Row {
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  queues: string;
  skills: string;
  endpoint: string | null;
  max_calls: number | null;
  disabled: number;
  source: 'config' | 'console';
  config_hash: string | null;
  created_at: string;
  updated_at: string;
}

const fromRow = (r: Row): StoredAgent => ({
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role,
  queues: JSON.parse(r.queues) as string[],
  skills: JSON.parse(r.skills) as string[],
  endpoint: r.endpoint,
  maxCalls: r.max_calls ?? null,
  disabled: r.disabled === 1,
  source: r.source,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function publicAgent(a: StoredAgent): PublicAgent {
  const { passwordHash: _hash, ...rest } = a;
  return rest;
}

/** The fields of a config entry the store keeps, hashed: an unchanged entry is not applied again. */
const configHash = (a: AgentConfig): string =>
  createHash('sha256')
    // Skills join the hash only when given, so entries written before skills existed keep their hash.
    // maxCalls likewise, only when the entry sets it.
    .update(JSON.stringify([a.displayName, a.passwordHash, a.role, a.queues, a.endpoint ?? null, ...(a.skills.length ? [a.skills] : []), ...(a.maxCalls !== undefined ? [{ maxCalls: a.maxCalls }] : [])]))
    .digest('hex');

/** What applying the config changed, for the audit log. */
export interface ConfigChanges {
  created: StoredAgent[];
  updated: Array<{ before: StoredAgent; after: StoredAgent }>;
  /** Config agents that left the config: disabled. */
  removed: Array<{ before: StoredAgent; after: StoredAgent }>;
}

export class AgentStore implements AgentDirectory {
  private readonly byName;
  private readonly all;

  constructor(private readonly db: Database) {
    this.byName = db.prepare<[string], Row>('SELECT * FROM agents WHERE username = ?');
    this.all = db.prepare<[], Row>('SELECT * FROM agents ORDER BY username');
  }

  find(username: string): StoredAgent | undefined {
    const row = this.byName.get(username);
    return row ? fromRow(row) : undefined;
  }

  list(): StoredAgent[] {
    return this.all.all().map(fromRow);
  }

  /** Usernames that may log in. */
  enabledUsernames(): string[] {
    return this.list().filter((a) => !a.disabled).map((a) => a.username);
  }

  /** Inserts a new agent; returns false when the username is taken. */
  create(
    a: Omit<StoredAgent, 'createdAt' | 'updatedAt' | 'disabled' | 'skills' | 'maxCalls'> & { skills?: string[]; maxCalls?: number | null; configHash?: string | null },
    now = new Date().toISOString(),
  ): boolean {
    const r = this.db
      .prepare(
        `INSERT INTO agents (username, display_name, password_hash, role, queues, skills, endpoint, max_calls, disabled, source, config_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
      )
      .run(a.username, a.displayName, a.passwordHash, a.role, JSON.stringify(a.queues), JSON.stringify([...new Set(a.skills ?? [])]), a.endpoint, a.maxCalls ?? null, a.source, a.configHash ?? null, now, now);
    return r.changes === 1;
  }

  /** Applies a patch; returns the agent after it, or undefined when there is no such agent. */
  update(username: string, patch: AgentPatch, now = new Date().toISOString()): StoredAgent | undefined {
    const cur = this.find(username);
    if (!cur) return undefined;
    const next: StoredAgent = {
      ...cur,
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.queues !== undefined ? { queues: [...new Set(patch.queues)] } : {}),
      ...(patch.skills !== undefined ? { skills: [...new Set(patch.skills)] } : {}),
      ...(patch.endpoint !== undefined ? { endpoint: patch.endpoint } : {}),
      ...(patch.maxCalls !== undefined ? { maxCalls: patch.maxCalls } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      updatedAt: now,
    };
    this.db
      .prepare('UPDATE agents SET display_name = ?, role = ?, queues = ?, skills = ?, endpoint = ?, max_calls = ?, disabled = ?, updated_at = ? WHERE username = ?')
      .run(next.displayName, next.role, JSON.stringify(next.queues), JSON.stringify(next.skills), next.endpoint, next.maxCalls, next.disabled ? 1 : 0, now, username);
    return next;
  }

  /**
   * The hash of the config entry last applied to this agent (`applyConfig`); null for a
   * console agent or one that left the config; undefined when there is no such agent.
   */
  configHashOf(username: string): string | null | undefined {
    return this.byName.get(username)?.config_hash;
  }

  /**
   * Takes an agent as the cluster has it (scale-out mode: connector/cluster/agent-sync.ts),
   * every field, its times and the hash of the config entry the cluster applied to it, so
   * a later change of that entry in the config file still applies at start-up and an
   * unchanged one does not. Returns the agent before, or null if new here.
   */
  replace(a: StoredAgent, configHash: string | null): StoredAgent | null {
    const before = this.find(a.username) ?? null;
    this.db
      .prepare(
        `INSERT INTO agents (username, display_name, password_hash, role, queues, skills, endpoint, max_calls, disabled, source, config_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, password_hash = excluded.password_hash, role = excluded.role,
           queues = excluded.queues, skills = excluded.skills, endpoint = excluded.endpoint, max_calls = excluded.max_calls, disabled = excluded.disabled,
           source = excluded.source, config_hash = excluded.config_hash, updated_at = excluded.updated_at`,
      )
      .run(a.username, a.displayName, a.passwordHash, a.role, JSON.stringify(a.queues), JSON.stringify([...new Set(a.skills)]), a.endpoint, a.maxCalls, a.disabled ? 1 : 0, a.source, configHash, a.createdAt, a.updatedAt);
    return before;
  }

  setPasswordHash(username: string, hash: string, now = new Date().toISOString()): boolean {
    return this.db.prepare('UPDATE agents SET password_hash = ?, updated_at = ? WHERE username = ?').run(hash, now, username).changes === 1;
  }

  /**
   * Applies the config's agents (at start-up), in one transaction:
   * - an agent new to the store is created;
   * - an agent whose config entry changed since it was last applied gets the
   *   file's display name, password hash, role, queues, skills and endpoint (console
   *   changes to it last until its entry in the file changes); one that had been
   *   disabled for leaving the config is enabled again;
   * - a config agent no longer in the config is disabled (never deleted);
   * - console agents are left alone unless the config names them (then the config wins).
   */
  applyConfig(agents: readonly AgentConfig[], now = new Date().toISOString()): ConfigChanges {
    const changes: ConfigChanges = { created: [], updated: [], removed: [] };
    this.db.transaction(() => {
      const listed = new Set<string>();
      for (const a of agents) {
        listed.add(a.username);
        const hash = configHash(a);
        const before = this.byName.get(a.username);
        const fields = { displayName: a.displayName, passwordHash: a.passwordHash, role: a.role, queues: [...a.queues], skills: [...new Set(a.skills)], endpoint: a.endpoint ?? null, maxCalls: a.maxCalls ?? null };
        if (!before) {
          this.create({ username: a.username, ...fields, source: 'config', configHash: hash }, now);
          changes.created.push(this.find(a.username) as StoredAgent);
          continue;
        }
        if (before.config_hash === hash) continue;
        const leftConfig = before.source === 'config' && before.config_hash === null;
        this.db
          .prepare(
            `UPDATE agents SET display_name = ?, password_hash = ?, role = ?, queues = ?, skills = ?, endpoint = ?, max_calls = ?, source = 'config', config_hash = ?,
                    disabled = CASE WHEN ? THEN 0 ELSE disabled END, updated_at = ? WHERE username = ?`,
          )
          .run(fields.displayName, fields.passwordHash, fields.role, JSON.stringify(fields.queues), JSON.stringify(fields.skills), fields.endpoint, fields.maxCalls, hash, leftConfig ? 1 : 0, now, a.username);
        changes.updated.push({ before: fromRow(before), after: this.find(a.username) as StoredAgent });
      }
      for (const row of this.all.all()) {
        if (row.source !== 'config' || row.config_hash === null || listed.has(row.username)) continue;
        this.db.prepare('UPDATE agents SET disabled = 1, config_hash = NULL, updated_at = ? WHERE username = ?').run(now, row.username);
        changes.removed.push({ before: fromRow(row), after: this.find(row.username) as StoredAgent });
      }
    })();
    return changes;
  }
}
