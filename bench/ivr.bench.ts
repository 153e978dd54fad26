/**
 * IVR sessions: 10,000 concurrent calls in the default menu in one process, each
 * with its menu prompt "playing" on a null PBX; memory per session and key events
 * per second. Baseline, same run: a bare XState actor with two states and one event.
 */
import { createActor, createMachine, fromPromise } from 'xstate';
import type { CallControl, PlaybackResult } from '../adapters/adapter.js';
import { readFileSync } from 'node:fs';
import { compileFlowText } from '../ivr/flow/registry.js';
import { bindFlow, startIvrSession, type IvrSession } from '../ivr/session.js';
import { gc, type Bench } from './harness.js';

const SESSIONS = 10_000;

const GATHER_FLOW = `name: gather-bench
start: account
nodes:
  account:
    kind: gather
    prompt: { en: "Enter your account number." }
    attribute: account
    minDigits: 4
    maxDigits: 12
    invalid: { prompt: { en: "No." } }
    noInput: { prompt: { en: "Nothing." } }
    next: done
    fallback: done
  done: { kind: queue, queue: general }
`;

/** A PBX that answers at once and plays each prompt until it is aborted. */
const nullPbx: CallControl & { id: string } = {
  id: 'null',
  answer: async () => {},
  play: (_callId, _prompt, signal) =>
    new Promise<PlaybackResult>((resolve) => signal.addEventListener('abort', () => resolve({ completed: false }), { once: true })),
  hold: async () => {},
  ringAgent: async () => ({ legId: 'x' }),
  cancelAgentLeg: async () => {},
  bridge: async () => {},
  hangup: async () => {},
};

const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export const ivrBench: Bench = {
  name: 'ivr',
  async run() {
    // Baseline: bare actors.
    const toggle = createMachine({ initial: 'a', states: { a: { on: { T: 'b' } }, b: { on: { T: 'a' } } } });
    let h0 = heap();
    const bare = Array.from({ length: SESSIONS }, () => createActor(toggle).start());
    const bareBytes = (heap() - h0) / SESSIONS;
    let t0 = process.hrtime.bigint();
    for (let round = 0; round < 3; round++) for (const a of bare) a.send({ type: 'T' });
    const bareRate = (3 * SESSIONS) / (Number(process.hrtime.bigint() - t0) / 1e9);
    for (const a of bare) a.stop();

    // The IVR: sessions waiting in the menu prompt.
    const compiled = compileFlowText(readFileSync(new URL('../ivr/flows/main.yaml', import.meta.url), 'utf8'));
    if (!compiled.ok) throw new Error('the shipped main flow does not compile');
    const machine = bindFlow(compiled.flow.machine, nullPbx).provide({
      actors: { answer: fromPromise<void, { callId: string }>(async () => {}) },
    });
    h0 = heap();
    const sessions: IvrSession[] = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(startIvrSession(machine, compiled.flow.version, { callId: `c${i}` }, () => {}));
    await tick();
    const ivrBytes = (heap() - h0) / SESSIONS;
    // Sessions sit in the welcome prompt; the first key barges in and is replayed to the
    // menu as invalid. Three invalid keys per session (each aborts the playing prompt and
    // starts another), the third routing to the fallback queue: 30,000 key events.
    t0 = process.hrtime.bigint();
    for (let round = 0; round < 3; round++) {
      for (const s of sessions) s.dtmf('9');
      await tick();
    }
    const ivrRate = (3 * SESSIONS) / (Number(process.hrtime.bigint() - t0) / 1e9);
    const routed = sessions.filter((s) => s.state() === 'done' && s.path().at(-1)?.queue === 'general').length;
    if (routed !== SESSIONS) throw new Error(`only ${routed} of ${SESSIONS} sessions reached the fallback queue`);

    // Digits typed into a gather (an account number): after the first key stops the
    // prompt, each key restarts the inter-digit timer and starts nothing else.
    const gatherFlow = compileFlowText(GATHER_FLOW);
    if (!gatherFlow.ok) throw new Error('the gather flow does not compile');
    const gm = bindFlow(gatherFlow.flow.machine, nullPbx).provide({ actors: { answer: fromPromise<void, { callId: string }>(async () => {}) } });
    const gathering: IvrSession[] = [];
    for (let i = 0; i < SESSIONS; i++) gathering.push(startIvrSession(gm, gatherFlow.flow.version, { callId: `g${i}` }, () => {}));
    await tick();
    for (const s of gathering) s.dtmf('1'); // barge-in: the prompt stops
    await tick();
    t0 = process.hrtime.bigint();
    for (let round = 0; round < 6; round++) {
      for (const s of gathering) s.dtmf(String(round));
      await tick();
    }
    const digitRate = (6 * SESSIONS) / (Number(process.hrtime.bigint() - t0) / 1e9);
    for (const s of gathering) s.hangup();

    return {
      title: `IVR: ${SESSIONS.toLocaleString('en')} concurrent sessions in the default menu`,
      command: 'npm run bench -- ivr',
      baselineDescription: 'a bare XState actor (two states, one event)',
      figures: [
        { name: 'heap per session', value: ivrBytes / 1024, baseline: bareBytes / 1024, unit: 'KiB', better: 'lower' },
        { name: 'key events per second', value: ivrRate, baseline: bareRate, unit: '/s', better: 'higher' },
        { name: 'gather digits per second', value: digitRate, baseline: bareRate, unit: '/s', better: 'higher' },
      ],
      notes: [
        '`key events`: the worst case: every key is an invalid menu choice that aborts the playing prompt (its AbortSignal), records the path step and invokes the next prompt (a new actor). Target: over 20,000/s. Most of a key is XState\'s invoke (an actor created, started and stopped) and its machine-snapshot copies, and the GC of both; see "What profiling changed".',
        '`gather digits`: keys typed into a gather once its prompt has stopped: each restarts the inter-digit timer only.',
      ],
    };
  },
};
