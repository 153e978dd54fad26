/**
 * The whole connector process (bench/connector-process.ts, its own process):
 * memory idle; with 1,000 agents connected (socket.io clients in another
 * process, bench/agents-process.ts); and with 10,000 calls in the IVR besides
 * (the shipped main menu at the real speaking rate, callers pressing nothing).
 * Then CPU: idle with the agents connected, and a steady run of new calls
 * through the menu (the caller presses 1, the call is offered, accepted, talks
 * 30 ms, hangs up; the agent finishes after-call work), `process.cpuUsage()`.
 * Baselines, same run: a bare Node process with the same loader (memory), and
 * the connector itself before the load (growth, CPU).
 */
import { startAgentsProcess, startChild } from './agents.js';
import type { Bench } from './harness.js';

const AGENTS = 1_000;
const CALLS_IN_IVR = 10_000;
const RATE = 100;
const SECONDS = 10;
const MiB = 2 ** 20;
const EXEC = ['--expose-gc', '--import', 'tsx'];
const script = new URL('./connector-process.ts', import.meta.url);

interface Mem {
  rss: number;
  heapUsed: number;
}

export const processBench: Bench = {
  name: 'process',
  async run() {
    const bare = startChild(script, EXEC, ['bare']);
    const bareMem = await bare.ask<Mem>({ type: 'noop' }, 'mem');
    await bare.close();

    const conn = startChild(script, EXEC, ['connector']);
    const agents = startAgentsProcess();
    try {
      const started = await conn.ask<{ url: string; agents: Array<{ username: string; token: string }> }>({ type: 'start' }, 'started');
      const idle = await conn.ask<Mem>({ type: 'mem' }, 'mem');
      const c = await agents.ask<{ failed: number; ms: number }>({ type: 'connect', url: started.url, agents: started.agents, available: false }, 'connected');
      if (c.failed) throw new Error(`${c.failed} agents failed to connect`);
      const withAgents = await conn.ask<Mem>({ type: 'mem' }, 'mem');

      // CPU: idle with the agents connected, then a steady run of calls they take.
      const idleCpu = await conn.ask<{ cpuUs: number; wallMs: number }>({ type: 'cpu-idle', seconds: 4 }, 'cpu');
      await agents.ask({ type: 'available' }, 'available');
      const steady = await conn.ask<{ calls: number; connected: number; cpuUs: number; userUs: number; systemUs: number; wallMs: number }>(
        { type: 'steady', rate: RATE, seconds: SECONDS },
        'steady',
      );
      await agents.ask({ type: 'away' }, 'away');

      // Then 10,000 callers in the menu, measured against the same process just before.
      await conn.ask({ type: 'sweep' }, 'swept');
      const before = await conn.ask<Mem>({ type: 'mem' }, 'mem');
      const loaded = await conn.ask<{ inIvr: number; ms: number }>({ type: 'ivr-load', calls: CALLS_IN_IVR }, 'ivr-loaded');
      if (loaded.inIvr !== CALLS_IN_IVR) throw new Error(`only ${loaded.inIvr} of ${CALLS_IN_IVR} calls in the IVR`);
      const withCalls = await conn.ask<Mem>({ type: 'mem' }, 'mem');
      const idlePct = (idleCpu.cpuUs / 1000 / idleCpu.wallMs) * 100;
      const busyPct = (steady.cpuUs / 1000 / steady.wallMs) * 100;
      const perCallMs = (steady.cpuUs / 1000 - (idleCpu.cpuUs / 1000 / idleCpu.wallMs) * steady.wallMs) / steady.calls;
      return {
        title: 'Whole process: the connector idle, with 1,000 agents, with 10,000 calls in the IVR; CPU per call',
        command: 'npm run bench -- process',
        baselineDescription:
          'memory: a bare Node process with the same loader (tsx), or the connector before that load; CPU: the connector idle with the 1,000 agents connected',
        figures: [
          { name: 'idle RSS', value: idle.rss / MiB, baseline: bareMem.rss / MiB, unit: 'MiB', better: 'lower' },
          { name: 'idle heap used', value: idle.heapUsed / MiB, baseline: bareMem.heapUsed / MiB, unit: 'MiB', better: 'lower' },
          { name: 'RSS, 1,000 agents', value: withAgents.rss / MiB, baseline: idle.rss / MiB, unit: 'MiB', better: 'lower' },
          { name: 'RSS, + 10,000 IVR calls', value: withCalls.rss / MiB, baseline: idle.rss / MiB, unit: 'MiB', better: 'lower' },
          { name: 'heap, + 10,000 IVR calls', value: withCalls.heapUsed / MiB, baseline: idle.heapUsed / MiB, unit: 'MiB', better: 'lower' },
          { name: 'heap per agent', value: (withAgents.heapUsed - idle.heapUsed) / AGENTS / 1024, unit: 'KiB', better: 'lower' },
          { name: 'heap per IVR call', value: (withCalls.heapUsed - before.heapUsed) / CALLS_IN_IVR / 1024, unit: 'KiB', better: 'lower' },
          { name: `CPU at ${RATE} calls/s`, value: busyPct, baseline: idlePct, unit: '%', better: 'lower' },
          { name: 'CPU per call', value: perCallMs, unit: 'ms', better: 'lower' },
        ],
        notes: [
          `CPU per call per second: ${perCallMs.toFixed(2)} ms of CPU per call, so each new call per second costs ${(perCallMs / 10).toFixed(2)}% of a core (${steady.calls} calls at ${RATE}/s over ${(steady.wallMs / 1000).toFixed(1)} s, ${steady.connected} connected to an agent; idle CPU subtracted; user ${(steady.userUs / 1000 / steady.calls).toFixed(2)} ms + system ${(steady.systemUs / 1000 / steady.calls).toFixed(2)} ms per call before that).`,
          `The ${CALLS_IN_IVR.toLocaleString('en')} calls were started in ${(loaded.ms / 1000).toFixed(1)} s and all sat in the main menu's prompts (checked) when measured; % is of one core; memory after a full GC.`,
          'The load (the simulator PBX) runs inside the connector process, as in the embedded default; its share is in the CPU figures.',
        ],
      };
    } finally {
      await agents.close();
      await conn.close();
    }
  },
};
