/**
 * menu: play the options; a key chooses. No input for `noInput.timeoutMs` after
 * the prompt, or a key that is no option, is a failure: after `retries` failures
 * the caller goes to `fallback`. Keys count while any of the menu's prompts plays.
 */
import type { NodeOf } from '../schema.js';
import { enter, playInvoke, replayThen, type CompileEnv, type StateConfig } from './index.js';

export function compileMenu(id: string, node: NodeOf<'menu'>, env: CompileEnv): StateConfig {
  const fallback = env.target(node.fallback);
  const retry = { type: 'failuresLeft', params: { retries: node.retries } };
  return {
    entry: ['replayTypeahead', enter(id, { takesKeys: true })],
    initial: 'replaying',
    on: {
      DTMF: [
        ...Object.entries(node.options).map(([key, to]) => ({
          guard: { type: 'keyIs', params: { key } },
          target: env.target(to),
          // An option naming the menu itself ("press 9 to repeat") enters it again: without
          // `reenter` XState v5 stays in the node, skipping its entry (failures, path, type-ahead).
          ...(to === id ? { reenter: true } : {}),
          actions: 'recordKey',
        })),
        { guard: retry, target: '.invalid', actions: 'recordInvalid' },
        { target: fallback, actions: 'recordInvalid' },
      ],
    },
    states: {
      ...replayThen('prompting'),
      prompting: { invoke: playInvoke(env, `${id}.prompt`, node.prompt, 'waiting') },
      waiting: {
        after: {
          menuNoInput: [
            { guard: retry, target: node.noInput.prompt ? 'noInput' : 'prompting', actions: 'recordNoInput' },
            { target: fallback, actions: 'recordNoInput' },
          ],
        },
      },
      invalid: { invoke: playInvoke(env, `${id}.invalid`, node.invalid.prompt, 'prompting') },
      ...(node.noInput.prompt ? { noInput: { invoke: playInvoke(env, `${id}.noInput`, node.noInput.prompt, 'prompting') } } : {}),
    },
  };
}
