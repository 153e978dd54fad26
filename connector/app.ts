/**
 * The composition root: builds every part from the config and wires them.
 * No service locators; each part gets what it needs through its constructor.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import type { PbxAdapter } from '../adapters/adapter.js';
import { simulatorRoutes } from '../adapters/simulator/http.js';
import { SimulatorAdapter } from '../adapters/simulator/simulator-adapter.js';
import { PromptAudio } from '../ivr/prompts/tts.js';
import { createAsteriskAdapter } from './adapters/asterisk.js';
import { createFreeSwitchAdapter } from './adapters/freeswitch.js';
import { createHttpCtiAdapter, ctiPbxs } from './adapters/http-cti.js';
import { createTwilioAdapter, twilioRoutes } from './adapters/twilio.js';
import { AdapterManager } from './adapters/manager.js';
import { AdapterOverrides, effectiveAdapters } from './adapters/overrides.js';
import { watchConfigAdapters } from './adapters/config-watch.js';
import { ctiRoutes } from '../adapters/http-cti/routes.js';
import { AgentAdmin } from './admin/agent-admin.js';
import { AuditLog } from './admin/audit-log.js';
import { AgentStore } from './agents/agent-store.js';
import { resolvePhoneSettings } from './agents/phone-settings.js';
import { PresenceBoard } from './agents/presence.js';
import { SessionStore } from './auth/sessions.js';
import { CallCenter } from './calls/call-center.js';
import { ClickToDial } from './calls/click-to-dial.js';
import { Dispatcher } from './calls/dispatcher.js';
import { CallObserver } from './calls/observer.js';
import { startHold } from './calls/hold.js';
import { SqliteCallStore } from './calls/sqlite-call-store.js';
import { DataLayerCallStore } from './calls/data-layer-call-store.js';
import { CaseService } from './cases/case-service.js';
import { CaseEscalation } from './cases/escalation.js';
import { ivrCaseOpener } from './cases/ivr-cases.js';
import type { AdapterConfig, Config } from './config/schema.js';
import { ConfigError } from './errors.js';
import { createFlows, type Flows } from './flows.js';
import { adapterAdminRoutes } from './http/adapter-admin-routes.js';
import { adminRoutes } from './http/admin-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { caseRoutes } from './http/case-routes.js';
import { dialRoutes } from './http/dial-routes.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { flowRoutes } from './http/flow-routes.js';
import { queueRoutes } from './http/queue-routes.js';
import { reportRoutes } from './http/report-routes.js';
import { corsAndFraming, embedRoutes } from './http/origins.js';
import { openApiDocument } from './http/openapi.js';
import { createWebServer } from './http/server.js';
import { opsRoutes } from './http/ops-routes.js';
import { promptRoutes } from './http/prompt-routes.js';
import { createLogger, type Logger } from './logger.js';
import { lookupCaller, lookupCallerAsync } from './lookup.js';
import { Metrics } from './metrics.js';
import { normalizePhone, type CountryCode } from './phone/normalize.js';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './protocol.js';
import { AgentNamespace } from './socket/agent-namespace.js';
import { openDatabase, type Database } from './store/db.js';
import { seedDemoData } from './store/seed.js';
import { AccountNumbers } from './store/account-numbers.js';
import type { DataLayer } from './store/data-layer.js';
import { sqliteDataLayer } from './store/sqlite/open.js';
import { SqliteCaseStore } from './store/sqlite-cases.js';
import { SqliteContactStore } from './store/sqlite-contacts.js';
import type { SessionStoreLike } from './auth/session-store.js';
import type { AgentCalls } from './calls/agent-calls.js';
import { createClusterNode } from './cluster/cluster-node.js';
import { QueueSnapshots } from './supervisor/queue-snapshot.js';
import { SupervisorNamespace } from './supervisor/supervisor-namespace.js';

export interface Switchboard {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Database;
  /** Contacts, cases and calls: `opts.data`, else the SQLite layer over `db`. */
  readonly data: DataLayer;
  readonly metrics: Metrics;
  readonly callCenter: CallCenter;
  readonly adapters: readonly PbxAdapter[];
  readonly simulators: readonly SimulatorAdapter[];
  readonly http: HttpServer;
  readonly flows: Flows;
  /** Text prompts rendered to 8 kHz WAV and served at `/prompts/:hash.wav`, for adapters that play audio by URL. */
  readonly prompts: PromptAudio;
  /** Starts listening on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, disconnects adapters and sockets, closes the store. */
  close(): Promise<void>;
}

/** The repository root (holds package.json), from source or from dist/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function buildAdapters(config: Config, log: Logger, prompts: PromptAudio): PbxAdapter[] {
  const problems: string[] = [];
  const adapters: PbxAdapter[] = [];
  config.adapters.forEach((a, i) => {
    if (!a.enabled) return;
    if (a.kind === 'simulator') adapters.push(new SimulatorAdapter({ id: a.id, charsPerSecond: a.charsPerSecond }));
    else if (a.kind === 'asterisk') adapters.push(createAsteriskAdapter(a, { agents: config.agents, log, prompts }));
    else if (a.kind === 'freeswitch') adapters.push(createFreeSwitchAdapter(a, { log, prompts }));
    else if (a.kind === 'http') adapters.push(createHttpCtiAdapter(a, config.agents));
    else if (a.kind === 'twilio') adapters.push(createTwilioAdapter(a, { log, prompts }));
    else problems.push(`adapters[${i}].kind: the ${(a as { kind: string }).kind} adapter is not available in this version yet`);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return adapters;
}

export function createSwitchboard(
  config: Config,
  opts: {
    log?: Logger;
    configFile?: string | null;
    /** The supervisor view's update intervals (tests shorten them). */
    supervisor?: { tickMs?: number; historyMs?: number };
    /**
     * Where contacts, cases and calls live (scale-out mode: PostgreSQL, from
     * `openDataLayer(config)`). Absent: the SQLite layer over this node's database, which
     * the app opens and closes. A given layer is its opener's to close, after the app's
     * `close()` (which writes the last call records into it).
     */
    data?: DataLayer;
  } = {},
): Switchboard {
  const log = opts.log ?? createLogger(config.log.level);
  const prompts = new PromptAudio({ dir: join(config.dataDir, 'prompts'), log });
  // Adapters start, restart and stop at run time (admin API, config file); lists are live.
  let attachAdapter: (a: PbxAdapter) => () => void = () => () => {};
  const manager = new AdapterManager({
    build: (c) => buildAdapters({ ...config, adapters: [{ ...c, enabled: true }] }, log, prompts)[0] as PbxAdapter,
    attach: (a) => attachAdapter(a),
    log,
  });
  const adapters = manager.adapters;
  const region = config.phone.defaultRegion as CountryCode;
  const db = openDatabase(config.dataDir);
  // Embedded (no `opts.data`): contacts, cases and calls in this node's SQLite, looked up
  // and written synchronously as ever. Otherwise (scale-out) in the given layer: the
  // lookup is asynchronous, call records are written behind (DataLayerCallStore), and the
  // IVR's account check reads a set refreshed every minute (AccountNumbers).
  const embedded = opts.data === undefined;
  // A cluster node on its own SQLite would split the shared data without a word.
  if (config.cluster && embedded) {
    db.close();
    throw new ConfigError(['cluster: a scale-out node keeps contacts, cases and calls in PostgreSQL: open the layer with openDataLayer(config) and pass it as opts.data']);
  }
  const data: DataLayer = opts.data ?? sqliteDataLayer(db, { defaultRegion: region });
  if (config.seedDemoData && embedded) {
    const seeded = seedDemoData(db, region);
    if (seeded.seeded) log.info({ contacts: seeded.contacts, accounts: seeded.accounts }, 'demo data seeded');
  }

  const contacts = new SqliteContactStore(db);
  const cases = new SqliteCaseStore(db, { defaultRegion: region });
  // Agents live in the store, bootstrapped from the config's (AgentStore.applyConfig; docs/admin.md).
  const agentStore = new AgentStore(db);
  const audit = new AuditLog(db);
  const enabledAgents = AgentAdmin.applyConfig(db, agentStore, audit, config.agents);
  const presence = new PresenceBoard([]);
  // An agent's own maxCalls is stored with them (config file or admin console); null: this default.
  presence.defaultMaxCalls = config.routing.maxCallsPerAgent;
  // Scale-out mode (docs/scale-out.md): shared presence, cross-node pops, signed sessions.
  const cluster = config.cluster ? createClusterNode({ config: config.cluster, presence, tokenTtlMs: config.auth.tokenTtlMinutes * 60_000, log }) : null;
  const sessions: SessionStoreLike = cluster?.sessions ?? new SessionStore(db, config.auth.tokenTtlMinutes * 60_000);
  sessions.purgeExpired();
  // A token outlives a restart; one of a user disabled or removed from the config must not.
  // (A cluster node does it once it has the agents the other nodes share: in listen().)
  if (!cluster) sessions.revokeAllExcept(enabledAgents.map((a) => a.username));
  const metrics = new Metrics();
  // SQLite: committed on the next event-loop turn. Scale-out: within 50 ms, in batches (data-layer-call-store.ts).
  const callStore = embedded ? new SqliteCallStore(db) : new DataLayerCallStore(data.calls, { log });
  /** The caller's number normalized once, and looked up (once per call, while the caller is in the IVR). */
  const lookupAni = embedded
    ? (ani: string) => {
        const phone = normalizePhone(ani, region);
        return { aniE164: phone.e164, result: lookupCaller(ani, { contacts, cases, defaultRegion: region }, phone) };
      }
    : async (ani: string) => {
        const phone = normalizePhone(ani, region);
        return { aniE164: phone.e164, result: await lookupCallerAsync(ani, { contacts: data.contacts, cases: data.cases, defaultRegion: region }, phone) };
      };
  const accountByNumber = db.prepare<[string], { n: number }>('SELECT 1 AS n FROM accounts WHERE account_number = ?');
  // Flow steps ask synchronously: scale-out mode answers from a set reloaded every 60 s (its staleness: account-numbers.ts).
  const accountNumbers = embedded ? null : new AccountNumbers(data.contacts, { log });
  const flows: Flows = createFlows(config, {
    root: projectRoot(),
    log,
    accountExists: accountNumbers
      ? (n) => accountNumbers.has(n)
      : (n) => accountByNumber.get(n) !== undefined || accountByNumber.get(`ACC-${n}`) !== undefined,
  });
  if (config.ivr.watch) flows.registry.watch();
  for (const a of enabledAgents) presence.upsert(a);
  let callCenter: CallCenter | null = null;
  let agentCallsOf: AgentCalls | null = null;
  const phones = resolvePhoneSettings(config.agents);
  const agentsNs = new AgentNamespace({ sessions, log, calls: () => agentCallsOf ?? (callCenter as CallCenter), phone: (u) => phones.get(u) ?? null, cluster: cluster !== null });
  const dispatcher = new Dispatcher({
    presence, notifier: agentsNs, queues: config.queues, ringTimeoutMs: config.routing.ringTimeoutMs, metrics, log,
    startHold: (call) => startHold(call.adapter, call.record.callId, config.routing.holdAnnouncementIntervalMs, log),
    offerCallback: (call, flow) => callCenter?.offerCallback(call, flow),
  });
  // Supervisors: queues, agents and the waiting line (REST and the /supervisor namespace), the last hour per minute.
  const callStats = data.callStats;
  const snapshots = new QueueSnapshots({
    queues: config.queues, serviceLevelSeconds: config.routing.serviceLevelSeconds,
    agents: () => presence.all(),
    // A cluster node shows the whole line: its own waiting calls and the other nodes' (polled each second).
    waitingCalls: () => (cluster ? [...dispatcher.waitingCalls(), ...cluster.remoteWaiting()] : dispatcher.waitingCalls()),
    stats: callStats,
  });
  const supervisorNs = new SupervisorNamespace({ sessions, agents: agentStore, snapshots, stats: callStats, log, ...opts.supervisor });
  callCenter = new CallCenter({
    presence,
    dispatcher,
    // Agents with SIP settings use the widget's softphone, whose holds follow the connector's.
    phoneFollowsWidget: (u) => phones.has(u),
    notifier: agentsNs,
    calls: callStore,
    flowFor: (dnis) => flows.flowFor(dnis),
    flowNamed: (name) => flows.registry.get(name),
    rules: config.routing.rules,
    awayReasons: config.routing.awayReasons,
    openIvrCase: ivrCaseOpener({ cases: data.cases, queues: config.queues, log }),
    fallbackQueue: config.ivr.fallbackQueue,
    lookup: lookupAni,
    metrics,
    log,
    wrapUpMs: config.routing.wrapUpSeconds * 1000,
  });
  agentCallsOf = cluster?.bind({
    callCenter, dispatcher,
    nodeLost: (u, lost) => {
      const a = presence.get(u);
      if (!a) return;
      if (lost.offer) agentsNs.offerWithdrawn(u, lost.offer, 'agent-unavailable');
      if (lost.call) agentsNs.callEnded(u, { callId: lost.call, endedAt: new Date().toISOString(), reason: 'failed', talkSeconds: 0 });
      agentsNs.agentState(u, presence.snapshot(a));
    },
  }) ?? null;
  // A logout or a disabled user on another node closes this node's sockets of that session too.
  cluster?.onRemoteRevocation((u) => {
    agentsNs.recheck(u ?? undefined);
    if (u) supervisorNs.recheckUser(u);
  });
  // Calls shown and logged but not routed by the connector: observe mode and click-to-dial (adapters that offer them).
  const agentCalls = {
    presence, notifier: agentsNs, calls: callStore, metrics, log,
    startWrapUp: (username: string, callId: string) => callCenter?.startWrapUp(username, callId),
    lookup: lookupAni,
  };
  const observer = new CallObserver({ ...agentCalls, ringEstimateMs: config.routing.ringTimeoutMs, caseType: 'technical_support' });
  const dialer = new ClickToDial({ ...agentCalls, adapters, defaultRegion: region, ringEstimateMs: config.routing.ringTimeoutMs, caseType: 'technical_support' });
  const center = callCenter;
  attachAdapter = (a) => {
    const offs = [
      center.attach(a),
      observer.attach(a),
      dialer.attach(a),
      a.onStateChange((h) => log.info({ adapter: h.id, state: h.state, error: h.lastError }, 'adapter state changed')),
    ];
    return () => offs.forEach((off) => off());
  };
  const overrides = new AdapterOverrides(db);
  let configAdapters: readonly AdapterConfig[] = config.adapters;
  manager.load(effectiveAdapters(configAdapters, overrides.list()));
  const simulators = manager.simulators;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(corsAndFraming(config.server.allowedOrigins));
  // Before the JSON parser: a signed PBX event is checked on its exact bytes.
  app.use(ctiRoutes(() => ctiPbxs(manager.configs, manager.adapters)));
  // Twilio's webhooks too: signed over their raw form body (adapters/twilio/webhooks.ts).
  app.use(twilioRoutes(() => manager.adapters));
  app.use(express.json({ limit: '64kb' }));
  app.use(opsRoutes({ adapters, metrics, callCenter }));
  const openapi = openApiDocument(packageVersion());
  app.get('/api/openapi.json', (_req, res) => res.json(openapi));
  app.use(authRoutes({ agents: agentStore, sessions, presence, onRevoke: (token) => { agentsNs.revoked(token); supervisorNs.revoked(token); }, onRevokeUser: (u) => { agentsNs.revokedUser(u); supervisorNs.revokedUser(u); } }));
  const escalation = new CaseEscalation({ cases: data.cases, queues: config.queues, presence, assigned: (u, a) => agentsNs.caseAssigned(u, a), log });
  // A saved case ends its call's wrap-up. In a cluster, a call that ended during another one (call
  // waiting) is kept to be logged by the node that had it: the request goes there.
  const caseCalls = {
    fetchCall: (id: string) => callCenter.fetchCall(id),
    finishWrapUp: (u: string, id: string | null): boolean => {
      if (callCenter.finishWrapUp(u, id)) return true;
      if (agentCallsOf && id) void Promise.resolve(agentCallsOf.finishWrapUpFor(u, id)).catch((err: unknown) => log.warn({ err, agent: u, callId: id }, 'ending a wrap-up on another node failed'));
      return false;
    },
  };
  app.use(caseRoutes({ cases: new CaseService({ cases: data.cases, contacts: data.contacts, calls: caseCalls }), escalation, sessions }));
  app.use(dialRoutes({ dialer, sessions }));
  app.use(embedRoutes(config.server.allowedOrigins));
  app.use(flowRoutes({ flows, sessions, agents: agentStore, audit }));
  app.use(reportRoutes({ reports: data.reports, sessions, agents: agentStore }));
  app.use(queueRoutes({ snapshots, sessions, agents: agentStore }));
  const queueIds = new Set(config.queues.map((q) => q.id));
  // Scale-out mode: console changes reach every node (connector/cluster/agent-sync.ts).
  let agentSync: { changed(username: string): Promise<void> } | null = null;
  const agentAdmin = new AgentAdmin({
    db, store: agentStore, audit, presence, sessions, queues: queueIds,
    changed: (u) => void agentSync?.changed(u),
    closeSockets: (u) => {
      agentsNs.revokedUser(u);
      supervisorNs.revokedUser(u);
    },
    setAway: (u) => {
      try {
        callCenter?.setState(u, 'away');
      } catch {
        // On a call: it ends as usual, and no further call is offered.
      }
    },
  });
  if (cluster && data.agents) {
    agentSync = cluster.shareAgents({ repo: data.agents, store: agentStore, applied: (after, before) => agentAdmin.appliedRemote(after, before) });
  }
  app.use(adapterAdminRoutes({ manager, overrides, fromConfig: () => configAdapters, config, audit, sessions, agents: agentStore }));
  app.use(adminRoutes({ admin: agentAdmin, audit, agents: agentStore, sessions, flows, queues: config.queues, adapters, adapterConfigs: manager.configs, lastEvent: (id) => manager.lastEvent(id) }));
  app.use(simulatorRoutes(simulators));
  app.use(promptRoutes(prompts));
  const widgetDir = join(projectRoot(), 'softphone-widget', 'dist');
  app.get('/', (_req, res) => res.redirect('/agent/'));
  // `/agent` -> `/agent/`: the pages use relative asset URLs. Routes are not strict: '/agent/' matches '/agent' too, and must not be redirected (nor lose its query).
  app.get(['/agent', '/phone', '/admin', '/reports', '/supervisor'], (req, res, next) => (req.path.endsWith('/') ? next() : res.redirect(`${req.path}/${req.url.slice(req.path.length)}`)));
  app.use('/phone/', express.static(join(widgetDir, 'phone')));
  app.use('/admin/', express.static(join(widgetDir, 'admin')));
  app.use('/reports/', express.static(join(widgetDir, 'reports')));
  app.use('/supervisor/', express.static(join(widgetDir, 'supervisor')));
  app.use('/agent/', express.static(widgetDir, { index: 'index.html' }));
  app.use(notFound);
  app.use(errorHandler(log));

  const { http, scheme } = createWebServer(config.server, app, log);
  const io = new IoServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(http, {
    serveClient: false,
    // The widget is served by this server; other origins only when allowed (an embedding CRM).
    cors: config.server.allowedOrigins.length > 0 ? { origin: config.server.allowedOrigins.map((o) => new URL(o).origin) } : undefined,
    maxHttpBufferSize: 64 * 1024,
    ...(cluster ? { adapter: cluster.ioAdapter } : {}),
  });
  agentsNs.attach(io);
  supervisorNs.attach(io);
  if (!existsSync(join(widgetDir, 'index.html'))) log.warn({ widgetDir }, 'the agent widget is not built: run `npm run build:widget`');

  const sweeper = setInterval(() => simulators.forEach((s) => s.sweep(10 * 60_000)), 60_000);
  sweeper.unref();
  const configWatcher = opts.configFile
    ? watchConfigAdapters(opts.configFile, config, async (next) => {
        configAdapters = next;
        await manager.apply(effectiveAdapters(configAdapters, overrides.list()));
      }, log)
    : null;

  return {
    config, log, db, data, metrics, callCenter, adapters, simulators, http, prompts,
    async listen() {
      // Before the first call: the IVR's account check (scale-out mode).
      await accountNumbers?.start();
      // A cluster node loads the shared state before it takes a call or a socket.
      await cluster?.start();
      // Cluster-wide: every agent this node knows now, its config's and the ones other nodes' consoles added.
      if (cluster) sessions.revokeAllExcept(agentStore.enabledUsernames());
      await manager.connectAll();
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.server.port, config.server.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const { port } = http.address() as AddressInfo;
      const url = `${scheme}://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
      log.info({ url }, 'switchboard listening');
      return url;
    },
    flows,
    async close() {
      clearInterval(sweeper);
      supervisorNs.close();
      configWatcher?.close();
      flows.registry.close();
      callCenter?.close();
      await manager.disconnectAll();
      // socket.io closes its clients, then the HTTP server, which waits for every connection to end.
      // A client holding a request open must not hold the shutdown: after 5 s the rest are cut.
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          log.warn('connections still open 5 s into the shutdown; closing them');
          http.closeAllConnections();
          resolve();
        }, 5_000);
        cut.unref();
        void io.close(() => {
          clearTimeout(cut);
          resolve();
        });
      });
      await cluster?.close();
      accountNumbers?.stop();
      // The last call records: at once on SQLite; scale-out, retried for up to 10 s, then logged.
      if (callStore instanceof DataLayerCallStore) await callStore.close();
      else callStore.flush();
      if (embedded) await data.close();
      db.close();
    },
  };
}
