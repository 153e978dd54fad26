/**
 * gather: collect digits into a call attribute. The first key may interrupt the
 * prompt. Collection ends on the finish key, on `maxDigits`, when no key comes
 * within the first-digit / inter-digit timeout, or when the attempt's overall
 * timeout runs out; then the entry is checked (min/max digits, pattern). An empty
 * entry is a no-input failure, a wrong one an invalid failure; after `retries`
 * failures the caller goes to `fallback`.
 */
import { and } from 'xstate';
import type { NodeOf } from '../schema.js';
import { enter, playInvoke, replayThen, type CompileEnv, type StateConfig } from './index.js';

export function compileGather(id: string, node: NodeOf<'gather'>, env: CompileEnv): StateConfig {
  const self = env.target(id);
  const retry = { type: 'failuresLeft', params: { retries: node.retries } };
  const onKey = [
    { guard: 'isFinishKey', target: `${self}.evaluate` },
    { guard: 'reachesMax', target: `${self}.evaluate`, actions: 'appendDigit' },
    { target: `${self}.attempt.collecting`, reenter: true, actions: 'appendDigit' },
  ];
  return {
    entry: [enter(id)],
    initial: 'attempt',
    states: {
      attempt: {
        entry: ['replayTypeahead', 'resetAttempt'],
        initial: 'replaying',
        // The overall timeout covers one attempt, prompt included.
        after: { gatherOverall: `${self}.evaluate` },
        states: {
          ...replayThen('prompting', { DTMF: onKey }),
          prompting: { invoke: playInvoke(env, `${id}.prompt`, node.prompt, 'collecting'), on: { DTMF: onKey } },
          collecting: { after: { gatherDigit: `${self}.evaluate` }, on: { DTMF: onKey } },
        },
      },
      evaluate: {
        always: [
          // A gather whose `next` is itself ("enter another number") enters it again (see menu.ts).
          { guard: 'digitsValid', target: env.target(node.next), ...(node.next === id ? { reenter: true } : {}), actions: 'storeGathered' },
          // `and()`, not `{ type: 'and' }`: XState v5 has no built-in guard by that name (it threw on every failed entry).
          { guard: and(['noDigits', retry]), target: 'noInput', actions: 'recordNoInput' },
          { guard: 'noDigits', target: env.target(node.fallback), actions: 'recordNoInput' },
          { guard: retry, target: 'invalid', actions: 'recordInvalid' },
          { target: env.target(node.fallback), actions: 'recordInvalid' },
        ],
      },
      invalid: { invoke: playInvoke(env, `${id}.invalid`, node.invalid.prompt, 'attempt') },
      noInput: { invoke: playInvoke(env, `${id}.noInput`, node.noInput.prompt, 'attempt') },
    },
  };
}
