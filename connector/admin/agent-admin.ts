/**
 * Agents managed at run time: create, change, disable, reset a password. Each
 * change is written with its audit entry in one transaction, then carried to
 * the live parts: the presence board (routing), the sessions (a disabled agent's
 * tokens stop working) and the sockets (their widgets close).
 */
import type { PresenceBoard } from '../agents/presence.js';
import { publicAgent, type AgentPatch, type AgentStore, type PublicAgent, type Role, type StoredAgent } from '../agents/agent-store.js';
import { hashPassword } from '../auth/password.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { AgentConfig } from '../config/schema.js';
import { AppError } from '../errors.js';
import type { AgentState } from '../protocol.js';
import type { Database } from '../store/db.js';
import type { AuditLog } from './audit-log.js';

export interface NewAgent {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  queues: string[];
  skills?: string[] | undefined;
  endpoint?: string | undefined;
  /** Calls at once (call waiting, 1 to 4); null or absent: `routing.maxCallsPerAgent`. */
  maxCalls?: number | null | undefined;
}

export interface AgentAdminDeps {
  db: Database;
  store: AgentStore;
  audit: AuditLog;
  presence: PresenceBoard;
  sessions: SessionStoreLike;
  /** The configured queue ids: an agent's queues must be among them. */
  queues: ReadonlySet<string>;
  /** Closes every socket of the user (their widgets). */
  closeSockets(username: string): void;
  /** Sets the agent away when they can be (withdraws a ringing offer); MUST NOT throw. */
  setAway(username: string): void;
  /** Scale-out mode: a change was made here; the other nodes take it (connector/cluster/agent-sync.ts). MUST NOT throw. */
  changed?(username: string): void;
}

export type AgentView = PublicAgent & { state: AgentState | null };

export class AgentAdmin {
  constructor(private readonly d: AgentAdminDeps) {}

  list(): AgentView[] {
    return this.d.store.list().map((a) => ({ ...publicAgent(a), state: this.d.presence.get(a.username)?.state ?? null }));
  }

  async create(actor: string, input: NewAgent): Promise<PublicAgent> {
    this.checkQueues(input.queues);
    if (this.d.store.find(input.username)) throw new AppError('AGENT_EXISTS', `The username ${input.username} is taken.`);
    const passwordHash = await hashPassword(input.password);
    const agent = this.d.db.transaction(() => {
      const ok = this.d.store.create({
        username: input.username, displayName: input.displayName, passwordHash, role: input.role,
        queues: [...new Set(input.queues)], skills: [...new Set(input.skills ?? [])], endpoint: input.endpoint ?? null, maxCalls: input.maxCalls ?? null, source: 'console',
      });
      if (!ok) throw new AppError('AGENT_EXISTS', `The username ${input.username} is taken.`);
      const created = this.d.store.find(input.username) as StoredAgent;
      this.d.audit.record({ actor, action: 'agent.created', target: created.username, after: publicAgent(created) });
      return created;
    })();
    this.d.presence.upsert(agent);
    this.d.changed?.(agent.username);
    return publicAgent(agent);
  }

  update(actor: string, username: string, patch: AgentPatch): PublicAgent {
    if (patch.queues) this.checkQueues(patch.queues);
    const { before, after } = this.d.db.transaction(() => {
      const before = this.d.store.find(username);
      if (!before) throw new AppError('AGENT_NOT_FOUND', `No agent ${username}.`);
      const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin && this.enabledAdmins() <= 1) throw new AppError('LAST_ADMIN');
      const after = this.d.store.update(username, patch) as StoredAgent;
      const action = before.disabled !== after.disabled ? (after.disabled ? 'agent.disabled' : 'agent.enabled') : 'agent.updated';
      this.d.audit.record({ actor, action, target: username, before: publicAgent(before), after: publicAgent(after) });
      return { before, after };
    })();
    if (after.disabled && !before.disabled) this.takeOffline(username);
    else if (!after.disabled) this.d.presence.upsert(after);
    this.d.changed?.(username);
    return publicAgent(after);
  }

  /** Sets a new password; the agent's sessions end (their widgets close), so an old password's logins stop too. */
  async resetPassword(actor: string, username: string, password: string): Promise<void> {
    if (!this.d.store.find(username)) throw new AppError('AGENT_NOT_FOUND', `No agent ${username}.`);
    const hash = await hashPassword(password);
    this.d.db.transaction(() => {
      if (!this.d.store.setPasswordHash(username, hash)) throw new AppError('AGENT_NOT_FOUND', `No agent ${username}.`);
      this.d.audit.record({ actor, action: 'agent.password.reset', target: username });
    })();
    this.d.sessions.revokeUser(username);
    this.d.closeSockets(username);
    this.d.changed?.(username);
  }

  /**
   * Another node's console changed this agent, and the store has taken it (scale-out
   * mode): the live parts follow as they do for a change made here. The sessions were
   * revoked where the change was made (revocations are shared); this node closes its
   * own sockets of the agent.
   */
  appliedRemote(after: StoredAgent, before: StoredAgent | null): void {
    if (after.disabled) {
      if (before && !before.disabled) this.takeOffline(after.username);
      return;
    }
    this.d.presence.upsert(after);
    if (before && before.passwordHash !== after.passwordHash) this.d.closeSockets(after.username);
  }

  /**
   * Start-up: applies the config's agents to the store (see `AgentStore.applyConfig`),
   * auditing each change as actor `config`. Returns the enabled agents for the presence board.
   */
  static applyConfig(db: Database, store: AgentStore, audit: AuditLog, agents: readonly AgentConfig[]): StoredAgent[] {
    db.transaction(() => {
      const ch = store.applyConfig(agents);
      for (const a of ch.created) audit.record({ actor: 'config', action: 'agent.created', target: a.username, after: publicAgent(a) });
      for (const { before, after } of ch.updated) {
        const action = before.disabled && !after.disabled ? 'agent.enabled' : 'agent.updated';
        audit.record({ actor: 'config', action, target: after.username, before: publicAgent(before), after: publicAgent(after) });
      }
      for (const { before, after } of ch.removed) {
        audit.record({ actor: 'config', action: 'agent.disabled', target: after.username, before: publicAgent(before), after: publicAgent(after) });
      }
    })();
    return store.list().filter((a) => !a.disabled);
  }

  private takeOffline(username: string): void {
    this.d.sessions.revokeUser(username);
    this.d.setAway(username);
    // Sockets close before the agent leaves the board: their disconnect handlers still find the agent.
    this.d.closeSockets(username);
    this.d.presence.remove(username);
  }

  private enabledAdmins(): number {
    return this.d.store.list().filter((a) => a.role === 'admin' && !a.disabled).length;
  }

  private checkQueues(queues: readonly string[]): void {
    const fields: Record<string, string[]> = {};
    queues.forEach((q, i) => {
      if (!this.d.queues.has(q)) fields[`queues[${i}]`] = [`unknown queue "${q}"`];
    });
    if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', 'Some queues do not exist.', { fields });
  }
}
