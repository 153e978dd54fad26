/**
 * The Asterisk adapter: how many ARI events per second it sustains, how long it
 * takes from an ARI frame to the normalized event, and how long from the ARI event
 * that routes a caller (their menu key) to the screen-pop in the agent's widget.
 * Baseline, same run, same server: a raw `ws` client that receives and parses the
 * same frames.
 *
 * 1. Throughput: a local server writes 8 events per call (StasisStart, Up, three
 *    digits, hangup request, StasisEnd, destroyed) for 5,000 calls as fast as it
 *    can; timed from the first write to the adapter emitting the last of the 6
 *    normalized events per call. Baseline: the same frames, `JSON.parse`d by a raw client.
 * 2. Event latency: one ChannelDtmfReceived at a time, write -> `call.dtmf` emitted.
 * 3. Pop latency: a whole Switchboard on the fake ARI server (Swagger-validated);
 *    each caller waits in the menu, presses 1; write of the digit -> `call.offered`
 *    received by the agent's socket.io client. Baseline: the same digit frame
 *    received by a raw client subscribed to a second application on the same fake.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { io } from 'socket.io-client';
import { AsteriskAdapter } from '../adapters/asterisk/asterisk-adapter.js';
import { createSwitchboard } from '../connector/app.js';
import { DEFAULT_CONFIG, DEMO_AGENTS } from '../connector/config/defaults.js';
import { parseConfig } from '../connector/config/load.js';
import { adapterOptions } from '../test/asterisk/helpers.js';
import { startPromptServer } from '../test/asterisk/fake-ari/media.js';
import { FakeAriServer } from '../test/asterisk/fake-ari/server.js';
import { gc, percentile, type Bench } from './harness.js';

const CALLS = 5_000;
const LATENCY_SAMPLES = 2_000;
const POPS = 100;

const ts = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

function channel(id: string, state: string) {
  return {
    id, protocol_id: '', name: `PJSIP/trunk-${id}`, state, caller: { name: '', number: '+14155550123' }, connected: { name: '', number: '' },
    accountcode: '', dialplan: { context: 'from-trunk', exten: '+18005550100', priority: 2, app_name: 'Stasis', app_data: 'switchboard' },
    creationtime: ts(0), language: 'en',
  };
}

/** 8 frames per call, pre-serialized. */
function callFrames(n: number, t0: number): string[] {
  const out: string[] = [];
  const ev = (type: string, i: number, k: number, body: object) => JSON.stringify({ type, timestamp: ts(t0 + i * 10 + k), application: 'switchboard', ...body });
  for (let i = 0; i < n; i++) {
    const id = `1746093600.${i}`;
    out.push(
      ev('StasisStart', i, 0, { args: [], channel: channel(id, 'Ring') }),
      ev('ChannelStateChange', i, 1, { channel: channel(id, 'Up') }),
      ...['1', '2', '#'].map((digit, k) => ev('ChannelDtmfReceived', i, 2 + k, { digit, duration_ms: 100, channel: channel(id, 'Up') })),
      ev('ChannelHangupRequest', i, 5, { cause: 16, channel: channel(id, 'Up') }),
      ev('StasisEnd', i, 6, { channel: channel(id, 'Up') }),
      ev('ChannelDestroyed', i, 7, { cause: 16, cause_txt: 'Normal Clearing', channel: channel(id, 'Up') }),
    );
  }
  return out;
}

/** A minimal ARI: empty resync answers, and events sockets (one per application) the bench writes to. */
async function blastServer() {
  const sockets = new Map<string, WebSocket>();
  const waiting = new Map<string, () => void>();
  const http = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
  const wss = new WebSocketServer({ server: http, path: '/ari/events' });
  wss.on('connection', (ws, req) => {
    const app = new URL(req.url ?? '/', 'http://x').searchParams.get('app') ?? '';
    sockets.set(app, ws);
    waiting.get(app)?.();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/ari`;
  return {
    url,
    connected: (app: string) => new Promise<void>((resolve) => (sockets.has(app) ? resolve() : waiting.set(app, resolve))),
    send: (app: string, frames: string[]) => {
      const ws = sockets.get(app);
      for (const f of frames) ws?.send(f);
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const since = (t: bigint): number => Number(process.hrtime.bigint() - t);

async function throughputAndLatency() {
  const server = await blastServer();
  const frames = callFrames(CALLS, Date.now());
  let seq = 0;
  const dtmf = () =>
    JSON.stringify({ type: 'ChannelDtmfReceived', timestamp: ts(Date.now() + ++seq), application: 'switchboard', digit: '5', duration_ms: 100, channel: channel('1746093999.1', 'Up') });

  // Baseline: a raw client that parses every frame.
  const raw = new WebSocket(`${server.url.replace('http', 'ws')}/events?app=raw`);
  await server.connected('raw');
  let rawGot = 0;
  let rawWaiter: { n: number; resolve: () => void } | null = null;
  raw.on('message', (d) => {
    JSON.parse(d.toString());
    rawGot++;
    if (rawWaiter && rawGot >= rawWaiter.n) rawWaiter.resolve();
  });
  const rawUntil = (n: number) => new Promise<void>((resolve) => (rawWaiter = { n, resolve }));

  // The adapter (its own application on the same server).
  const fakeLike = { url: server.url, username: 'u', password: 'p' } as unknown as FakeAriServer;
  const adapter = new AsteriskAdapter({ ...adapterOptions(fakeLike, null), id: 'bench', pingIntervalMs: 60_000 });
  await Promise.all([adapter.connect(), server.connected('switchboard')]);
  let emitted = 0;
  let adapterWaiter: { n: number; resolve: () => void } | null = null;
  let dtmfWaiter: (() => void) | null = null;
  adapter.onEvent((e) => {
    emitted++;
    if (adapterWaiter && emitted >= adapterWaiter.n) adapterWaiter.resolve();
    if (e.type === 'call.dtmf' && e.callId === '1746093999.1') dtmfWaiter?.();
  });
  const adapterUntil = (n: number) => new Promise<void>((resolve) => (adapterWaiter = { n, resolve }));

  // Alternate raw and adapter rounds (the machine is shared and noisy); each round uses fresh channel ids.
  const rawRates: number[] = [];
  const adapterRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    const batch = round === 0 ? frames : callFrames(CALLS, Date.now() + round * 1e9).map((f) => f.replaceAll('1746093600.', `17460936${round}0.`));
    gc();
    let t = process.hrtime.bigint();
    let until = rawUntil(rawGot + batch.length);
    server.send('raw', batch);
    await until;
    rawRates.push(batch.length / (since(t) / 1e9));
    gc();
    t = process.hrtime.bigint();
    until = adapterUntil(emitted + CALLS * 6);
    server.send('switchboard', batch);
    await until;
    adapterRates.push(batch.length / (since(t) / 1e9));
  }

  // Latency: one live call, single digits, alternating raw and adapter samples.
  server.send('switchboard', [JSON.stringify({ type: 'StasisStart', timestamp: ts(Date.now()), application: 'switchboard', args: [], channel: channel('1746093999.1', 'Up') })]);
  while (!adapter.state.calls.has('1746093999.1')) await new Promise((r) => setImmediate(r));
  const rawLatency: number[] = [];
  const adapterLatency: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    let t = process.hrtime.bigint();
    const r = rawUntil(rawGot + 1);
    server.send('raw', [dtmf()]);
    await r;
    rawLatency.push(since(t) / 1000);
    t = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      dtmfWaiter = resolve;
      server.send('switchboard', [dtmf()]);
    });
    adapterLatency.push(since(t) / 1000);
  }
  raw.close();
  await adapter.disconnect();
  await server.close();
  return {
    rawRate: median(rawRates),
    adapterRate: median(adapterRates),
    rawLatency: rawLatency.sort((a, b) => a - b),
    adapterLatency: adapterLatency.sort((a, b) => a - b),
  };
}

async function popLatency() {
  const fake = await new FakeAriServer().start();
  const prompts = await startPromptServer(4_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-ari-bench-'));
  const config = parseConfig({
    ...DEFAULT_CONFIG,
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: 'silent' },
    adapters: [{ id: 'pbx', kind: 'asterisk', url: fake.url, username: fake.username, password: fake.password, prompts: { urlTemplate: `${prompts.baseUrl}{id}.wav?text={text}` } }],
    agents: [{ ...DEMO_AGENTS[0], queues: [...DEMO_AGENTS[0].queues], endpoint: 'PJSIP/alice' }],
  });
  const sb = createSwitchboard(config);
  const url = await sb.listen();
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-demo' }) });
  const { token } = (await login.json()) as { token: string };
  const agent = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve) => agent.once('session.snapshot', (_s: unknown, ack: () => void) => (ack(), resolve())));
  await new Promise<void>((resolve) => agent.emit('agent.state.set', { state: 'available' }, () => resolve()));

  // The raw baseline: a client of another application on the same fake.
  const raw = new WebSocket(`${fake.url.replace('http', 'ws')}/events?app=raw&api_key=${fake.username}:${fake.password}`);
  await new Promise((resolve) => raw.once('open', resolve));
  const rawLatency: number[] = [];
  const popLatency: number[] = [];
  for (let i = 0; i < POPS; i++) {
    // Baseline sample.
    const r = fake.far.placeCall('+12125550100', '100', { app: 'raw' });
    if (r.declined) throw new Error('raw app not connected');
    await new Promise((resolve) => raw.once('message', resolve)); // its StasisStart
    let t = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      raw.once('message', () => resolve());
      t = process.hrtime.bigint();
      fake.far.pressDigits(r.channelId, '1');
    });
    rawLatency.push(Number(process.hrtime.bigint() - t) / 1000);
    fake.far.hangup(r.channelId);

    // The pop.
    const c = fake.far.placeCall('+14155550123', '+18005550100');
    if (c.declined) throw new Error('switchboard not connected');
    await fake.waitForEvent((e) => e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${c.channelId}` && String(e.playback.media_uri).includes('main-menu'));
    await new Promise<void>((resolve) => {
      agent.once('call.offered', (_pop: unknown, ack: () => void) => {
        popLatency.push(Number(process.hrtime.bigint() - t) / 1000);
        ack();
        resolve();
      });
      t = process.hrtime.bigint();
      fake.far.pressDigits(c.channelId, '1');
    });
    const withdrawn = new Promise((resolve) => agent.once('call.offer.withdrawn', resolve));
    fake.far.hangup(c.channelId);
    await withdrawn;
  }
  raw.close();
  agent.close();
  await sb.close();
  await fake.close();
  await prompts.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { rawLatency: rawLatency.sort((a, b) => a - b), popLatency: popLatency.sort((a, b) => a - b) };
}

export const ariBench: Bench = {
  name: 'ari',
  async run() {
    const a = await throughputAndLatency();
    gc();
    const p = await popLatency();
    return {
      title: 'Asterisk adapter: ARI events per second, event latency, ARI event to screen-pop',
      command: 'npm run bench -- ari',
      baselineDescription: 'a raw `ws` client receiving and JSON-parsing the same frames from the same server, same run',
      figures: [
        { name: 'ARI events per second', value: a.adapterRate, baseline: a.rawRate, unit: '/s', better: 'higher' },
        { name: 'ARI frame -> event p50', value: percentile(a.adapterLatency, 50), baseline: percentile(a.rawLatency, 50), unit: 'us', better: 'lower' },
        { name: 'ARI frame -> event p99', value: percentile(a.adapterLatency, 99), baseline: percentile(a.rawLatency, 99), unit: 'us', better: 'lower' },
        { name: 'key 1 -> screen-pop p50', value: percentile(p.popLatency, 50) / 1000, baseline: percentile(p.rawLatency, 50) / 1000, unit: 'ms', better: 'lower' },
        { name: 'key 1 -> screen-pop p99', value: percentile(p.popLatency, 99) / 1000, baseline: percentile(p.rawLatency, 99) / 1000, unit: 'ms', better: 'lower' },
      ],
      notes: [
        `Throughput: ${CALLS.toLocaleString('en')} calls x 8 events (6 normalized events each) written back to back on one socket, the median of 3 rounds alternating with the baseline; latency: ${LATENCY_SAMPLES.toLocaleString('en')} single digits, alternating.`,
        `Screen-pop: ${POPS} callers on the fake ARI server (requests and events validated against the Swagger files on the way); the path is ARI frame -> mapper -> IVR (key 1 routes) -> queue -> dispatcher -> socket.io pop, received by the agent's client in the same process.`,
      ],
    };
  },
};
