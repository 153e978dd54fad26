/**
 * Click-to-dial, the connector's side: an agent asks to call a number; the
 * adapter rings the agent's phone, then the customer, and bridges them. The call
 * is logged like an inbound one: a record with the customer's number (looked up,
 * so the pop shows their contact), the agent on-call, then after-call work with
 * the case form.
 */
import type { PbxAdapter } from '../../adapters/adapter.js';
import { AdapterError } from '../../adapters/errors.js';
import type { EndReason, PbxEvent } from '../../adapters/events.js';
import { AppError } from '../errors.js';
import { normalizePhone, type CountryCode } from '../phone/normalize.js';
import type { CallEndReason, CaseType } from '../protocol.js';
import { agentCallConnected, agentCallEnded, agentCallLookedUp, newAgentCallRecord, type AgentCallDeps } from './agent-call.js';
import type { CallRecord } from './call-record.js';
import { buildScreenPop } from './screen-pop.js';

export interface ClickToDialOptions extends AgentCallDeps {
  adapters: readonly PbxAdapter[];
  defaultRegion: CountryCode;
  /** How long the pop says the agent's phone rings before giving up (the adapter's originate timeout decides). */
  ringEstimateMs: number;
  caseType: CaseType;
}

const END: Record<EndReason, CallEndReason> = {
  'caller-hangup': 'caller-hangup',
  'agent-hangup': 'agent-hangup',
  'system-hangup': 'system-hangup',
  'no-answer': 'failed',
  busy: 'failed',
  transferred: 'caller-hangup',
  failed: 'failed',
};

export class ClickToDial {
  private readonly active = new Map<string, CallRecord>();

  constructor(private readonly o: ClickToDialOptions) {}

  /** Listens to one adapter's events for the calls this service placed. */
  attach(adapter: PbxAdapter): () => void {
    return adapter.onEvent((e) => this.handle(e));
  }

  /** Whether any configured adapter can place calls. */
  get available(): boolean {
    return this.o.adapters.some((a) => typeof a.dial === 'function');
  }

  /** Rings `username`'s phone, then dials `number`. Resolves once the agent's phone rings. */
  async dial(username: string, number: string, adapterId?: string): Promise<{ callId: string; to: string }> {
    const agent = this.o.presence.get(username);
    if (!agent) throw new AppError('UNAUTHORIZED', `unknown agent ${username}`);
    if (agent.state === 'on-call' || agent.state === 'after-call-work' || agent.offeredCallId) throw new AppError('AGENT_BUSY');
    const to = normalizePhone(number, this.o.defaultRegion).e164;
    if (!to) throw new AppError('VALIDATION_FAILED', 'The number is not a phone number.', { fields: { number: ['expected a phone number'] } });
    const adapter = this.o.adapters.find((a) => typeof a.dial === 'function' && (adapterId === undefined || a.id === adapterId));
    if (!adapter?.dial) throw new AppError('PBX_REJECTED', adapterId ? `Adapter ${adapterId} cannot place calls.` : 'No adapter is set up for click-to-dial.');
    let ids: { callId: string; legId: string };
    try {
      ids = await adapter.dial({ endpoint: agent.endpoint, to });
    } catch (err) {
      throw toAppError(err);
    }
    const at = new Date().toISOString();
    const record = newAgentCallRecord(this.o, { callId: ids.callId, adapterId: adapter.id, aniRaw: to, dnis: to, callerName: null, at, agent: username });
    this.o.calls.save(record);
    this.active.set(ids.callId, record);
    this.o.presence.setOffer(agent, ids.callId); // no inbound offer while the agent's own call rings
    // The shared database answers the lookup asynchronously: the pop waits for it (the
    // record is followed meanwhile), and is not sent for a call that ended already.
    const looked = agentCallLookedUp(record);
    if (looked) {
      await looked;
      if (!this.active.has(ids.callId)) return { callId: ids.callId, to };
    }
    const now = Date.now();
    this.o.notifier.offered(username, buildScreenPop(record, { offeredAtMs: now, expiresAtMs: now + this.o.ringEstimateMs, caseType: this.o.caseType }), () => {});
    this.o.log.info({ callId: ids.callId, agent: username, adapter: adapter.id }, 'click-to-dial: ringing the agent');
    return { callId: ids.callId, to };
  }

  private handle(e: PbxEvent): void {
    const record = this.active.get(e.callId);
    if (!record) return;
    if (e.type === 'call.connected') {
      this.release(record);
      agentCallConnected(this.o, record, e.at);
    } else if (e.type === 'call.ended') {
      this.active.delete(record.callId);
      this.release(record);
      if (record.phase !== 'connected' && record.agent) this.o.notifier.offerWithdrawn(record.agent, record.callId, 'caller-hangup');
      agentCallEnded(this.o, record, e.at, END[e.reason]);
    }
  }

  private release(record: CallRecord): void {
    const agent = record.agent ? this.o.presence.get(record.agent) : undefined;
    if (agent) this.o.presence.releaseOffer(agent, record.callId);
  }
}

function toAppError(err: unknown): unknown {
  if (!(err instanceof AdapterError)) return err;
  if (err.code === 'INVALID_REQUEST') return new AppError('VALIDATION_FAILED', err.message, { fields: { number: [err.message] }, cause: err });
  if (err.code === 'PBX_UNAVAILABLE' || err.code === 'PBX_TIMEOUT') return new AppError('PBX_UNAVAILABLE', undefined, { cause: err });
  return new AppError('PBX_REJECTED', err.message, { cause: err });
}
