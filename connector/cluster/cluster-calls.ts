/**
 * An agent's requests in a cluster. The agent's widget is connected to one node;
 * the call it is offered or on lives on the node whose PBX adapter has it (the
 * owner, from the shared presence record). Requests about that call (accept,
 * decline, hang up, finish the wrap-up, the reconnect snapshot) and state
 * changes that must withdraw its offer run on the owner, over the cluster bus;
 * everything else runs here. The owner's call center changes the shared
 * presence, which every node then sees.
 */
import type { Logger } from 'pino';
import type { AgentPresence } from '../agents/presence.js';
import type { AgentCalls, SnapshotResult } from '../calls/agent-calls.js';
import type { CallCenter } from '../calls/call-center.js';
import type { CallRecord } from '../calls/call-record.js';
import type { AgentSnapshot, SettableAgentState } from '../protocol.js';
import type { ClusterBus } from './bus.js';
import type { SharedPresence } from './shared-presence.js';

/** Agent requests wait this long for the owning node. */
const REQUEST_TIMEOUT_MS = 5_000;

type Req = { username: string; callId?: string | null; state?: SettableAgentState; reason?: string; reachable?: boolean };

export class ClusterCalls implements AgentCalls {
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly o: { local: CallCenter; presence: SharedPresence; bus: ClusterBus; nodeId: string; log: Logger },
  ) {
    const { local, bus } = o;
    const on = (method: string, fn: (r: Req) => unknown) =>
      this.offs.push(bus.handle(`calls.${method}`, (payload) => fn(payload as Req)));
    on('accept', (r) => local.accept(r.username, r.callId ?? ''));
    on('decline', (r) => local.decline(r.username, r.callId ?? ''));
    on('hangup', (r) => local.hangup(r.username, r.callId ?? ''));
    on('hold', (r) => local.hold(r.username, r.callId ?? ''));
    on('resume', (r) => local.resume(r.username, r.callId ?? ''));
    on('finishWrapUp', (r) => local.finishWrapUpFor(r.username, r.callId ?? null));
    on('setState', (r) => local.setState(r.username, r.state ?? 'away', r.reason));
    on('setPhoneReachable', (r) => local.setPhoneReachable(r.username, r.reachable === true));
    on('snapshot', (r) => local.snapshot(r.username).snapshot);
    // The snapshot's pop was shown: counts only if it is still the offer that snapshot carried.
    on('delivered', (r) => (r.callId ? local.popDelivered(r.username, r.callId) : undefined));
    on('record', (r) => local.getCall(r.callId ?? ''));
    // A call this node has live, or (call waiting) one of the agent's calls it keeps to be logged.
    on('has', (r) => local.hasLiveCall(r.callId ?? '') || local.hasPendingWrapUp(r.username, r.callId ?? ''));
    on('popDelivered', (r) => local.popDelivered(r.username, r.callId ?? ''));
    local.askOtherNodes = (callId) => this.recordFromPeers(callId);
  }

  /** The widget has the pop (`screenpop.delivered`): counted on the node that offered it. */
  async popDelivered(username: string, callId: string): Promise<void> {
    const node = await this.callOwner(username, 'offer', callId);
    if (node) await this.forward(node, 'popDelivered', { username, callId });
    else this.o.local.popDelivered(username, callId);
  }

  /** A call record another node keeps in memory (written to the store within its batch window). */
  private async recordFromPeers(callId: string): Promise<CallRecord | null> {
    const found = await this.askPeers<CallRecord | null>('record', { username: '', callId }, (r) => r !== null);
    return found?.answer ?? null;
  }

  /**
   * Asks the other live nodes one by one (from Redis, not the last poll: a node started a
   * moment ago has not polled yet) until one answers what `wanted` accepts.
   */
  private async askPeers<T>(method: string, req: Req, wanted: (answer: T) => boolean): Promise<{ node: string; answer: T } | null> {
    const nodes = await this.o.bus.aliveNodes({ timeoutMs: 2_000 }).catch(() => this.o.bus.peers());
    for (const node of nodes) {
      if (node === this.o.nodeId) continue;
      try {
        const answer = await this.o.bus.request<T>(node, `calls.${method}`, req, { timeoutMs: 2_000 });
        if (wanted(answer)) return { node, answer };
      } catch (err) {
        this.o.log.debug({ err, node, method }, 'asking a node failed');
      }
    }
    return null;
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** The other node that owns the agent's offer (or call, with `call`) by this node's mirror, or null. */
  private owner(username: string, which: 'offer' | 'call', callId?: string | null): string | null {
    if (callId && this.o.local.hasLiveCall(callId)) return null;
    const { offerNode, callNode } = this.o.presence.ownerOf(username);
    const node = which === 'offer' ? offerNode : callNode;
    return node && node !== this.o.nodeId ? node : null;
  }

  /**
   * The node that has `callId`, for a request that names it: this one (null), else the mirror's
   * owner when the mirror knows the call, else Redis's record, else whichever node says it has it.
   * A widget can ask about a call before this node's mirror heard of it: the pop (Redis stream)
   * and the presence record (pub/sub) travel separately.
   */
  private async callOwner(username: string, which: 'offer' | 'call', callId: string): Promise<string | null> {
    if (this.o.local.hasLiveCall(callId) || this.o.local.hasPendingWrapUp(username, callId)) return null;
    const a = this.agent(username);
    if (which === 'offer' ? a?.offeredCallId === callId : a?.callId === callId || a?.callIds.includes(callId)) {
      const node = this.owner(username, which, callId);
      if (node) return node;
    }
    const rec = await this.o.presence.read(username).catch(() => null);
    const fromRedis = rec?.offer === callId ? rec.offerNode : rec?.call === callId || rec?.calls.includes(callId) ? rec.callNode : null;
    if (fromRedis && fromRedis !== this.o.nodeId) return fromRedis;
    return (await this.askPeers<boolean>('has', { username, callId }, (has) => has === true))?.node ?? null;
  }

  private agent(username: string): AgentPresence | undefined {
    return this.o.local.presenceOf(username);
  }

  private forward<T>(node: string, method: string, req: Req): Promise<T> {
    return this.o.bus.request<T>(node, `calls.${method}`, req, { timeoutMs: REQUEST_TIMEOUT_MS });
  }

  hasAgent(username: string): boolean {
    return this.o.local.hasAgent(username);
  }

  accept(username: string, callId: string): Promise<void> {
    return this.onOwner('offer', 'accept', username, callId);
  }

  decline(username: string, callId: string): Promise<void> {
    return this.onOwner('offer', 'decline', username, callId);
  }

  hangup(username: string, callId: string): Promise<void> {
    // On a ringing offer a hang-up is a decline: it goes where the offer is.
    return this.onOwner(this.agent(username)?.offeredCallId === callId ? 'offer' : 'call', 'hangup', username, callId);
  }

  hold(username: string, callId: string): Promise<void> {
    return this.onOwner('call', 'hold', username, callId);
  }

  resume(username: string, callId: string): Promise<void> {
    return this.onOwner('call', 'resume', username, callId);
  }

  /** A request about one call: run on the node that has it (its offer, or its connected call), else here. */
  private async onOwner(which: 'offer' | 'call', method: 'accept' | 'decline' | 'hangup' | 'hold' | 'resume', username: string, callId: string): Promise<void> {
    const node = await this.callOwner(username, which, callId);
    if (node) return this.forward(node, method, { username, callId });
    await this.o.local[method](username, callId);
  }

  async finishWrapUpFor(username: string, callId: string | null): Promise<AgentSnapshot> {
    const a = this.agent(username);
    const id = callId ?? a?.callId ?? null;
    const node = id ? await this.callOwner(username, 'call', id) : null;
    return node ? this.forward<AgentSnapshot>(node, 'finishWrapUp', { username, callId }) : this.o.local.finishWrapUpFor(username, callId);
  }

  async setState(username: string, state: SettableAgentState, reason?: string): Promise<AgentSnapshot> {
    const a = this.agent(username);
    // An offer ringing from another node is withdrawn there; a wrap-up of another node's call ends there.
    const node = a?.offeredCallId ? this.owner(username, 'offer', a.offeredCallId) : a?.state === 'after-call-work' ? this.owner(username, 'call', a.callId) : null;
    return node ? this.forward(node, 'setState', { username, state, ...(reason !== undefined ? { reason } : {}) }) : this.o.local.setState(username, state, reason);
  }

  async setPhoneReachable(username: string, reachable: boolean): Promise<void> {
    const a = this.agent(username);
    const node = a?.offeredCallId ? this.owner(username, 'offer', a.offeredCallId) : null;
    if (node) await this.forward(node, 'setPhoneReachable', { username, reachable });
    else this.o.local.setPhoneReachable(username, reachable);
  }

  /** The reconnect snapshot: from the node that owns the agent's offer or call, else this one. */
  async snapshot(username: string): Promise<SnapshotResult> {
    const a = this.agent(username);
    const node = (a?.offeredCallId ? this.owner(username, 'offer', a.offeredCallId) : null) ?? (a?.callId ? this.owner(username, 'call', a.callId) : null);
    if (!node) return this.o.local.snapshot(username);
    try {
      const snapshot = await this.forward<SnapshotResult['snapshot']>(node, 'snapshot', { username });
      const offered = snapshot.offers[0]?.callId ?? null;
      return {
        snapshot,
        onDelivered: () => {
          if (offered) void this.forward(node, 'delivered', { username, callId: offered }).catch(() => {});
        },
      };
    } catch (err) {
      // The owner is gone (its calls with it) or slow: the agent still gets their state now.
      this.o.log.warn({ err, agent: username, node }, 'snapshot from the owning node failed; sending this node\'s');
      return this.o.local.snapshot(username);
    }
  }
}
