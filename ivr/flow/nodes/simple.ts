/** play, branch, hours and language: nodes that pass the caller on. */
import type { NodeOf } from '../schema.js';
import { enter, playInvoke, replayThen, type CompileEnv, type StateConfig } from './index.js';

/**
 * play: a prompt, then `next`. Keys pressed meanwhile are kept for the next menu or
 * gather; with `bargeIn` (the default) the first key also cuts the prompt short.
 */
export function compilePlay(id: string, node: NodeOf<'play'>, env: CompileEnv): StateConfig {
  const next = env.target(node.next);
  return {
    entry: [enter(id)],
    invoke: playInvoke(env, `${id}.prompt`, node.prompt, next),
    ...(node.bargeIn ? { on: { DTMF: { target: next, actions: 'bufferKey' } } } : {}),
  };
}

/** branch: the first rule whose condition holds on the call's attributes, else `default`. */
export function compileBranch(id: string, node: NodeOf<'branch'>, env: CompileEnv): StateConfig {
  return {
    entry: [enter(id)],
    always: [
      ...node.rules.map((r) => ({
        guard: { type: 'condition', params: { when: r.when } },
        target: env.target(r.next),
        actions: { type: 'recordBranch', params: { next: r.next } },
      })),
      { target: env.target(node.default), actions: { type: 'recordBranch', params: { next: node.default } } },
    ],
  };
}

/** hours: `open` or `closed` by the schedule in its time zone, holidays first. */
export function compileHours(id: string, node: NodeOf<'hours'>, env: CompileEnv): StateConfig {
  return {
    entry: [enter(id)],
    always: [
      { guard: 'isOpen', target: env.target(node.open), actions: { type: 'recordBranch', params: { next: node.open } } },
      { target: env.target(node.closed), actions: { type: 'recordBranch', params: { next: node.closed } } },
    ],
  };
}

/**
 * language: the prompt plays in each of the flow's languages in turn (a caller who
 * needs Japanese must hear the Japanese offer); a key picks the language at any
 * time; no key (or another) keeps the default.
 */
export function compileLanguage(id: string, node: NodeOf<'language'>, env: CompileEnv): StateConfig {
  const next = env.target(node.next);
  const langs = env.flow.languages;
  const prompts = Object.fromEntries(
    langs.map((lang, i) => [`prompt-${i}`, { invoke: playInvoke(env, `${id}.prompt`, node.prompt, i + 1 < langs.length ? `prompt-${i + 1}` : 'waiting', lang) }]),
  );
  return {
    entry: ['replayTypeahead', enter(id, { takesKeys: true })],
    initial: 'replaying',
    on: { DTMF: [{ guard: 'isLanguageKey', target: next, actions: 'setLanguage' }, { actions: [] }] },
    states: { ...replayThen('prompt-0'), ...prompts, waiting: { after: { languageTimeout: next } } },
  };
}
