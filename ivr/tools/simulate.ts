/**
 * Walking a flow in the terminal (`switchboard flow simulate`): a call through
 * the simulator PBX, driven by a script of keys and waits, on virtual time. It
 * reports each prompt spoken, each key, each step of the caller's path and the
 * outcome, with the virtual time since the call was answered.
 *
 * The key script: `1`, `#`, `1234#` (keys pressed one after another at once),
 * `w5000` (the caller waits 5 s), `w` (the caller listens until no prompt plays),
 * `h` (the caller hangs up). After the script the caller stays silent until the
 * flow ends.
 */
import type { PlaybackResult, Prompt } from '../../adapters/adapter.js';
import { SimulatorAdapter } from '../../adapters/simulator/simulator-adapter.js';
import type { TranscriptEntry } from '../../adapters/simulator/transcript.js';
import type { IvrStep } from '../../connector/protocol.js';
import type { AttributeValue, FlowOutput } from '../flow/context.js';
import { compileFlowText } from '../flow/registry.js';
import { bindFlow, startIvrSession, type IvrSession } from '../session.js';
import { settle, VirtualClock } from './virtual-clock.js';

export type ScriptStep = { type: 'keys'; keys: string } | { type: 'wait'; ms: number } | { type: 'listen' } | { type: 'hangup' };

/** Parses `1,#,w5000,1234#,w,h`; throws an Error naming the first bad item. */
export function parseKeyScript(spec: string): ScriptStep[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item): ScriptStep => {
      if (item === 'w') return { type: 'listen' };
      if (item === 'h') return { type: 'hangup' };
      const wait = /^w(\d{1,7})$/.exec(item);
      if (wait) return { type: 'wait', ms: Number(wait[1]) };
      if (/^[0-9*#A-D]+$/.test(item)) return { type: 'keys', keys: item };
      throw new Error(`bad key "${item}": expected DTMF keys (0-9 * # A-D), w<ms> to wait, w to listen to the end of the prompt, or h to hang up`);
    });
}

export interface SimulateOptions {
  /** The caller's number (the `ani` attribute). */
  from: string;
  /** The number dialed (the `dnis` attribute). */
  to: string;
  script: readonly ScriptStep[];
  /** Attributes set on top of those of an unknown caller (`account.vip`...). */
  attributes?: Record<string, AttributeValue>;
  /** Account numbers that exist, for `accountExists` rules. */
  accounts?: ReadonlySet<string>;
  /** Virtual start time (epoch ms): opening hours are checked against it. */
  startMs: number;
  /** Speaking rate of the simulated prompts; the simulator's default is 15. */
  charsPerSecond?: number;
  /** Give up when the flow has not ended after this much virtual time (default 1 hour). */
  limitMs?: number;
}

export interface SimulationResult {
  /** The flow's outcome; null when it did not end (`stuck` says why). */
  output: FlowOutput | null;
  stuck: string | null;
  /** Virtual milliseconds from the start of the call to its end. */
  elapsedMs: number;
  /** Timers still waiting once the flow ended: 0 unless something leaked. */
  timersLeft: number;
}

/** The attributes of a caller the lookup did not find (see `connector/calls/caller-attributes.ts`). */
export function unknownCallerAttributes(from: string, to: string): Record<string, AttributeValue> {
  return {
    ani: from,
    dnis: to,
    'caller.match': 'none',
    'caller.known': false,
    'account.number': null,
    'account.tier': null,
    'account.vip': false,
  };
}

function describeStep(s: IvrStep, kindOf: (node: string) => string): string {
  switch (s.event) {
    case 'entered':
      return `-> ${s.node} (${kindOf(s.node)})`;
    case 'key':
      return `${s.node}: key ${s.key ?? ''} chosen`;
    case 'invalid':
      return `${s.node}: invalid${s.key !== undefined ? ` key ${s.key}` : ' entry'}`;
    case 'no-input':
      return `${s.node}: no input`;
    case 'gathered':
      return `${s.node}: ${s.attribute ?? '?'} = ${String(s.value ?? '')}`;
    case 'branched':
      return `${s.node}: branch to ${String(s.value ?? '')}`;
    case 'language':
      return `${s.node}: language ${String(s.value ?? '')}`;
    case 'routed':
      return `${s.node}: to queue ${s.queue ?? ''}`;
    case 'callback':
      return `${s.node}: callback request for queue ${s.queue ?? ''}`;
    case 'voicemail':
      return `${s.node}: voicemail for queue ${s.queue ?? ''}`;
    case 'transferred':
      return `${s.node}: transferred to ${s.to ?? ''}`;
    case 'hangup':
      return `${s.node}: hangup`;
  }
}

export function describeOutcome(out: FlowOutput): string {
  switch (out.outcome) {
    case 'queue':
      return `queue ${out.queue} (priority ${out.priority})`;
    case 'callback':
      return `callback to ${out.number || '(no number)'} (queue ${out.queue})`;
    case 'voicemail':
      return `voicemail ${out.recording ?? '(nothing recorded)'} (queue ${out.queue})`;
    case 'transfer':
      return `transfer to ${out.to}`;
    case 'hangup':
      return 'hung up by the flow';
    case 'caller-hangup':
      return 'the caller hung up';
    case 'failed':
      return `failed: ${out.error instanceof Error ? out.error.message : String(out.error)}`;
  }
}

/**
 * Runs one simulated call through the flow in `text` (which MUST be valid: run
 * `validateFlowText` first), reporting each line through `print`.
 */
export async function simulateFlow(text: string, opts: SimulateOptions, print: (line: string) => void): Promise<SimulationResult> {
  const clock = new VirtualClock(opts.startMs);
  const restore = clock.install();
  const sim = new SimulatorAdapter({ id: 'simulate', charsPerSecond: opts.charsPerSecond ?? 15 });
  try {
    const accounts = opts.accounts ?? new Set<string>();
    const compiled = compileFlowText(text, { now: () => clock.now(), accountExists: (n) => accounts.has(n) });
    if (!compiled.ok) throw new Error(`the flow is not valid: ${compiled.problems[0]?.message ?? ''}`);
    const { flow, machine, version } = compiled.flow;
    const kindOf = (node: string): string => flow.nodes[node]?.kind ?? '?';
    const at = (): string => `${((clock.now() - opts.startMs) / 1000).toFixed(3).padStart(8)}s  `;

    let session: IvrSession | null = null;
    let output: FlowOutput | null = null;
    let shown = 0;
    let playing = 0;
    /** Prints the caller's path steps recorded since the last call. */
    const flushPath = (): void => {
      const path = session?.path() ?? [];
      for (; shown < path.length; shown++) print(`${at()}${describeStep(path[shown] as IvrStep, kindOf)}`);
    };

    await sim.connect();
    // The flow's play actor goes through here to report the prompt's language.
    const pbx = {
      id: sim.id,
      answer: (callId: string) => sim.answer(callId),
      play: (callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> => {
        flushPath();
        if (!signal.aborted) print(`${at()}says "${prompt.text}" [${prompt.id}, ${prompt.language ?? flow.defaultLanguage}]`);
        return sim.play(callId, prompt, signal);
      },
      hangup: (callId: string) => sim.hangup(callId),
      transfer: (callId: string, to: string) => sim.transfer(callId, to),
      record: (callId: string, o: { maxSeconds: number; name: string }, signal: AbortSignal) => sim.record(callId, o, signal),
    };
    sim.onEvent((e) => {
      if (!session || e.callId !== session.callId) return;
      if (e.type === 'call.dtmf') session.dtmf(e.digit);
      if (e.type === 'call.ended') session.hangup();
    });

    print(`flow ${flow.name} (version ${version}), call from ${opts.from} to ${opts.to} at ${new Date(opts.startMs).toISOString()}`);
    const callId = sim.startCall(opts.from, opts.to);
    const promptIds = new Map<string, string>();
    const unfollow = sim.transcript(callId).follow((entry: TranscriptEntry) => {
      if (entry.type === 'prompt.started') playing++, promptIds.set(entry.playbackId, entry.promptId);
      if (entry.type === 'prompt.finished') playing--;
      const line = transcriptLine(entry, promptIds);
      if (line) {
        flushPath();
        print(`${at()}${line}`);
      }
    });
    const attributes = { ...unknownCallerAttributes(opts.from, opts.to), ...(opts.attributes ?? {}) };
    session = startIvrSession(bindFlow(machine, pbx), version, { callId, attributes }, (out) => {
      output = out;
    });
    const ended = (): boolean => output !== null;
    const limit = opts.startMs + (opts.limitMs ?? 3_600_000);
    /** Fires timers up to `until` (or while `more` holds), printing the path as it grows. */
    const run = async (more: () => boolean, until = limit): Promise<void> => {
      await settle();
      flushPath();
      while (!ended() && more()) {
        const next = clock.nextAt();
        if (next === null || next > until) break;
        await clock.step();
        flushPath();
      }
    };

    await run(() => false);
    for (const [i, step] of opts.script.entries()) {
      if (ended()) {
        const left = opts.script.slice(i).map(scriptText).join(',');
        print(`${at()}(the flow has ended; not used: ${left})`);
        break;
      }
      if (step.type === 'keys') {
        for (const key of step.keys) {
          print(`${at()}caller presses ${key}`);
          sim.sendDigits(callId, key);
          await run(() => false);
        }
      } else if (step.type === 'wait') {
        const until = clock.now() + step.ms;
        await run(() => true, until);
        if (!ended()) await clock.advanceTo(until);
      } else if (step.type === 'listen') {
        await run(() => playing > 0);
      } else {
        print(`${at()}caller hangs up`);
        sim.callerHangup(callId);
        await run(() => false);
      }
    }
    // The caller stays silent: let time run until the flow ends.
    await run(() => true);
    flushPath();
    const elapsedMs = clock.now() - opts.startMs;
    const out = output as FlowOutput | null;
    if (!out) {
      const stuck = clock.pending === 0 ? 'the flow waits for nothing and has not ended' : `the flow has not ended after ${Math.round((opts.limitMs ?? 3_600_000) / 1000)} s`;
      return { output: null, stuck, elapsedMs, timersLeft: clock.pending };
    }
    const timersLeft = clock.pending;
    // The call would go on (in a queue...) in service; here it ends quietly.
    unfollow();
    await sim.disconnect();
    await settle();
    return { output: out, stuck: null, elapsedMs, timersLeft };
  } finally {
    restore();
  }
}

function scriptText(s: ScriptStep): string {
  return s.type === 'keys' ? s.keys : s.type === 'wait' ? `w${s.ms}` : s.type === 'listen' ? 'w' : 'h';
}

function transcriptLine(e: TranscriptEntry, promptIds: ReadonlyMap<string, string>): string | null {
  switch (e.type) {
    case 'call.answered':
      return 'call answered';
    case 'prompt.finished':
      return `${e.completed ? 'end of' : 'cut short:'} ${promptIds.get(e.playbackId) ?? 'prompt'}`;
    case 'recording.started':
      return 'recording...';
    case 'recording.stopped':
      return 'recording stops';
    case 'call.transferred':
      return `call transferred to ${e.to}`;
    case 'call.ended':
      return `call ended (${e.reason})`;
    default:
      return null;
  }
}
