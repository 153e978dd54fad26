/**
 * The media-step actor logic (ivr/flow/media-step.ts) that runs every PBX action of
 * the IVR: `fromPromise` semantics (done / error events, abort when the state is
 * left, late settlements ignored) with a shared abort reason and no controller for
 * a step that never started.
 */
import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { fromMediaStep, STEP_LEFT } from '../ivr/flow/media-step.js';

interface Deferred {
  resolve(v: string): void;
  reject(e: unknown): void;
  signal: AbortSignal;
  input: string;
}

function harness() {
  const started: Deferred[] = [];
  const step = fromMediaStep<string, string>(
    ({ input, signal }) =>
      new Promise<string>((resolve, reject) => {
        started.push({ resolve, reject, signal, input });
      }),
  );
  const machine = setup({
    types: { context: {} as { out: string | null; err: unknown }, events: {} as { type: 'LEAVE' } | { type: 'SKIP' } },
    actors: { step },
  }).createMachine({
    context: { out: null, err: null },
    initial: 'running',
    states: {
      running: {
        invoke: {
          src: 'step',
          input: 'hello',
          onDone: { target: 'done', actions: ({ context, event }) => void (context.out = event.output) },
          onError: { target: 'failed', actions: ({ context, event }) => void (context.err = event.error) },
        },
        on: { LEAVE: 'left' },
      },
      left: {},
      done: {},
      failed: {},
    },
  });
  return { started, actor: createActor(machine).start() };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('fromMediaStep', () => {
  it('starts the step with its input and an unaborted signal, and is done with its value', async () => {
    const { started, actor } = harness();
    expect(started.map((s) => [s.input, s.signal.aborted])).toEqual([['hello', false]]);
    started[0]?.resolve('played');
    await settle();
    expect(actor.getSnapshot().value).toBe('done');
    expect(actor.getSnapshot().context.out).toBe('played');
  });

  it('fails with the rejection (onError)', async () => {
    const { started, actor } = harness();
    const boom = new Error('PBX said no');
    started[0]?.reject(boom);
    await settle();
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.err).toBe(boom);
  });

  it('leaving the state aborts the signal with the shared AbortError reason, and a late settlement is ignored', async () => {
    const a = harness();
    const b = harness();
    a.actor.send({ type: 'LEAVE' });
    b.actor.send({ type: 'LEAVE' });
    const signal = a.started[0]?.signal as AbortSignal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(STEP_LEFT);
    expect(b.started[0]?.signal.reason).toBe(STEP_LEFT);
    expect((signal.reason as DOMException).name).toBe('AbortError');
    a.started[0]?.resolve('too late');
    b.started[0]?.reject(new Error('too late'));
    await settle();
    expect(a.actor.getSnapshot().value).toBe('left');
    expect(b.actor.getSnapshot().value).toBe('left');
    expect(a.actor.getSnapshot().context.out).toBeNull();
  });

  it('stopping the session aborts the running step', () => {
    const { started, actor } = harness();
    actor.stop();
    expect(started[0]?.signal.aborted).toBe(true);
  });

  it('a step left in the same macrostep that entered it never runs', () => {
    let runs = 0;
    const machine = setup({ actors: { step: fromMediaStep<void, void>(async () => void runs++) } }).createMachine({
      initial: 'a',
      states: { a: { on: { GO: 'b' } }, b: { invoke: { src: 'step' }, always: 'c' }, c: {} },
    });
    const actor = createActor(machine).start();
    actor.send({ type: 'GO' });
    expect(actor.getSnapshot().value).toBe('c');
    expect(runs).toBe(0);
  });

  it('persists a running step without its AbortController', () => {
    const { actor } = harness();
    const child = Object.values(actor.getSnapshot().children)[0];
    const persisted = child?.getPersistedSnapshot() as Record<string, unknown>;
    expect(persisted).toEqual({ status: 'active', output: undefined, error: undefined, input: 'hello' });
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain('controller');
  });
});
