/**
 * An in-process ACD for routing tests: presence, dispatcher and call center
 * wired as connector/app.ts wires them, with the simulator PBX, a config
 * parsed by the real schema, and one tiny flow per dialed number that queues
 * the call (`dnis -> queue[:priority]`). Works on real or fake timers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { SimulatorAdapter } from '../../adapters/simulator/simulator-adapter.js';
import { compileFlowText, type CompiledFlow } from '../../ivr/flow/registry.js';
import { PresenceBoard } from '../../connector/agents/presence.js';
import { CallCenter, type CallCenterOptions } from '../../connector/calls/call-center.js';
import type { CallRecord } from '../../connector/calls/call-record.js';
import { Dispatcher } from '../../connector/calls/dispatcher.js';
import type { AgentNotifier } from '../../connector/calls/notifier.js';
import { parseConfig } from '../../connector/config/load.js';
import type { ConfigInput } from '../../connector/config/schema.js';
import { Metrics } from '../../connector/metrics.js';
import type { LookupResult, ScreenPop } from '../../connector/protocol.js';

export interface RigEvent {
  kind: 'offered' | 'withdrawn' | 'connected' | 'ended' | 'state' | 'held' | 'resumed';
  agent: string;
  callId?: string;
  state?: string;
  reason?: string;
}

export function flowText(name: string, queue: string, priority = 0): string {
  return `name: ${name}\nlanguages: [en]\ndefaultLanguage: en\nstart: q\nnodes:\n  q: { kind: queue, queue: ${queue}, priority: ${priority} }\n`;
}

function mustCompile(text: string, queues: ReadonlySet<string>): CompiledFlow {
  const r = compileFlowText(text, { queues });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.flow;
}

export function routingRig(
  input: ConfigInput & { routesByNumber?: Record<string, string> },
  opts: {
    vip?: string[];
    ringTimeoutMs?: number;
    /** Replaces the rig's lookup (e.g. an asynchronous one). */
    lookup?: CallCenterOptions['lookup'];
    lookupTimeoutMs?: number;
    /** Flow YAML per dialed number, besides `routesByNumber`'s one-queue flows. */
    flowTexts?: Record<string, string>;
    /** The call center's log (default: silent). */
    log?: pino.Logger;
    /** Agents whose phone is the widget's softphone (`phoneFollowsWidget`). */
    softphoneAgents?: string[];
  } = {},
) {
  const { routesByNumber = {}, ...cfgInput } = input;
  const config = parseConfig(cfgInput);
  const log = opts.log ?? pino({ level: 'silent' });
  const queueIds = new Set(config.queues.map((q) => q.id));
  const flows = new Map<string, CompiledFlow>();
  for (const [dnis, target] of Object.entries(routesByNumber)) {
    const [queue, priority] = target.split(':') as [string, string | undefined];
    flows.set(dnis, mustCompile(flowText(`to-${queue}`, queue, Number(priority ?? 0)), queueIds));
  }
  for (const [dnis, text] of Object.entries(opts.flowTexts ?? {})) flows.set(dnis, mustCompile(text, queueIds));
  // The shipped callback offer names the `general` queue; these configs may have none (the name does not matter there).
  const callbackOffer = mustCompile(readFileSync(join(import.meta.dirname, '..', '..', 'ivr', 'flows', 'callback-offer.yaml'), 'utf8'), new Set([...queueIds, 'general']));
  const presence = new PresenceBoard([]);
  presence.defaultMaxCalls = config.routing.maxCallsPerAgent;
  for (const a of config.agents) presence.upsert(a);
  const events: RigEvent[] = [];
  const pops: ScreenPop[] = [];
  const notifier: AgentNotifier = {
    offered: (agent, pop, onDelivered) => {
      pops.push(pop);
      events.push({ kind: 'offered', agent, callId: pop.callId });
      onDelivered();
    },
    offerWithdrawn: (agent, callId, reason) => events.push({ kind: 'withdrawn', agent, callId, reason }),
    callConnected: (agent, callId) => events.push({ kind: 'connected', agent, callId }),
    callEnded: (agent, e) => events.push({ kind: 'ended', agent, callId: e.callId }),
    agentState: (agent, s) => events.push({ kind: 'state', agent, state: s.state, ...(s.awayReason ? { reason: s.awayReason } : {}) }),
    callHold: (agent, callId, held) => events.push({ kind: held ? 'held' : 'resumed', agent, callId }),
  };
  const metrics = new Metrics();
  const records = new Map<string, CallRecord>();
  const ivrCases: Array<{ callId: string; outcome: string; queue: string }> = [];
  let center: CallCenter | null = null;
  const dispatcher = new Dispatcher({
    presence, notifier, queues: config.queues, ringTimeoutMs: opts.ringTimeoutMs ?? config.routing.ringTimeoutMs, metrics, log,
    startHold: () => new AbortController(),
    offerCallback: (call, flow) => center?.offerCallback(call, flow),
  });
  const vip = new Set(opts.vip ?? []);
  const lookup = (ani: string): { aniE164: string | null; result: LookupResult } => {
    const aniE164 = /^\+[1-9]\d{6,14}$/.test(ani) ? ani : null;
    if (!vip.has(ani)) return { aniE164, result: { outcome: 'none', reason: 'not-found' } };
    return {
      aniE164,
      result: {
        outcome: 'one',
        contact: { id: 1, firstName: 'Vera', lastName: 'Important', email: null, phoneRaw: ani, phoneE164: aniE164, extension: null, accountId: 7 },
        account: { id: 7, name: 'Big Co', accountNumber: 'ACC-7', tier: 'priority' },
        openCases: [],
      },
    };
  };
  center = new CallCenter({
    presence, dispatcher, notifier, metrics, log,
    calls: { save: (r) => records.set(r.callId, structuredClone(r)), get: (id) => records.get(id) ?? null },
    flowFor: (dnis) => flows.get(dnis),
    flowNamed: (name) => (name === 'callback-offer' ? callbackOffer : undefined),
    rules: config.routing.rules,
    awayReasons: config.routing.awayReasons,
    openIvrCase: (call, req) => ivrCases.push({ callId: call.callId, outcome: req.outcome, queue: req.queue }),
    fallbackQueue: config.ivr.fallbackQueue,
    lookup: opts.lookup ?? lookup,
    phoneFollowsWidget: (u) => (opts.softphoneAgents ?? []).includes(u),
    ...(opts.lookupTimeoutMs === undefined ? {} : { lookupTimeoutMs: opts.lookupTimeoutMs }),
  });
  const sim = new SimulatorAdapter({ id: 'sim', charsPerSecond: 1000 });
  center.attach(sim);
  const offersTo = (agent: string) => events.filter((e) => e.kind === 'offered' && e.agent === agent).map((e) => e.callId);
  return { config, presence, dispatcher, center, sim, events, pops, records, ivrCases, offersTo };
}
export type RoutingRig = ReturnType<typeof routingRig>;

/** An agent config entry (password hash of the demo's alice; unused here). */
export function agentEntry(username: string, queues: string[], skills: string[] = []) {
  return {
    username,
    displayName: username,
    passwordHash: 'scrypt$32768$8$1$bXYE1SmcHFLA/PFU0S51ow==$BUjvjfuPQFhSVxOpVt3Wz16fPdxAc2pThiInp2Qo8Ec=',
    queues,
    skills,
  };
}
