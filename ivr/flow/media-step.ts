/**
 * The actor logic of a PBX media step (answer, play, record, transfer, hang up):
 * a promise that takes an AbortSignal, like XState's `fromPromise`, minus the
 * costs that `fromPromise` pays on every step and an IVR pays on every key that
 * stops a prompt (see bench/profiling.md, "IVR step"):
 *
 * - the abort reason is one shared `DOMException` (`AbortError`), not a new one
 *   with a captured stack trace per abort (`controller.abort()` with no reason);
 * - the AbortController lives on the step's own snapshot, not in a module-wide
 *   WeakMap (a set and a delete per step, and ephemeron work for the GC);
 * - settling builds the next snapshot directly, without spreading the last one.
 *
 * The behaviour is `fromPromise`'s: the step is done with the promise's value or
 * fails with its reason (the machine's `onDone` / `onError`); when the invoking
 * state is left, the signal aborts and a late settlement is ignored. The logic
 * is typed as a `PromiseActorLogic`, so it provides the actors that `setup()`
 * declares with `fromPromise`.
 */
import type { PromiseActorLogic, PromiseSnapshot } from 'xstate';

/**
 * The reason a step's signal aborts with: its state was left (a key, a timeout,
 * a hangup) or the session stopped. One instance for all steps; its `name` is
 * `AbortError`, as the reason of a bare `abort()`, so adapters that pass the
 * signal to `fetch` and check `err.name` see what they saw before.
 */
export const STEP_LEFT: DOMException = new DOMException('the IVR left this step', 'AbortError');

/** What a step runs: the PBX call, given the step's input and the signal that ends it. */
export type MediaStepRun<TOutput, TInput> = (args: { input: TInput; signal: AbortSignal }) => PromiseLike<TOutput>;

// The event types `fromPromise` uses for its own settlement (xstate/src/actors/promise.ts).
const RESOLVE = 'xstate.promise.resolve';
const REJECT = 'xstate.promise.reject';
// XState's stop event (xstate/src/constants.ts `XSTATE_STOP`): the invoking state was left.
const STOP = 'xstate.stop';

/** An active step's snapshot, with the controller of its signal once started. */
interface Running<TOutput, TInput> {
  status: 'active';
  output: undefined;
  error: undefined;
  input: TInput | undefined;
  controller: AbortController | undefined;
}

/** A settled step's snapshot: the input is dropped, as `fromPromise` does. */
function settled<TOutput, TInput>(status: 'done' | 'error' | 'stopped', output?: TOutput, error?: unknown): PromiseSnapshot<TOutput, TInput> {
  return { status, output, error, input: undefined } as PromiseSnapshot<TOutput, TInput>;
}

/** A PBX media step as an XState actor: `fromPromise` semantics, cheaper to start and to stop. */
export function fromMediaStep<TOutput, TInput>(run: MediaStepRun<TOutput, TInput>): PromiseActorLogic<TOutput, TInput> {
  return {
    config: run,
    transition: (snapshot, event): PromiseSnapshot<TOutput, TInput> => {
      if (snapshot.status !== 'active') return snapshot;
      switch (event.type) {
        case RESOLVE:
          return settled<TOutput, TInput>('done', event['data'] as TOutput);
        case REJECT:
          return settled<TOutput, TInput>('error', undefined, event['data']);
        case STOP:
          (snapshot as unknown as Running<TOutput, TInput>).controller?.abort(STEP_LEFT);
          return settled<TOutput, TInput>('stopped');
        default:
          return snapshot;
      }
    },
    start: (snapshot, { self }) => {
      if (snapshot.status !== 'active') return;
      const controller = new AbortController();
      (snapshot as unknown as Running<TOutput, TInput>).controller = controller;
      // As in `fromPromise`: a synchronous throw fails the step (XState catches it in start()),
      // and a value that is no promise is the step's output (Promise.resolve returns a native
      // promise as it is).
      Promise.resolve(run({ input: snapshot.input as TInput, signal: controller.signal })).then(
        (data) => {
          if (self.getSnapshot().status === 'active') self.send({ type: RESOLVE, data });
        },
        (data: unknown) => {
          if (self.getSnapshot().status === 'active') self.send({ type: REJECT, data });
        },
      );
    },
    // Same shape from the first snapshot on (`controller` set at start), so the hidden class stays one.
    getInitialSnapshot: (_scope, input) =>
      ({ status: 'active', output: undefined, error: undefined, input, controller: undefined }) satisfies Running<TOutput, TInput> as unknown as PromiseSnapshot<TOutput, TInput>,
    getPersistedSnapshot: (snapshot) => ({ status: snapshot.status, output: snapshot.output, error: snapshot.error, input: snapshot.input }) as PromiseSnapshot<TOutput, TInput>,
    restoreSnapshot: (snapshot) => ({ ...(snapshot as PromiseSnapshot<TOutput, TInput>), controller: undefined }) as unknown as PromiseSnapshot<TOutput, TInput>,
  };
}
