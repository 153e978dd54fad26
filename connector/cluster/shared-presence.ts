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
 * the claim script gives the agent to a call only if it is reachable, has no
 * offer and is available, or (call waiting) is on fewer calls than its
 * `maxCalls`, all of them on the claiming node, atomically. Two nodes claiming one agent: one
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
if redis.call('HEXISTS', KEYS[1], 'state') == 0 then return redis.call('HGETALL', KEYS[1]) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return rec`;

/**
 * ARGV[3]: the call; ARGV[4]: the agent's maxCalls. An agent on a call may take
 * another (call waiting) only from the node that has their calls (`callNode`),
 * so all of one agent's calls live on one node.
 */
const CLAIM = `
local r = redis.call('HMGET', KEYS[1], 'state', 'reachable', 'offer', 'offerNode', 'calls', 'callNode')
if r[3] == ARGV[3] and r[4] == ARGV[2] then return { 1, redis.call('HGETALL', KEYS[1]) } end
if r[2] == '0' or (r[3] and r[3] ~= '') then return { 0, redis.call('HGETALL', KEYS[1]) } end
local free = r[1] == 'available'
if not free and r[1] == 'on-call' and r[6] == ARGV[2] then
  local n = 0
  for _ in string.gmatch(r[5] or '', '[^,]+') do n = n + 1 end
  free = n > 0 and n < (tonumber(ARGV[4]) or 1)
end
if not free then return { 0, redis.call('HGETALL', KEYS[1]) } end
redis.call('HSET', KEYS[1], 'offer', ARGV[3], 'offerNode', ARGV[2], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return { 1, rec }`;

const RELEASE = `
local r = redis.call('HMGET', KEYS[1], 'offer', 'offerNode')
if r[1] ~= ARGV[3] or r[2] ~= ARGV[2] then return redis.call('HGETALL', KEYS[1]) end
redis.call('HSET', KEYS[1], 'offer', '', 'offerNode', '', 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return rec`;

/** Re-asserts an offer this node holds, unless another node took the agent meanwhile (returns 0 then). */
const ASSERT_OFFER = `
local r = redis.call('HMGET', KEYS[1], 'offer', 'offerNode')
if r[1] and r[1] ~= '' and not (r[1] == ARGV[3] and r[2] == ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'offer', ARGV[3], 'offerNode', ARGV[2], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
local rec = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({ key = KEYS[1], rec = rec }))
return 1`;

/**
 * Fills in the fields a record lacks (all of them where there is none: after a Redis
 * restart, or the first node up; some, where a write queued during an outage made a
 * partial record), keeping what is there.
 */
const SEED = `
local added = 0
for i = 3, #ARGV, 2 do added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
if added == 0 then return 0 end
redis.call('HSET', KEYS[1], 'by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
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
  redis.call('HSET', KEYS[1], 'callNode', '', 'calls', '')
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
  /** Every call the agent is connected to (call waiting), all on `callNode`. */
  calls: string[];
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
    calls: (h.get('calls') ?? '').split(',').filter(Boolean),
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
  /** After a Redis restart another node took an agent this node's call was ringing: withdraw it here. */
  onOfferLost?: (username: string, callId: string) => void;
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
  /** Writes of this node not yet answered, per agent: remote records wait until they are. */
  private readonly inflight = new Map<string, number>();
  /** Agents whose remote records were held back while a write was in flight: re-read then. */
  private readonly dirty = new Set<string>();
  private seeding: Promise<void> | null = null;
  private seedAgain = false;
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
    // A previous process with this node id may have died holding offers or calls: they are gone.
    await this.forgetNode(this.o.nodeId);
    await this.seedAll();
    // After a reconnect Redis may be a new, empty server, and the subscription missed records:
    // write our picture back where it is missing, and read everything again.
    const again = (): void => {
      if (this.started && !this.closed) void this.reseed();
    };
    redis.on('ready', again);
    sub.on('ready', again);
    this.offChange = board.onChange((agent, fields) => this.localChange(agent, fields));
    board.claimer = (agent, callId) => this.claim(agent, callId);
    board.released = (agent, callId) => this.released(agent.username, callId);
    this.started = true;
  }

  /** One seeding at a time; a reconnect during one asks for another after it. */
  private reseed(): Promise<void> {
    if (this.seeding) {
      this.seedAgain = true;
      return this.seeding;
    }
    this.seeding = this.seedAll()
      .catch((err: unknown) => this.o.log.warn({ err }, 'presence: re-seeding Redis failed'))
      .finally(() => {
        this.seeding = null;
        if (this.seedAgain) {
          this.seedAgain = false;
          void this.reseed();
        }
      });
    return this.seeding;
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
      else if (f === 'call') out.push('call', agent.callId ?? '', 'callNode', agent.callId ? this.o.nodeId : '', 'calls', agent.callIds.join(','));
    }
    return out;
  }

  private localChange(agent: AgentPresence, fields: readonly PresenceField[]): void {
    const u = agent.username;
    if (fields.includes('call')) {
      if (agent.callId) this.ownCalls.set(u, agent.callId);
      else this.ownCalls.delete(u);
    }
    // An agent added after start (the admin console, or another node's change) has no record
    // yet, and the update script changes only records that exist: write the whole record first.
    // (SEED fills only missing fields: harmless when the record exists after all.)
    if (!this.versions.has(u)) void this.write(u, SEED, this.seedFields(agent), 'writing a new agent\'s record failed');
    if (fields.includes('offer')) this.localOffer(agent);
    const args = this.fieldsOf(agent, fields);
    if (args.length === 0) return;
    void this.write(u, UPDATE, args, 'writing to Redis failed');
  }

  /** Every field of a record, as this node's mirror has the agent (offer and call empty: those are claimed). */
  private seedFields(a: AgentPresence): string[] {
    return [...this.fieldsOf(a, ['state', 'reachable', 'wrapUp']), 'offer', '', 'offerNode', '', 'call', '', 'callNode', '', 'calls', ''];
  }

  private localOffer(agent: AgentPresence): void {
    const u = agent.username;
    const previous = this.ownOffers.get(u);
    if (agent.offeredCallId === null) {
      if (previous) this.released(u, previous);
      return;
    }
    // Set through claim(): the claim script writes it, and it is ours once won. Set otherwise
    // (click-to-dial's own call): write it.
    if (this.claiming !== u) {
      this.ownOffers.set(u, agent.offeredCallId);
      void this.write(u, UPDATE, ['offer', agent.offeredCallId, 'offerNode', this.o.nodeId], 'writing an offer failed');
    }
  }

  /**
   * This node is done with its offer `callId` to the agent: released in Redis by what this
   * node holds, whatever its mirror shows now (a remote record may have changed it).
   */
  private released(username: string, callId: string): void {
    if (this.ownOffers.get(username) !== callId) return;
    this.ownOffers.delete(username);
    void this.write(username, RELEASE, [callId], 'releasing an offer failed');
  }

  /**
   * Runs a script that writes the agent's record. While any is in flight, remote records
   * of that agent are held back (the mirror has our newer change); when the last one is
   * answered, its record (Redis's truth) is applied, or the record is read again.
   */
  private async write(username: string, lua: string, args: readonly string[], failure: string): Promise<unknown> {
    this.inflight.set(username, (this.inflight.get(username) ?? 0) + 1);
    let result: unknown = null;
    try {
      result = await this.script(lua, username, args);
      // Our write's version: a record older than it (another node's, published before ours
      // but received after) must not overwrite the mirror.
      const rec = Array.isArray(result) && result.every((x) => typeof x === 'string') ? parseRecord(result as string[]) : null;
      if (rec && rec.ver > (this.versions.get(username) ?? -1)) {
        this.versions.set(username, rec.ver);
        this.owners.set(username, { offerNode: rec.offerNode, callNode: rec.callNode });
      }
      return result;
    } catch (err) {
      this.o.log.warn({ err, agent: username }, `presence: ${failure}`);
      return null;
    } finally {
      const left = (this.inflight.get(username) ?? 1) - 1;
      if (left > 0) this.inflight.set(username, left);
      else {
        this.inflight.delete(username);
        const wasDirty = this.dirty.delete(username);
        // No write of ours in flight now: the mirror takes Redis's record as our last write left
        // it (with what other nodes wrote before it), or reads it again.
        const flat = Array.isArray(result) && result.every((x) => typeof x === 'string') ? (result as string[]) : null;
        if (flat && flat.length > 0) this.apply(flat, true, username);
        else if (wasDirty) void this.refresh(username);
      }
    }
  }

  /** Reads one agent's record into the mirror (an agent that just joined this node's board). */
  reload(username: string): Promise<void> {
    return this.refresh(username);
  }

  private async refresh(username: string): Promise<void> {
    try {
      this.apply(Object.entries(await this.o.redis.hgetall(this.key(username))).flat(), true, username);
    } catch (err) {
      this.o.log.warn({ err, agent: username }, 'presence: reading a record failed');
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
    const u = agent.username;
    const timeout = this.o.claimTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    this.inflight.set(u, (this.inflight.get(u) ?? 0) + 1);
    const decided = this.script(CLAIM, u, [callId, String(agent.maxCalls)]).then((r) => r as [number, string[]]);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`claim of ${u} took over ${timeout} ms`)), timeout);
    });
    return Promise.race([decided, timedOut])
      .then(([won, flat]) => ({ won: won === 1, flat, unsure: false }))
      .catch((err: unknown) => {
        this.o.log.warn({ err, agent: u, callId }, 'presence: claim failed; counted as lost');
        return { won: false, flat: null as string[] | null, unsure: true };
      })
      .then(({ won, flat, unsure }) => {
        clearTimeout(timer);
        const left = (this.inflight.get(u) ?? 1) - 1;
        if (left > 0) this.inflight.set(u, left);
        else this.inflight.delete(u);
        this.dirty.delete(u);
        if (won) this.ownOffers.set(u, callId);
        // Redis's record, won or lost: versions, owners and the mirror follow it.
        if (flat) this.apply(flat, true, u);
        if (unsure) {
          // The claim may still run once Redis answers (ioredis resends it): release it after it.
          this.ownOffers.set(u, callId);
          this.released(u, callId);
        }
        if (!won && agent.offeredCallId === callId) this.o.board.applyRemote(u, { offeredCallId: null });
        if (won && agent.offeredCallId !== callId) this.o.board.applyRemote(u, { offeredCallId: callId });
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
    const pipe = this.o.redis.pipeline();
    for (const a of agents) pipe.eval(SEED, 1, this.key(a.username), this.channel, this.o.nodeId, ...this.seedFields(a));
    await pipe.exec();
    // Re-assert what this node holds, as it holds it now (an offer released meanwhile is not
    // brought back), unless another node took the agent meanwhile: then our offer goes.
    for (const [u, callId] of [...this.ownOffers]) {
      if (this.ownOffers.get(u) !== callId) continue;
      const ok = Number(await this.script(ASSERT_OFFER, u, [callId]));
      if (ok === 0 && this.ownOffers.get(u) === callId) {
        this.ownOffers.delete(u);
        this.o.log.warn({ agent: u, callId }, 'presence: another node took the agent while Redis was away; withdrawing our offer');
        this.o.onOfferLost?.(u, callId);
      }
    }
    for (const [u, callId] of [...this.ownCalls]) {
      if (this.ownCalls.get(u) !== callId) continue;
      const a = this.o.board.get(u);
      const state = a?.callId === callId && (a.state === 'on-call' || a.state === 'after-call-work') ? ['state', a.state] : [];
      await this.script(UPDATE, u, ['call', callId, 'callNode', this.o.nodeId, 'calls', (a?.callIds ?? []).join(','), ...state]);
    }
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
    // A write of ours is in flight: the mirror has that newer change; Redis's record is read
    // when the write is answered.
    if (!force && this.inflight.has(u)) {
      this.dirty.add(u);
      return;
    }
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
      // Records from before call waiting have no list: the one call.
      callIds: rec.state !== 'on-call' ? [] : rec.calls.length ? rec.calls : rec.call ? [rec.call] : [],
      // Calls on another node (or a record the claim script would not take: no node, no list):
      // a waiting call is offered to this agent only by the node the script accepts.
      callsElsewhere: rec.state === 'on-call' && (rec.callNode !== this.o.nodeId || rec.calls.length === 0),
    });
    if (rec.offerNode !== this.o.nodeId) this.ownOffers.delete(u);
    if (rec.callNode !== this.o.nodeId) this.ownCalls.delete(u);
    this.o.onRemoteChange(agent, before);
  }
}
