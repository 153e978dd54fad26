/**
 * Agents shared by the nodes of a cluster (scale-out mode): the admin console's
 * changes, wherever they were made. Each node keeps its own copy in SQLite
 * (logins and role checks read it synchronously); connector/cluster/agent-sync.ts
 * keeps the copies in step through this table and the cluster bus.
 *
 * A row is the whole agent as the node that wrote it last stored it. Every write
 * gets the next `version`, so the later write wins whatever the nodes' clocks say.
 */
import type { Pool } from 'pg';
import type { StoredAgent } from '../../agents/agent-store.js';
import type { SharedAgent, SharedAgentRepo } from '../data-layer.js';

interface Row {
  username: string;
  display_name: string;
  password_hash: string;
  role: StoredAgent['role'];
  queues: string[];
  skills: string[];
  endpoint: string | null;
  max_calls: number | null;
  disabled: boolean;
  source: StoredAgent['source'];
  created_at: string;
  updated_at: string;
  version: number;
  config_hash: string | null;
}

const fromRow = (r: Row): SharedAgent => ({
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role,
  queues: r.queues,
  skills: r.skills,
  endpoint: r.endpoint,
  maxCalls: r.max_calls ?? null,
  disabled: r.disabled,
  source: r.source,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: Number(r.version),
  configHash: r.config_hash,
});

export class PgAgentRepo implements SharedAgentRepo {
  constructor(private readonly pool: Pool) {}

  async all(): Promise<SharedAgent[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM agents ORDER BY username');
    return rows.map(fromRow);
  }

  async get(username: string): Promise<SharedAgent | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM agents WHERE username = $1', [username]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async put(a: StoredAgent, configHash: string | null): Promise<SharedAgent> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO agents (username, display_name, password_hash, role, queues, skills, endpoint, disabled, source, created_at, updated_at, config_hash, max_calls)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (username) DO UPDATE SET
         display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
         queues = EXCLUDED.queues, skills = EXCLUDED.skills, endpoint = EXCLUDED.endpoint, disabled = EXCLUDED.disabled, max_calls = EXCLUDED.max_calls,
         source = EXCLUDED.source, updated_at = EXCLUDED.updated_at, config_hash = EXCLUDED.config_hash,
         version = agents.version + 1
       RETURNING *`,
      [a.username, a.displayName, a.passwordHash, a.role, JSON.stringify(a.queues), JSON.stringify(a.skills), a.endpoint, a.disabled, a.source, a.createdAt, a.updatedAt, configHash, a.maxCalls],
    );
    return fromRow(rows[0]!);
  }
}
