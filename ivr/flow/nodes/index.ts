/** One compiler per node kind; each returns the XState config of that node's state. */
import type { Prompt } from '../../../adapters/adapter.js';
import type { EnterParams } from '../compile.js';
import type { Flow, FlowNode, PromptSpec } from '../schema.js';
import { resolvePrompt } from '../prompts.js';
import type { FlowContext } from '../context.js';
import { compileGather } from './gather.js';
import { compileMenu } from './menu.js';
import { compileBranch, compileHours, compileLanguage, compilePlay } from './simple.js';
import { compileTerminal } from './terminal.js';

/**
 * A state config fragment. XState's types are inferred from a whole machine
 * config; fragments built here are checked when `compileFlow` assembles them
 * and by the tests that run every node kind.
 */
export type StateConfig = Record<string, unknown>;

export interface CompileEnv {
  flow: Flow;
  /** The absolute target of a node's state. */
  target(id: string): string;
}

/** An invoke of the `play` actor for a prompt, in the caller's language (or in `language`). */
export function playInvoke(env: CompileEnv, promptId: string, spec: PromptSpec, next: unknown, language?: string): StateConfig {
  // Resolved once per language and shared by every call (frozen: adapters only read a prompt).
  const resolved = new Map<string, Readonly<Prompt>>();
  const prompt = (lang: string): Prompt => {
    let p = resolved.get(lang);
    if (!p) resolved.set(lang, (p = Object.freeze(resolvePrompt(spec, promptId, lang, env.flow.defaultLanguage))));
    return p;
  };
  return {
    src: 'play',
    input: ({ context }: { context: FlowContext }) => ({ callId: context.callId, prompt: prompt(language ?? context.language) }),
    onDone: next,
    // A prompt that fails to play must not strand the caller: carry on.
    onError: next,
  };
}

/** The entry action of node `id` (see `enterNode` in compile.ts). */
export const enter = (id: string, more: Omit<EnterParams, 'node'> = {}) => ({ type: 'enterNode', params: { node: id, ...more } satisfies EnterParams });

/**
 * The first state of a node that takes keys (menu, gather attempt, language), whose
 * entry runs `replayTypeahead` and then clears `typeahead` in its own assign. It
 * waits in `replaying` for the keys typed ahead (during a play node): the first of
 * them moves the node on (a menu choice, an invalid key, a digit), and only the
 * `REPLAYED` raised after them starts the prompt when none did. Starting the prompt
 * first would invoke a play actor only for the first replayed key to stop it again:
 * a wasted actor on every barge-in into a menu. `on` handles the replayed keys where
 * the node's own key handlers sit on its substates (gather).
 */
export function replayThen(first: string, on: StateConfig = {}): Record<string, StateConfig> {
  return { replaying: { on: { ...on, REPLAYED: first } } };
}

export function compileNode(id: string, node: FlowNode, env: CompileEnv): StateConfig {
  switch (node.kind) {
    case 'menu':
      return compileMenu(id, node, env);
    case 'gather':
      return compileGather(id, node, env);
    case 'play':
      return compilePlay(id, node, env);
    case 'branch':
      return compileBranch(id, node, env);
    case 'hours':
      return compileHours(id, node, env);
    case 'language':
      return compileLanguage(id, node, env);
    default:
      return compileTerminal(id, node, env);
  }
}
