/**
 * The audit log: every admin change (agents, flows, config applied at start-up)
 * with who, what, when, and the state before and after. Before/after go through
 * `redact` on the way in, so no secret or password hash is ever stored here,
 * and so never shown.
 */
import type { Database } from '../store/db.js';
import { redact } from './redact.js';

export interface AuditEntry {
  id: number;
  /** ISO time. */
  at: string;
  /** The admin's username, or `config` for changes applied from the config file at start-up. */
  actor: string;
  /** Dot-namespaced, past tense: `agent.created`, `agent.updated`, `agent.disabled`, `agent.password.reset`, `flow.uploaded`... */
  action: string;
  /** What changed: a username, a flow name. */
  target: string;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  limit: number;
  /** Entries older than this id (paging backwards). */
  before?: number | undefined;
  target?: string | undefined;
  action?: string | undefined;
}

interface Row {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}

const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(redact(v)));

export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Database) {
    this.insert = db.prepare('INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Writes one entry. Call it inside the change's transaction so both or neither are kept. */
  record(e: { actor: string; action: string; target: string; before?: unknown; after?: unknown; at?: string }): number {
    const r = this.insert.run(e.at ?? new Date().toISOString(), e.actor, e.action, e.target, toJson(e.before), toJson(e.after));
    return Number(r.lastInsertRowid);
  }

  /** Newest first. */
  list(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.before !== undefined) (where.push('id < ?'), args.push(q.before));
    if (q.target !== undefined) (where.push('target = ?'), args.push(q.target));
    if (q.action !== undefined) (where.push('action = ?'), args.push(q.action));
    const rows = this.db
      .prepare<Array<string | number>, Row>(`SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit);
    return rows.map((r) => ({
      ...r,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    }));
  }
}
