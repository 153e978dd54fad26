/**
 * Compiling a validated flow into an XState v5 machine. The flow is pure
 * configuration: every node becomes a state (one file per node kind under
 * `nodes/`), every PBX effect is a named actor (`answer`, `play`, `record`,
 * `transfer`, `hangup`) that takes an AbortSignal, so leaving a state stops its
 * prompt and a hangup anywhere ends the session with nothing left running.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { PlaybackResult, Prompt } from '../../adapters/adapter.js';
import type { IvrStep } from '../../connector/protocol.js';
import { MASK, shownAttributes, voicemailName, type AttributeValue, type FlowContext, type FlowEvent, type FlowInput, type FlowOutput, type FlowResult } from './context.js';
import { isOpenAt } from './hours.js';
import { fromMediaStep } from './media-step.js';
import { compileNode, type CompileEnv } from './nodes/index.js';
import type { Condition, Flow, NodeOf } from './schema.js';

export interface CompileOptions {
  /** Whether an account number exists (the `accountExists` branch condition). */
  accountExists?: (accountNumber: string) => boolean;
  /** Clock for opening hours; `Date.now` by default (fake timers drive it in tests). */
  now?: () => number;
  /** The configured queues: a flow naming another is rejected. */
  queues?: ReadonlySet<string>;
}

// The ISO time of the last millisecond asked for: a path step per key, and keys come in bursts.
let lastMs = Number.NaN;
let lastIso = '';
const now = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
const step = (node: string, event: IvrStep['event'], extra?: Partial<IvrStep>): IvrStep =>
  extra ? { node, event, at: now(), ...extra } : { node, event, at: now() };

function holds(cond: Condition, ctx: FlowContext, accountExists: (n: string) => boolean): boolean {
  if ('accountExists' in cond) {
    const v = ctx.attributes[cond.accountExists];
    return typeof v === 'string' && v.length > 0 && accountExists(v);
  }
  const v = ctx.attributes[cond.attribute];
  if ('equals' in cond) return v === cond.equals || (v !== null && v !== undefined && String(v) === String(cond.equals));
  if ('in' in cond) return cond.in.some((x) => String(x) === String(v));
  return cond.exists ? v !== undefined && v !== null && v !== '' : v === undefined || v === null || v === '';
}

/** The result a terminal node sets, and the path step that says so. */
export interface ResultParams {
  result: FlowResult;
  step: IvrStep['event'];
  extra?: Partial<IvrStep>;
}

/** The params of `enterNode`, the entry action of every node. */
export interface EnterParams {
  node: string;
  /** A menu, gather or language node: the keys typed ahead were replayed to it. */
  takesKeys?: boolean;
  /** A terminal node's result, set on entry. */
  result?: ResultParams;
}

export function compileFlow(flow: Flow, opts: CompileOptions = {}) {
  const accountExists = opts.accountExists ?? (() => false);
  // Read Date.now at each call, not once here: a machine compiled before fake timers were
  // installed (a module-level flow in a test) must still follow the faked clock.
  const clock = opts.now ?? (() => Date.now());
  const gathers = new Map(Object.entries(flow.nodes).filter((e): e is [string, NodeOf<'gather'>] => e[1].kind === 'gather'));
  const menus = new Map(Object.entries(flow.nodes).filter((e): e is [string, NodeOf<'menu'>] => e[1].kind === 'menu'));
  const languages = new Map(Object.entries(flow.nodes).filter((e): e is [string, NodeOf<'language'>] => e[1].kind === 'language'));
  const hours = new Map(Object.entries(flow.nodes).filter((e): e is [string, NodeOf<'hours'>] => e[1].kind === 'hours'));
  const gather = (ctx: FlowContext): NodeOf<'gather'> => gathers.get(ctx.node) as NodeOf<'gather'>;

  const machineSetup = setup({
    types: {
      context: {} as FlowContext,
      events: {} as FlowEvent,
      input: {} as FlowInput,
      output: {} as FlowOutput,
    },
    actors: {
      // Placeholders: a session MUST provide real ones (see session.ts). Failing loudly beats a silent IVR.
      answer: fromMediaStep<void, { callId: string }>(async () => {
        throw new Error('IVR actor "answer" was not provided');
      }),
      play: fromMediaStep<PlaybackResult, { callId: string; prompt: Prompt }>(async () => {
        throw new Error('IVR actor "play" was not provided');
      }),
      record: fromMediaStep<{ recording: string | null }, { callId: string; maxSeconds: number; name: string }>(async () => ({ recording: null })),
      transfer: fromMediaStep<void, { callId: string; to: string }>(async () => {
        throw new Error('IVR actor "transfer" was not provided');
      }),
      hangup: fromMediaStep<void, { callId: string }>(async () => {
        throw new Error('IVR actor "hangup" was not provided');
      }),
    },
    guards: {
      keyIs: ({ event }, p: { key: string }) => event.type === 'DTMF' && event.digit === p.key,
      failuresLeft: ({ context }, p: { retries: number }) => context.failures < p.retries,
      condition: ({ context }, p: { when: Condition }) => holds(p.when, context, accountExists),
      isOpen: ({ context }) => isOpenAt(hours.get(context.node) as NodeOf<'hours'>, new Date(clock())),
      isFinishKey: ({ context, event }) => event.type === 'DTMF' && event.digit === gather(context).finishKey,
      reachesMax: ({ context }) => context.digits.length + 1 >= gather(context).maxDigits,
      noDigits: ({ context }) => context.digits.length === 0,
      digitsValid: ({ context }) => {
        const g = gather(context);
        const d = context.digits;
        return d.length >= g.minDigits && d.length <= g.maxDigits && (!g.pattern || new RegExp(g.pattern).test(d));
      },
      isLanguageKey: ({ context, event }) => event.type === 'DTMF' && Object.hasOwn(languages.get(context.node)?.options ?? {}, event.digit),
    },
    actions: {
      // One assign per node entered (each assign copies the machine snapshot): a node that
      // takes keys drops the type-ahead just replayed to it, a terminal node sets its result.
      enterNode: assign(({ context }, p: EnterParams) => {
        const path = [...context.path, step(p.node, 'entered')];
        const update: Partial<FlowContext> = { node: p.node, failures: 0, digits: '', path };
        if (p.takesKeys) update.typeahead = '';
        if (p.result) {
          update.result = p.result.result;
          path.push(step(p.node, p.result.step, p.result.extra));
        }
        return update;
      }),
      /**
       * Keys pressed before this node collected anything are replayed to it, in order,
       * then `REPLAYED` (see `replayThen` in nodes/index.ts). Runs before the assign that
       * clears `typeahead` (`enterNode` with `takesKeys`, `resetAttempt`).
       */
      replayTypeahead: enqueueActions(({ context, enqueue }) => {
        for (const digit of context.typeahead) enqueue.raise({ type: 'DTMF', digit });
        enqueue.raise({ type: 'REPLAYED' });
      }),
      bufferKey: assign({ typeahead: ({ context, event }) => (event.type === 'DTMF' ? (context.typeahead + event.digit).slice(-32) : context.typeahead) }),
      recordKey: assign({ path: ({ context, event }) => [...context.path, step(context.node, 'key', { key: event.type === 'DTMF' ? event.digit : '' })] }),
      // One assigner per action, not one per property: the worst case of the IVR bench runs this on every key.
      recordInvalid: assign(({ context, event }) => ({
        failures: context.failures + 1,
        path: [...context.path, step(context.node, 'invalid', event.type === 'DTMF' && !gathers.get(context.node)?.sensitive ? { key: event.digit } : undefined)],
      })),
      recordNoInput: assign(({ context }) => ({ failures: context.failures + 1, path: [...context.path, step(context.node, 'no-input')] })),
      appendDigit: assign({ digits: ({ context, event }) => (event.type === 'DTMF' ? context.digits + event.digit : context.digits) }),
      resetAttempt: assign({ digits: '', typeahead: '' }),
      storeGathered: assign(({ context }) => {
        const g = gather(context);
        const sensitive = g.sensitive ? [...new Set([...context.sensitive, g.attribute])] : context.sensitive;
        return {
          attributes: { ...context.attributes, [g.attribute]: context.digits },
          sensitive,
          path: [...context.path, step(context.node, 'gathered', { attribute: g.attribute, value: g.sensitive ? MASK : context.digits })],
        };
      }),
      recordBranch: assign(({ context }, p: { next: string }) => ({ path: [...context.path, step(context.node, 'branched', { value: p.next })] })),
      setLanguage: assign(({ context, event }) => {
        const lang = event.type === 'DTMF' ? languages.get(context.node)?.options[event.digit] : undefined;
        return lang ? { language: lang, path: [...context.path, step(context.node, 'language', { value: lang })] } : {};
      }),
      setResult: assign(({ context }, p: ResultParams) => ({
        result: p.result,
        path: [...context.path, step(context.node, p.step, p.extra)],
      })),
      setCallbackResult: assign(({ context }, p: { queue: string; number: 'ani' | { attribute: string } }) => {
        const raw = p.number === 'ani' ? context.attributes['ani'] : context.attributes[p.number.attribute];
        return {
          result: { outcome: 'callback' as const, queue: p.queue, number: raw === null || raw === undefined ? '' : String(raw) },
          path: [...context.path, step(context.node, 'callback', { queue: p.queue })],
        };
      }),
      setVoicemailResult: assign(({ context, event }, p: { queue: string; kept?: boolean }) => {
        const out = (event as { output?: { recording?: string | null } }).output;
        // kept: the caller hung up mid-message; the PBX keeps what it recorded under our name.
        const recording = out?.recording ?? (p.kept ? voicemailName(context.callId) : null);
        return {
          result: { outcome: 'voicemail' as const, queue: p.queue, recording },
          path: [...context.path, step(context.node, 'voicemail', { queue: p.queue })],
        };
      }),
      resultFailed: assign(({ event }) => ({ result: { outcome: 'failed' as const, error: (event as { error?: unknown }).error ?? null } })),
      resultCallerHangup: assign(({ context }) => ({ result: { outcome: 'caller-hangup' as const }, path: [...context.path, step(context.node, 'hangup')] })),
    },
    delays: {
      menuNoInput: ({ context }) => menus.get(context.node)?.noInput.timeoutMs ?? 5_000,
      languageTimeout: ({ context }) => languages.get(context.node)?.timeoutMs ?? 5_000,
      gatherDigit: ({ context }) => (context.digits.length === 0 ? gather(context).firstDigitTimeoutMs : gather(context).interDigitTimeoutMs),
      gatherOverall: ({ context }) => gather(context).overallTimeoutMs,
    },
  });

  const env: CompileEnv = { flow, target: (id) => `#flow.node-${id}` };
  const nodeStates = Object.fromEntries(Object.entries(flow.nodes).map(([id, node]) => [`node-${id}`, compileNode(id, node, env)]));

  return machineSetup.createMachine({
    id: 'flow',
    context: ({ input }) => ({
      callId: input.callId,
      language: flow.defaultLanguage,
      attributes: { ...(input.attributes ?? {}) } as Record<string, AttributeValue>,
      sensitive: [],
      path: [],
      node: '',
      failures: 0,
      digits: '',
      typeahead: '',
      result: null,
    }),
    initial: 'answering',
    on: {
      HANGUP: { target: '.callerHungUp', actions: 'resultCallerHangup' },
      // No node is collecting right now (a play node, answering): keep the key for the next one.
      DTMF: { actions: 'bufferKey' },
    },
    states: {
      answering: {
        invoke: {
          src: 'answer',
          input: ({ context }: { context: FlowContext }) => ({ callId: context.callId }),
          onDone: env.target(flow.start),
          onError: { target: 'failed', actions: 'resultFailed' },
        },
      },
      ...(nodeStates as Record<string, object>),
      done: { type: 'final' },
      callerHungUp: { type: 'final' },
      failed: { type: 'final' },
    } as never,
    output: ({ context }): FlowOutput => ({
      ...(context.result ?? { outcome: 'failed', error: new Error('the flow ended without a result') }),
      path: context.path,
      attributes: shownAttributes(context),
      language: context.language,
    }),
  });
}

export type FlowMachine = ReturnType<typeof compileFlow>;
