/**
 * Agent presence shared by every node of a cluster, in Redis.
 *
 * Each agent is one hash (`<prefix>agent:<username>`), the single source of
 * truth. Every write is a Lua script that changes some fields, bumps the
 * record's version and publishes the whole record on `<prefix>presence`; each
 * node keeps a mirror (its PresenceBoard) that applies records newer than the
 * one it has, so routing decisions stay synchronous and local.
 *
 * Taking an agent for a call is the one decision that MUST be cluster-wide:
 * the claim script gives the agent to a call only if it is available,
 * reachable and has no offer, atomically. Two nodes claiming one agent: one
 * wins, the other gets the record as it is and tries someone else. So no agent
 * is ever offered two calls, whichever nodes the calls are on.
 *
 * Fields: who writes them. The state, its reason and times, the phone's
 * reachability and the wrap-up limit: any node, last writer wins (the agent's
 * own requests, or the node that owns their call). The offer: only the claim
 * and release scripts. The call: the node that connected it.
 *
 * A Redis restart (it keeps nothing on disk) loses the hashes: every node
 * writes its mirror back for keys that are missing, then re-asserts the offers
 * and calls it owns.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AgentPresence, PresenceBoard, PresenceField } from '../agents/presence.js';
import type { AgentState } from '../protocol.js';

const UPDATE = `
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return rec`;

const CLAIM = `
local r = redis.call('HMGET', KEYS[1], 'state', 'reachable', 'offer')
if r[3] == ARGV[3] then return { 1, redis.call('HGETALL', KEYS[1]) } end
if r[1] ~= 'available' or r[2] == '0' or (r[3] and r[3] ~= '') then
  return { 0, redis.call('HGETALL', KEYS[1]) }
end
redis.call('HSET', KEYS[1], 'offer', ARGV[3], 'offerNode', ARGV[2], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return { 1, rec }`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'offer') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'offer', '', 'offerNode', '', 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return 1`;

/** Writes the whole record only where there is none (after a Redis restart, or the first node up). */
const SEED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'by', ARGV[2], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return 1`;

/**
 * A dead node's offers and calls (ARGV[3]: its id): the offer is released; an agent on
 * its call goes to after-call work (the call is gone with the node's PBX link; the
 * agent may still log it).
 */
const FORGET_NODE = `
local r = redis.call('HMGET', KEYS[1], 'offerNode', 'callNode', 'state')
local changed = false
if r[1] == ARGV[3] then redis.call('HSET', KEYS[1], 'offer', '', 'offerNode', ''); changed = true end
if r[2] == ARGV[3] then
  redis.call('HSET', KEYS[1], 'callNode', '')
  if r[3] == 'on-call' then redis.call('HSET', KEYS[1], 'state', 'after-call-work', 'since', ARGV[4]) end
  changed = true
end
if not changed then return 0 end
redis.call('HSET', KEYS[1], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return 1`;

const STATES = ['available', 'on-call', 'after-call-work', 'away'] as const;
const message = z.object({ key: z.string(), rec: z.array(z.string()) });

/** A record as Redis holds it (all strings). */
export interface PresenceRecord {
  state: AgentState;
  reason: string;
  since: number;
  idle: number;
  reachable: boolean;
  wrapUpEnds: number | null;
  offer: string | null;
  offerNode: string | null;
  call: string | null;
  callNode: string | null;
  ver: number;
  by: string;
}

export function parseRecord(flat: readonly string[]): PresenceRecord | null {
  const h = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
  const state = h.get('state');
  if (!state || !(STATES as readonly string[]).includes(state)) return null;
  const num = (k: string) => (h.get(k) ? Number(h.get(k)) : NaN);
  const str = (k: string) => h.get(k) || null;
  return {
    state: state as AgentState,
    reason: h.get('reason') ?? '',
    since: num('since'),
    idle: num('idle'),
    reachable: h.get('reachable') !== '0',
    wrapUpEnds: Number.isFinite(num('wrapUpEnds')) ? num('wrapUpEnds') : null,
    offer: str('offer'),
    offerNode: str('offerNode'),
    call: str('call'),
    callNode: str('callNode'),
    ver: Number.isFinite(num('ver')) ? num('ver') : 0,
    by: h.get('by') ?? '',
  };
}

export interface SharedPresenceOptions {
  /** Commands and scripts. */
  redis: Redis;
  /** A second connection for the subscription (`redis.duplicate()`). */
  sub: Redis;
  board: PresenceBoard;
  nodeId: string;
  prefix: string;
  log: Logger;
  /**
   * Another node changed an agent (this node's mirror is updated already): the
   * call center reacts, e.g. withdraws an offer of its own from an agent who went
   * away elsewhere, or offers a waiting call to one who became available.
   */
  onRemoteChange: (agent: AgentPresence, before: Pick<AgentPresence, 'state' | 'reachable' | 'offeredCallId' | 'callId'>) => void;
  /** How long a claim may take before it counts as lost (Redis down). */
  claimTimeoutMs?: number;
}

export class SharedPresence {
  private readonly versions = new Map<string, number>();
  /** Where this node's mirror has an offer it wrote, to release the right one. */
  private readonly ownOffers = new Map<string, string>();
  /** Offers and calls this node owns: re-asserted after a Redis restart. */
  private readonly ownCalls = new Map<string, string>();
  private claiming: string | null = null;
  private readonly channel: string;
  private offChange: (() => void) | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly o: SharedPresenceOptions) {
    this.channel = `${o.prefix}presence`;
  }

  private key(username: string): string {
    return `${this.o.prefix}agent:${username}`;
  }

  /** Loads every agent's record (writing this node's where there is none), then follows changes. */
  async start(): Promise<void> {
    const { board, sub, redis } = this.o;
    sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.received(text);
    });
    await sub.subscribe(this.channel);
    await this.seedAll();
    // After a reconnect Redis may be a new, empty server: write our picture back.
    redis.on('ready', () => {
      if (this.started && !this.closed) void this.seedAll().catch((err: unknown) => this.o.log.warn({ err }, 'presence: re-seeding Redis failed'));
    });
    this.offChange = board.onChange((agent, fields) => this.localChange(agent, fields));
    board.claimer = (agent, callId) => this.claim(agent, callId);
    this.started = true;
  }

  close(): void {
    this.closed = true;
    this.offChange?.();
    this.offChange = null;
  }

  /** The record of one agent as Redis has it now. */
  async read(username: string): Promise<PresenceRecord | null> {
    return parseRecord(await this.o.redis.hgetall(this.key(username)).then((h) => Object.entries(h).flat()));
  }

  /** The node that owns the agent's offer or call, when it is another node. */
  ownerOf(username: string): { offerNode: string | null; callNode: string | null } {
    return this.owners.get(username) ?? { offerNode: null, callNode: null };
  }

  private readonly owners = new Map<string, { offerNode: string | null; callNode: string | null }>();

  // ---- writes -----------------------------------------------------------

  private fieldsOf(agent: AgentPresence, fields: readonly PresenceField[]): string[] {
    const out: string[] = [];
    for (const f of fields) {
      if (f === 'state') out.push('state', agent.state, 'reason', agent.awayReason ?? '', 'since', String(agent.stateSinceMs), 'idle', String(agent.idleSinceMs));
      else if (f === 'reachable') out.push('reachable', agent.reachable ? '1' : '0');
      else if (f === 'wrapUp') out.push('wrapUpEnds', agent.wrapUpEndsAtMs == null ? '' : String(agent.wrapUpEndsAtMs));
      else if (f === 'call') out.push('call', agent.callId ?? '', 'callNode', agent.callId ? this.o.nodeId : '');
    }
    return out;
  }

  private localChange(agent: AgentPresence, fields: readonly PresenceField[]): void {
    const u = agent.username;
    if (fields.includes('call')) {
      if (agent.callId) this.ownCalls.set(u, agent.callId);
      else this.ownCalls.delete(u);
    }
    if (fields.includes('offer')) this.localOffer(agent);
    const args = this.fieldsOf(agent, fields);
    if (args.length === 0) return;
    this.script(UPDATE, u, args).catch((err: unknown) => this.o.log.warn({ err, agent: u }, 'presence: writing to Redis failed'));
  }

  private localOffer(agent: AgentPresence): void {
    const u = agent.username;
    const previous = this.ownOffers.get(u);
    if (agent.offeredCallId === null) {
      if (previous) {
        this.ownOffers.delete(u);
        this.script(RELEASE, u, [previous]).catch((err: unknown) => this.o.log.warn({ err, agent: u }, 'presence: releasing an offer failed'));
      }
      return;
    }
    // Set through claim(): the claim script writes it, and it is ours once won. Set otherwise
    // (click-to-dial's own call): write it.
    if (this.claiming !== u) {
      this.ownOffers.set(u, agent.offeredCallId);
      this.script(UPDATE, u, ['offer', agent.offeredCallId, 'offerNode', this.o.nodeId]).catch((err: unknown) => this.o.log.warn({ err, agent: u }, 'presence: writing an offer failed'));
    }
  }

  /** The cluster-wide claim (AgentClaimer): optimistic locally, decided by Redis. */
  private claim(agent: AgentPresence, callId: string): boolean | Promise<boolean> {
    if (agent.offeredCallId !== null) return false;
    this.claiming = agent.username;
    try {
      this.o.board.setOffer(agent, callId);
    } finally {
      this.claiming = null;
    }
    const timeout = this.o.claimTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const decided = this.script(CLAIM, agent.username, [callId]).then((r) => r as [number, string[]]);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`claim of ${agent.username} took over ${timeout} ms`)), timeout);
    });
    return Promise.race([decided, timedOut])
      .then(([won, flat]) => {
        if (!won) this.apply(flat, true, agent.username);
        return won === 1;
      })
      .catch((err: unknown) => {
        this.o.log.warn({ err, agent: agent.username, callId }, 'presence: claim failed; counted as lost');
        return false;
      })
      .then((won) => {
        clearTimeout(timer);
        if (won) this.ownOffers.set(agent.username, callId);
        // Lost: our optimistic offer goes (without a release: it was never ours in Redis).
        else if (agent.offeredCallId === callId) this.o.board.applyRemote(agent.username, { offeredCallId: null });
        return won;
      });
  }

  private async script(lua: string, username: string, args: readonly string[]): Promise<unknown> {
    return this.o.redis.eval(lua, 1, this.key(username), this.channel, this.o.nodeId, ...args);
  }

  private async seedAll(): Promise<void> {
    // A new (restarted) Redis numbers records from 1 again: forget the versions we knew.
    this.versions.clear();
    const agents = [...this.o.board.all()];
    const offers = [...this.ownOffers];
    const calls = [...this.ownCalls];
    const pipe = this.o.redis.pipeline();
    for (const a of agents) {
      const fields = this.fieldsOf(a, ['state', 'reachable', 'wrapUp']);
      if (a.offeredCallId && this.ownOffers.get(a.username) === a.offeredCallId) fields.push('offer', a.offeredCallId, 'offerNode', this.o.nodeId);
      if (a.callId && this.ownCalls.get(a.username) === a.callId) fields.push('call', a.callId, 'callNode', this.o.nodeId);
      pipe.eval(SEED, 1, this.key(a.username), this.channel, this.o.nodeId, ...fields);
    }
    await pipe.exec();
    // Another node may have seeded first, without what we own: re-assert our offers and calls
    // (taken before any record is read back into the mirror).
    for (const [u, callId] of offers) await this.script(UPDATE, u, ['offer', callId, 'offerNode', this.o.nodeId]);
    for (const [u, callId] of calls) await this.script(UPDATE, u, ['call', callId, 'callNode', this.o.nodeId]);
    // Then take whatever is there now.
    const read = this.o.redis.pipeline();
    for (const a of agents) read.hgetall(this.key(a.username));
    const results = (await read.exec()) ?? [];
    results.forEach(([err, h], i) => {
      if (!err && h) this.apply(Object.entries(h as Record<string, string>).flat(), true, agents[i]!.username);
    });
  }

  /**
   * Releases what a dead node held (every node may run it: the script checks). Returns the
   * agents this node changed, with their records applied to the mirror.
   */
  async forgetNode(node: string): Promise<Array<{ username: string; offer: string | null; call: string | null }>> {
    const changed: Array<{ username: string; offer: string | null; call: string | null }> = [];
    for (const a of [...this.o.board.all()]) {
      const before = this.owners.get(a.username);
      const offer = before?.offerNode === node ? a.offeredCallId : null;
      const call = before?.callNode === node ? a.callId : null;
      if (Number(await this.script(FORGET_NODE, a.username, [node, String(Date.now())])) === 1) changed.push({ username: a.username, offer, call });
    }
    for (const { username } of changed) {
      const rec = await this.o.redis.hgetall(this.key(username));
      this.apply(Object.entries(rec).flat(), true, username);
    }
    return changed;
  }

  // ---- reads ------------------------------------------------------------

  private received(text: string): void {
    let parsed: z.infer<typeof message>;
    try {
      parsed = message.parse(JSON.parse(text));
    } catch {
      this.o.log.warn('presence: a malformed message on the channel was dropped');
      return;
    }
    const username = parsed.key.startsWith(`${this.o.prefix}agent:`) ? parsed.key.slice(this.o.prefix.length + 6) : null;
    if (username) this.apply(parsed.rec, false, username);
  }

  /**
   * Takes a record into the mirror when it is newer than the one we have. Our own
   * writes (`by` this node) are skipped unless `force`: the mirror already has them.
   */
  private apply(flat: readonly string[], force: boolean, username?: string): void {
    const rec = parseRecord(flat);
    const u = username ?? null;
    if (!rec || !u) return;
    const known = this.versions.get(u) ?? -1;
    if (rec.ver <= known && !(force && rec.ver === known)) return;
    this.versions.set(u, rec.ver);
    this.owners.set(u, { offerNode: rec.offerNode, callNode: rec.callNode });
    if (rec.by === this.o.nodeId && !force) return;
    const agent = this.o.board.get(u);
    if (!agent) return;
    const before = { state: agent.state, reachable: agent.reachable, offeredCallId: agent.offeredCallId, callId: agent.callId };
    this.o.board.applyRemote(u, {
      state: rec.state,
      awayReason: rec.state === 'away' ? rec.reason || null : null,
      ...(Number.isFinite(rec.since) ? { stateSinceMs: rec.since } : {}),
      ...(Number.isFinite(rec.idle) ? { idleSinceMs: rec.idle } : {}),
      reachable: rec.reachable,
      wrapUpEndsAtMs: rec.wrapUpEnds,
      offeredCallId: rec.offer,
      callId: rec.call,
    });
    if (rec.offerNode !== this.o.nodeId) this.ownOffers.delete(u);
    if (rec.callNode !== this.o.nodeId) this.ownCalls.delete(u);
    this.o.onRemoteChange(agent, before);
  }
}
