/**
 * The menu node compiled to an XState v5 machine. The machine is pure
 * configuration: PBX effects are the named actors `answer` and `play`, supplied
 * with `machine.provide()` by the session (or by tests). Each invoked actor gets
 * an AbortSignal that XState aborts when the state is left, so a key pressed
 * during a prompt stops that prompt, and a hangup in any state stops everything.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { PlaybackResult, Prompt } from '../adapters/adapter.js';
import type { IvrStep } from '../connector/protocol.js';
import type { MenuSpec } from './menu-spec.js';

export interface MenuContext {
  callId: string;
  failures: number;
  path: IvrStep[];
  /** Set on entering a final state; the output is derived from it. */
  result: { outcome: 'routed'; queue: string } | { outcome: 'hangup' } | { outcome: 'failed'; error: unknown } | null;
}

export type MenuEvent = { type: 'DTMF'; digit: string } | { type: 'HANGUP' };

export type MenuOutput =
  | { outcome: 'routed'; queue: string; path: IvrStep[] }
  | { outcome: 'hangup'; path: IvrStep[] }
  | { outcome: 'failed'; path: IvrStep[]; error: unknown };

const now = (): string => new Date().toISOString();

export function createMenuMachine(spec: MenuSpec) {
  const step = (event: IvrStep['event'], extra: Partial<IvrStep> = {}): IvrStep => ({ node: spec.node, event, at: now(), ...extra });
  const isLastFailure = ({ context }: { context: MenuContext }): boolean => context.failures + 1 >= spec.maxFailures;

  return setup({
    types: {
      context: {} as MenuContext,
      events: {} as MenuEvent,
      input: {} as { callId: string },
      output: {} as MenuOutput,
    },
    actors: {
      // Placeholders: a session MUST provide real ones. Failing loudly beats a silent IVR.
      answer: fromPromise<void, { callId: string }>(async () => {
        throw new Error('IVR actor "answer" was not provided');
      }),
      play: fromPromise<PlaybackResult, { callId: string; prompt: Prompt }>(async () => {
        throw new Error('IVR actor "play" was not provided');
      }),
    },
    guards: {
      isOption: ({ event }) => event.type === 'DTMF' && Object.hasOwn(spec.options, event.digit),
      isLastFailure,
    },
    actions: {
      recordEntered: assign({ path: ({ context }) => [...context.path, step('entered')] }),
      recordKey: assign({
        path: ({ context, event }) => {
          const key = event.type === 'DTMF' ? event.digit : '';
          return [...context.path, step('key', { key }), step('routed', { queue: spec.options[key] ?? spec.fallbackQueue })];
        },
      }),
      recordInvalid: assign({
        failures: ({ context }) => context.failures + 1,
        path: ({ context, event }) => [...context.path, step('invalid', { key: event.type === 'DTMF' ? event.digit : '' })],
      }),
      recordNoInput: assign({
        failures: ({ context }) => context.failures + 1,
        path: ({ context }) => [...context.path, step('no-input')],
      }),
      recordFallback: assign({ path: ({ context }) => [...context.path, step('routed', { queue: spec.fallbackQueue })] }),
      recordHangup: assign({ path: ({ context }) => [...context.path, step('hangup')] }),
      resultRouted: assign({
        result: ({ context }) => {
          const routed = context.path.findLast((s) => s.event === 'routed');
          return { outcome: 'routed' as const, queue: routed?.queue ?? spec.fallbackQueue };
        },
      }),
      resultHangup: assign({ result: { outcome: 'hangup' as const } }),
      resultFailed: assign({ result: ({ event }) => ({ outcome: 'failed' as const, error: 'error' in event ? event.error : null }) }),
    },
    delays: {
      noInputTimeout: spec.noInputTimeoutMs,
    },
  }).createMachine({
    id: spec.node,
    context: ({ input }) => ({ callId: input.callId, failures: 0, path: [], result: null }),
    initial: 'answering',
    on: {
      HANGUP: { target: '.hungUp', actions: 'recordHangup' },
    },
    states: {
      answering: {
        invoke: {
          src: 'answer',
          input: ({ context }) => ({ callId: context.callId }),
          onDone: { target: 'menu', actions: 'recordEntered' },
          onError: { target: 'failed', actions: 'resultFailed' },
        },
      },
      menu: {
        initial: spec.welcome ? 'welcome' : 'prompting',
        on: {
          // Keys count in every sub-state, including while a prompt plays (barge-in):
          // leaving the sub-state aborts its prompt through the actor's signal.
          DTMF: [
            { guard: 'isOption', target: 'routed', actions: 'recordKey' },
            { guard: 'isLastFailure', target: 'routedToFallback', actions: 'recordInvalid' },
            { target: '.invalid', reenter: true, actions: 'recordInvalid' },
          ],
        },
        states: {
          welcome: {
            invoke: {
              src: 'play',
              input: ({ context }) => ({ callId: context.callId, prompt: spec.welcome ?? spec.menu }),
              onDone: 'prompting',
              // A prompt that fails to play must not strand the caller: go on to the menu.
              onError: 'prompting',
            },
          },
          prompting: {
            invoke: { src: 'play', input: ({ context }) => ({ callId: context.callId, prompt: spec.menu }), onDone: 'waiting', onError: 'waiting' },
          },
          waiting: {
            after: {
              noInputTimeout: [
                { guard: 'isLastFailure', target: '#' + spec.node + '.routedToFallback', actions: 'recordNoInput' },
                { target: spec.noInput ? 'noInput' : 'prompting', actions: 'recordNoInput' },
              ],
            },
          },
          invalid: {
            invoke: { src: 'play', input: ({ context }) => ({ callId: context.callId, prompt: spec.invalid }), onDone: 'prompting', onError: 'prompting' },
          },
          noInput: {
            invoke: { src: 'play', input: ({ context }) => ({ callId: context.callId, prompt: spec.noInput ?? spec.menu }), onDone: 'prompting', onError: 'prompting' },
          },
        },
      },
      routed: { type: 'final', entry: 'resultRouted' },
      routedToFallback: { type: 'final', entry: ['recordFallback', 'resultRouted'] },
      hungUp: { type: 'final', entry: 'resultHangup' },
      failed: { type: 'final' },
    },
    output: ({ context }): MenuOutput => {
      const r = context.result ?? { outcome: 'failed', error: new Error('IVR ended without a result') };
      return { ...r, path: context.path };
    },
  });
}

export type MenuMachine = ReturnType<typeof createMenuMachine>;
