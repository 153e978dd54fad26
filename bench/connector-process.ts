/**
 * The connector as a process of its own, for the whole-process bench
 * (process.bench.ts): `bare` reports the memory of a Node process with the same
 * loader and nothing else (the baseline); `connector` runs a Switchboard on port
 * 0 and carries out the parent's requests, each answered with one message:
 *
 *   { type: 'start' }                       -> { type: 'started', url, agents: [{ username, token }] }
 *   { type: 'mem' }                         -> { type: 'mem', rss, heapUsed }   (after a full GC)
 *   { type: 'ivr-load', calls }             -> { type: 'ivr-loaded', inIvr, ms }
 *   { type: 'sweep' }                       -> { type: 'swept' }   (the simulator forgets ended calls)
 *   { type: 'cpu-idle', seconds }           -> { type: 'cpu', cpuUs, wallMs }
 *   { type: 'steady', rate, seconds }       -> { type: 'steady', calls, connected, cpuUs, userUs, systemUs, wallMs }
 *   { type: 'close' }                       -> exits
 *
 * The load comes from the in-process simulator (it is the PBX of the embedded
 * default), so the CPU figures include the simulator's share.
 */
import { rmSync } from 'node:fs';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const send = (m: unknown): void => {
  process.send?.(m);
};
const mem = (): { rss: number; heapUsed: number } => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
};

const AGENTS = 1_000;
const TALK_MS = 30;
/** During a steady-rate run, callers press 1 at once; during the IVR load they stay in the menu. */
let steady = false;

if (process.argv[2] === 'bare') {
  // Settle, as the connector does, then report.
  setTimeout(() => {
    send({ type: 'mem', ...mem() });
    process.disconnect?.();
  }, 200);
} else {
  const { startTestServer } = await import('../test/helpers/server.js');
  const { benchAgents, issueTokens, paced, sleep, until } = await import('./agents.js');
  const { ADA_E164, SHARED_E164 } = await import('../connector/store/seed.js');
  const anis = [ADA_E164, SHARED_E164, '+13125550199', '+14155550100', 'anonymous'];
  type Server = Awaited<ReturnType<typeof startTestServer>>;
  let server: Server | null = null;
  const live = new Set<string>();
  let connected = 0;

  const sim = () => {
    const s = server?.sb.simulators[0];
    if (!s) throw new Error('not started');
    return s;
  };

  process.on('message', (m: { type: string; calls?: number; seconds?: number; rate?: number }) => {
    void (async () => {
      switch (m.type) {
        case 'start': {
          // The embedded default's parts (demo data, the shipped main flow, prompts at
          // the real speaking rate), with 1,000 agents configured.
          server = await startTestServer({
            config: {
              seedDemoData: true,
              agents: benchAgents(AGENTS),
              ivr: { watch: false },
              adapters: [{ id: 'sim', kind: 'simulator', charsPerSecond: 15 }],
              log: { level: 'silent' },
            },
          });
          const s = sim();
          s.onEvent((e) => {
            if (e.type === 'call.ended') live.delete(e.callId);
            // The caller presses 1 (support) as soon as the call is answered, during the welcome prompt.
            if (e.type === 'call.answered' && steady) setImmediate(() => s.hasCall(e.callId) && tryDo(() => s.sendDigits(e.callId, '1')));
            if (e.type === 'call.connected') {
              connected++;
              setTimeout(() => tryDo(() => s.callerHangup(e.callId)), TALK_MS);
            }
          });
          send({ type: 'started', url: server.url, agents: issueTokens(server.sb.db, AGENTS) });
          return;
        }
        case 'mem':
          await sleep(100);
          send({ type: 'mem', ...mem() });
          return;
        case 'ivr-load': {
          const s = sim();
          const n = m.calls ?? 10_000;
          const t0 = performance.now();
          const ids: string[] = [];
          for (let i = 0; i < n; i++) {
            const id = s.startCall(anis[i % anis.length] as string, '+18005550100');
            ids.push(id);
            live.add(id);
            // Let the connector handle each batch of call.started events as a PBX would deliver them.
            if (i % 200 === 199) await new Promise((r) => setImmediate(r));
          }
          await sleep(500);
          const inIvr = ids.filter((id) => server?.sb.callCenter.getCall(id)?.phase === 'ivr').length;
          send({ type: 'ivr-loaded', inIvr, ms: performance.now() - t0 });
          return;
        }
        case 'sweep':
          // Forget the ended calls the simulator keeps for late transcript readers.
          sim().sweep(0, Date.now() + 1);
          send({ type: 'swept' });
          return;
        case 'cpu-idle': {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await sleep((m.seconds ?? 5) * 1000);
          const c = process.cpuUsage(c0);
          send({ type: 'cpu', cpuUs: c.user + c.system, wallMs: performance.now() - t0 });
          return;
        }
        case 'steady': {
          const s = sim();
          const rate = m.rate ?? 50;
          const n = rate * (m.seconds ?? 10);
          connected = 0;
          steady = true;
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await paced(n, rate, (i) => {
            live.add(s.startCall(anis[i % anis.length] as string, '+18005550100'));
          });
          await until(() => server?.sb.callCenter.liveCount === 0, 30_000);
          const c = process.cpuUsage(c0);
          steady = false;
          send({ type: 'steady', calls: n, connected, cpuUs: c.user + c.system, userUs: c.user, systemUs: c.system, wallMs: performance.now() - t0 });
          return;
        }
        case 'close': {
          const dir = server?.dataDir;
          await server?.close();
          if (dir) rmSync(dir, { recursive: true, force: true });
          process.exit(0);
        }
      }
    })().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
}

function tryDo(fn: () => void): void {
  try {
    fn();
  } catch {
    /* the call is gone */
  }
}
