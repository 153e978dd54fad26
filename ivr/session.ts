/**
 * Runs the IVR for one call: an XState actor per call, with the machine's named
 * actors bound to a PBX adapter. The bound machine is built once per adapter and
 * shared by every call on it (an idle actor costs a few KiB).
 */
import { createActor, fromPromise, type Actor } from 'xstate';
import type { CallControl, PlaybackResult, Prompt } from '../adapters/adapter.js';
import type { IvrStep } from '../connector/protocol.js';
import type { MenuMachine, MenuOutput } from './menu-machine.js';

export function bindMachine(machine: MenuMachine, pbx: CallControl): MenuMachine {
  return machine.provide({
    actors: {
      answer: fromPromise<void, { callId: string }>(({ input }) => pbx.answer(input.callId)),
      play: fromPromise<PlaybackResult, { callId: string; prompt: Prompt }>(({ input, signal }) =>
        pbx.play(input.callId, input.prompt, signal),
      ),
    },
  });
}

export interface IvrSession {
  readonly callId: string;
  dtmf(digit: string): void;
  hangup(): void;
  /** The path so far (for a pop of a call still in the IVR, and for tests). */
  path(): IvrStep[];
  /** Current state value, for diagnostics. */
  state(): unknown;
}

/**
 * Starts the IVR for a call. `onDone` is called exactly once, with the outcome.
 * An unexpected error inside the machine is reported as a `failed` outcome, so
 * the connector can still route the caller to a human.
 */
export function startIvrSession(machine: MenuMachine, callId: string, onDone: (out: MenuOutput) => void): IvrSession {
  const actor: Actor<MenuMachine> = createActor(machine, { input: { callId } });
  let done = false;
  const finish = (out: MenuOutput): void => {
    if (done) return;
    done = true;
    onDone(out);
  };
  actor.subscribe({
    complete: () => {
      const out = actor.getSnapshot().output;
      finish(out ?? { outcome: 'failed', path: actor.getSnapshot().context.path, error: new Error('no output') });
    },
    error: (error) => finish({ outcome: 'failed', path: actor.getSnapshot().context.path, error }),
  });
  actor.start();
  return {
    callId,
    dtmf: (digit) => actor.send({ type: 'DTMF', digit }),
    hangup: () => actor.send({ type: 'HANGUP' }),
    path: () => actor.getSnapshot().context.path,
    state: () => actor.getSnapshot().value,
  };
}
