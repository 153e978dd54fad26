/** The config bootstraps the agents in the store; the rule that decides who wins, the console or the file. */
import { describe, expect, it } from 'vitest';
import { AgentAdmin } from '../connector/admin/agent-admin.js';
import { AuditLog } from '../connector/admin/audit-log.js';
import { redact } from '../connector/admin/redact.js';
import { AgentStore } from '../connector/agents/agent-store.js';
import type { AgentConfig } from '../connector/config/schema.js';
import { openDatabase } from '../connector/store/db.js';

const HASH_A = 'scrypt$32768$8$1$AAAA$BBBB';
const HASH_B = 'scrypt$32768$8$1$CCCC$DDDD';
const agent = (over: Partial<AgentConfig> = {}): AgentConfig => ({ username: 'alice', displayName: 'Alice', passwordHash: HASH_A, role: 'agent', queues: ['support'], skills: [], ...over });

function setup() {
  const db = openDatabase(':memory:');
  const store = new AgentStore(db);
  const audit = new AuditLog(db);
  const apply = (agents: AgentConfig[]) => AgentAdmin.applyConfig(db, store, audit, agents).map((a) => a.username);
  return { db, store, audit, apply };
}

describe('config agents in the store', () => {
  it('creates config agents once; an unchanged entry does not undo console changes', () => {
    const { store, audit, apply } = setup();
    expect(apply([agent(), agent({ username: 'bob', queues: [] })])).toEqual(['alice', 'bob']);
    store.update('alice', { queues: ['billing'], displayName: 'Alice A.' });
    apply([agent(), agent({ username: 'bob', queues: [] })]);
    expect(store.find('alice')).toMatchObject({ queues: ['billing'], displayName: 'Alice A.', source: 'config' });
    const actions = audit.list({ limit: 10 }).map((e) => `${e.actor} ${e.action} ${e.target}`);
    expect(actions).toEqual(['config agent.created bob', 'config agent.created alice']);
  });

  it('a changed entry in the file wins over the console, password hash included', () => {
    const { store, audit, apply } = setup();
    apply([agent()]);
    store.update('alice', { queues: ['billing'] });
    apply([agent({ passwordHash: HASH_B, role: 'supervisor' })]);
    expect(store.find('alice')).toMatchObject({ queues: ['support'], role: 'supervisor', passwordHash: HASH_B });
    const [entry] = audit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'config', action: 'agent.updated', before: { role: 'agent', queues: ['billing'] }, after: { role: 'supervisor' } });
    expect(JSON.stringify(entry)).not.toContain('scrypt');
  });

  it('a config agent who leaves the file is disabled, and enabled again on coming back; console agents stay', () => {
    const { store, apply } = setup();
    apply([agent(), agent({ username: 'bob' })]);
    store.create({ username: 'carol', displayName: 'Carol', passwordHash: HASH_A, role: 'admin', queues: [], endpoint: null, source: 'console' });
    expect(apply([agent({ username: 'bob' })])).toEqual(['bob', 'carol']);
    expect(store.find('alice')?.disabled).toBe(true);
    expect(apply([agent(), agent({ username: 'bob' })])).toEqual(['alice', 'bob', 'carol']);
  });

  it('keeps skills from the file and the console; an entry without skills is not re-applied after the upgrade', () => {
    const { store, audit, apply } = setup();
    apply([agent(), agent({ username: 'bob', skills: ['spanish', 'billing-l2', 'spanish'] })]);
    expect(store.find('alice')?.skills).toEqual([]);
    expect(store.find('bob')?.skills).toEqual(['spanish', 'billing-l2']);
    store.update('alice', { skills: ['french'] });
    expect(store.find('alice')?.skills).toEqual(['french']);
    // Unchanged entries (skills never given) keep their hash: the console's skills stay.
    apply([agent(), agent({ username: 'bob', skills: ['spanish', 'billing-l2', 'spanish'] })]);
    expect(store.find('alice')?.skills).toEqual(['french']);
    expect(audit.list({ limit: 10 })).toHaveLength(2);
    apply([agent({ skills: ['german'] }), agent({ username: 'bob', skills: ['spanish', 'billing-l2', 'spanish'] })]);
    expect(store.find('alice')?.skills).toEqual(['german']);
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ action: 'agent.updated', before: { skills: ['french'] }, after: { skills: ['german'] } });
  });

  it('an agent disabled in the console stays disabled while the file does not change', () => {
    const { store, apply } = setup();
    apply([agent()]);
    store.update('alice', { disabled: true });
    expect(apply([agent()])).toEqual([]);
  });
});

describe('redact', () => {
  it('drops secret-named keys and password hashes at any depth; keeps where secrets come from', () => {
    expect(
      redact({ id: 'pbx', password: 'x', passwordEnv: 'ARI_PW', passwordFile: '/run/pw', nested: [{ token: 't', authToken: 'a', hmacKey: 'k', note: HASH_A, ok: 1 }] }),
    ).toEqual({ id: 'pbx', passwordEnv: 'ARI_PW', passwordFile: '/run/pw', nested: [{ note: '[redacted]', ok: 1 }] });
  });
});
