/** One compiler per node kind; each returns the XState config of that node's state. */
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
  return {
    src: 'play',
    input: ({ context }: { context: FlowContext }) => ({
      callId: context.callId,
      prompt: resolvePrompt(spec, promptId, language ?? context.language, env.flow.defaultLanguage),
    }),
    onDone: next,
    // A prompt that fails to play must not strand the caller: carry on.
    onError: next,
  };
}

export const enter = (id: string) => ({ type: 'enterNode', params: { node: id } });

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
