/**
 * Runs the IVR for one call: an XState actor per call, with the flow's named
 * actors bound to a PBX adapter. A bound machine is built once per (flow
 * version, adapter) and shared by every call on it.
 */
import { createActor, type Actor } from 'xstate';
import type { PbxAdapter, PlaybackResult, Prompt } from '../adapters/adapter.js';
import { AdapterError } from '../adapters/errors.js';
import type { IvrStep } from '../connector/protocol.js';
import type { FlowMachine } from './flow/compile.js';
import type { FlowInput, FlowOutput } from './flow/context.js';
import { fromMediaStep } from './flow/media-step.js';

type Pbx = Pick<PbxAdapter, 'id' | 'answer' | 'play' | 'hangup' | 'transfer' | 'record'>;

export function bindFlow(machine: FlowMachine, pbx: Pbx): FlowMachine {
  return machine.provide({
    actors: {
      answer: fromMediaStep<void, { callId: string }>(({ input }) => pbx.answer(input.callId)),
      play: fromMediaStep<PlaybackResult, { callId: string; prompt: Prompt }>(({ input, signal }) => pbx.play(input.callId, input.prompt, signal)),
      record: fromMediaStep<{ recording: string | null }, { callId: string; maxSeconds: number; name: string }>(async ({ input, signal }) =>
        // A PBX that cannot record still takes the callback: the case is opened without a recording.
        pbx.record ? pbx.record(input.callId, { maxSeconds: input.maxSeconds, name: input.name }, signal) : { recording: null },
      ),
      transfer: fromMediaStep<void, { callId: string; to: string }>(async ({ input }) => {
        if (!pbx.transfer) throw new AdapterError('PBX_REJECTED', 'this PBX adapter cannot transfer', { adapterId: pbx.id });
        await pbx.transfer(input.callId, input.to);
      }),
      hangup: fromMediaStep<void, { callId: string }>(({ input }) => pbx.hangup(input.callId)),
    },
  });
}

export interface IvrSession {
  readonly callId: string;
  /** The flow version this call runs on, to the end of the call. */
  readonly version: string;
  dtmf(digit: string): void;
  hangup(): void;
  /** The path so far (sensitive values masked). */
  path(): IvrStep[];
  /** Current state value, for diagnostics and tests. */
  state(): unknown;
}

/**
 * Starts the IVR for a call. `onDone` is called exactly once, with the outcome;
 * an error inside the machine is reported as a `failed` outcome, so the connector
 * can still route the caller to a human.
 */
export function startIvrSession(
  machine: FlowMachine,
  version: string,
  input: FlowInput,
  onDone: (out: FlowOutput) => void,
): IvrSession {
  const actor: Actor<FlowMachine> = createActor(machine, { input });
  let done = false;
  const finish = (out: FlowOutput): void => {
    if (done) return;
    done = true;
    onDone(out);
  };
  const failed = (error: unknown): FlowOutput => {
    const ctx = actor.getSnapshot().context;
    return { outcome: 'failed', error, path: ctx.path, attributes: {}, language: ctx.language };
  };
  actor.subscribe({
    complete: () => finish(actor.getSnapshot().output ?? failed(new Error('no output'))),
    error: (error) => finish(failed(error)),
  });
  actor.start();
  return {
    callId: input.callId,
    version,
    // A finished session ignores late events (XState would warn about a stopped actor).
    dtmf: (digit) => void (done || actor.send({ type: 'DTMF', digit })),
    hangup: () => void (done || actor.send({ type: 'HANGUP' })),
    path: () => actor.getSnapshot().context.path,
    state: () => actor.getSnapshot().value,
  };
}
