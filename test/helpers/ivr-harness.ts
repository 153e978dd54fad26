/**
 * A fake-timer harness for IVR flows: one simulated call (SimulatorAdapter) running
 * a compiled flow through `bindFlow` + `startIvrSession`, wired the way the call
 * center wires it (`call.dtmf` -> `session.dtmf`, `call.ended` -> `session.hangup`).
 * Tests MUST call `vi.useFakeTimers()` first: time only moves when they advance it.
 */
import { vi } from 'vitest';
import { fromPromise } from 'xstate';
import { SimulatorAdapter } from '../../adapters/simulator/simulator-adapter.js';
import type { CompileOptions } from '../../ivr/flow/compile.js';
import type { AttributeValue, FlowOutput } from '../../ivr/flow/context.js';
import { compileFlowText, type CompiledFlow } from '../../ivr/flow/registry.js';
import { bindFlow, startIvrSession, type IvrSession } from '../../ivr/session.js';

/** Default speaking rate of the simulated PBX in these tests: 20 characters a second. */
export const CPS = 20;

/** How long the simulator speaks `text` (the simulator's own formula). */
export function promptMs(text: string, cps = CPS): number {
  return Math.max(200, Math.round((text.length / cps) * 1000));
}

/**
 * Template tag for inline YAML: drops the template's common indentation and its first
 * blank line. Values are inserted after that, as they are (a multi-line value MUST
 * carry its final indentation).
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const HOLE = '\u0000';
  const lines = strings.join(HOLE).replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  let i = 0;
  return lines
    .map((l) => l.slice(indent))
    .join('\n')
    .replace(/\u0000/g, () => String(values[i++]));
}

/** Compiles flow YAML, failing the test with the problems when it is not valid. */
export function compile(text: string, opts: CompileOptions = {}): CompiledFlow {
  const r = compileFlowText(text, opts);
  if (!r.ok) throw new Error(`flow is not valid:\n${r.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`).join('\n')}`);
  return r.flow;
}

export interface CallOptions {
  cps?: number;
  from?: string;
  to?: string;
  /** Initial call attributes; by default `{ ani: from, dnis: to }` as the connector would give. */
  attributes?: Record<string, AttributeValue>;
  /**
   * The PBX takes a second to answer (honouring the actor's AbortSignal like a real
   * adapter call) and `startCall` returns before it does, so a test can act during `answering`.
   */
  slowAnswer?: boolean;
}

export interface HeardPrompt {
  /** e.g. `main-menu.prompt`, `main-menu.invalid` */
  id: string;
  text: string;
  /** null while it still plays. */
  completed: boolean | null;
}

export interface IvrCall {
  sim: SimulatorAdapter;
  callId: string;
  session: IvrSession;
  outcome(): FlowOutput | null;
  /** Texts of the prompts started so far. */
  prompts(): string[];
  /** Completion of each finished prompt, in order. */
  finished(): Array<{ completed: boolean }>;
  /** Every prompt started, with its id and whether it played to its end. */
  heard(): HeardPrompt[];
  /** The caller presses `keys` (one `sendDigits` each), then pending work settles. */
  press(keys: string): Promise<void>;
  /** Advances simulated time. */
  wait(ms: number): Promise<void>;
  /** The caller hangs up, then pending work settles. */
  hangup(): Promise<void>;
  /** The path as `node event detail` strings, detail = key / value / queue / to when present. */
  steps(): string[];
}

export async function startCall(flow: CompiledFlow, opts: CallOptions = {}): Promise<IvrCall> {
  const from = opts.from ?? '+14155550123';
  const to = opts.to ?? '+18005550100';
  const sim = new SimulatorAdapter({ id: 'sim', charsPerSecond: opts.cps ?? CPS });
  await sim.connect();
  let machine = bindFlow(flow.machine, sim);
  if (opts.slowAnswer) {
    machine = machine.provide({
      actors: {
        answer: fromPromise<void, { callId: string }>(
          ({ signal }) =>
            new Promise<void>((resolve) => {
              const t = setTimeout(resolve, 1_000);
              signal.addEventListener('abort', () => clearTimeout(t));
            }),
        ),
      },
    });
  }
  let outcome: FlowOutput | null = null;
  let session: IvrSession | null = null;
  sim.onEvent((e) => {
    if (!session || e.callId !== session.callId) return;
    if (e.type === 'call.dtmf') session.dtmf(e.digit);
    if (e.type === 'call.ended') session.hangup();
  });
  const callId = sim.startCall(from, to);
  session = startIvrSession(machine, flow.version, { callId, attributes: opts.attributes ?? { ani: from, dnis: to } }, (out) => {
    if (outcome) throw new Error('onDone called twice');
    outcome = out;
  });
  if (!opts.slowAnswer) await vi.advanceTimersByTimeAsync(0);
  const s = session;
  const heard = (): HeardPrompt[] => {
    const out = new Map<string, HeardPrompt>();
    for (const e of sim.transcript(callId).entries) {
      if (e.type === 'prompt.started') out.set(e.playbackId, { id: e.promptId, text: e.text, completed: null });
      if (e.type === 'prompt.finished') (out.get(e.playbackId) as HeardPrompt).completed = e.completed;
    }
    return [...out.values()];
  };
  return {
    sim,
    callId,
    session: s,
    outcome: () => outcome,
    prompts: () => sim.transcript(callId).promptTexts(),
    finished: () => sim.transcript(callId).entries.flatMap((e) => (e.type === 'prompt.finished' ? [{ completed: e.completed }] : [])),
    heard,
    press: async (keys) => {
      for (const k of keys) sim.sendDigits(callId, k);
      await vi.advanceTimersByTimeAsync(0);
    },
    wait: async (ms) => void (await vi.advanceTimersByTimeAsync(ms)),
    hangup: async () => {
      sim.callerHangup(callId);
      await vi.advanceTimersByTimeAsync(0);
    },
    steps: () =>
      s.path().map((p) => [p.node, p.event, p.key ?? p.value ?? p.queue ?? p.to].filter((x) => x !== undefined).join(' ')),
  };
}
