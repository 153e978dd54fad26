/**
 * Nodes that end the IVR: queue, callback, voicemail, transfer, hangup. Each may
 * play a prompt first, then sets the flow's result; the connector carries it out
 * (waits in the queue, opens the callback case...).
 */
import { voicemailName, type FlowContext } from '../context.js';
import type { NodeOf } from '../schema.js';
import { enter, playInvoke, type CompileEnv, type StateConfig } from './index.js';

type Terminal = NodeOf<'queue'> | NodeOf<'callback'> | NodeOf<'voicemail'> | NodeOf<'transfer'> | NodeOf<'hangup'>;

/** Plays `prompt` (if any), then goes to `next`. */
function promptThen(id: string, env: CompileEnv, node: Terminal, next: string, states: Record<string, StateConfig> = {}): StateConfig {
  const prompt = 'prompt' in node ? node.prompt : undefined;
  return {
    initial: prompt ? 'prompting' : next,
    states: { ...(prompt ? { prompting: { invoke: playInvoke(env, `${id}.prompt`, prompt, next) } } : {}), ...states },
  };
}

export function compileTerminal(id: string, node: Terminal, env: CompileEnv): StateConfig {
  const done = '#flow.done';
  const callId = ({ context }: { context: FlowContext }) => ({ callId: context.callId });
  switch (node.kind) {
    case 'queue':
      return {
        entry: [enter(id, { result: { result: { outcome: 'queue', queue: node.queue, priority: node.priority }, step: 'routed', extra: { queue: node.queue } } })],
        ...promptThen(id, env, node, 'leaving', { leaving: { always: done } }),
      };
    case 'callback':
      return {
        entry: [enter(id)],
        ...promptThen(id, env, node, 'leaving', {
          leaving: { always: { target: done, actions: { type: 'setCallbackResult', params: { queue: node.queue, number: node.number } } } },
        }),
      };
    case 'voicemail':
      return {
        entry: [enter(id)],
        ...promptThen(id, env, node, 'recording', {
          recording: {
            // Most callers end a message by hanging up, not with #: the message still counts.
            on: { HANGUP: { target: done, actions: { type: 'setVoicemailResult', params: { queue: node.queue, kept: true } } } },
            invoke: {
              src: 'record',
              input: ({ context }: { context: FlowContext }) => ({ callId: context.callId, maxSeconds: node.maxSeconds, name: voicemailName(context.callId) }),
              onDone: { target: done, actions: { type: 'setVoicemailResult', params: { queue: node.queue } } },
              onError: { target: done, actions: { type: 'setVoicemailResult', params: { queue: node.queue } } },
            },
          },
        }),
      };
    case 'transfer': {
      const transferred = { target: done, actions: { type: 'setResult', params: { result: { outcome: 'transfer', to: node.to }, step: 'transferred', extra: { to: node.to } } } };
      return {
        entry: [enter(id)],
        ...promptThen(id, env, node, 'transferring', {
          transferring: {
            // A PBX ends the IVR's call leg when a blind transfer goes through, and may say so
            // (`call.ended` -> HANGUP) before the transfer request resolves: that is the transfer
            // done, not a caller hanging up.
            on: { HANGUP: transferred },
            invoke: {
              src: 'transfer',
              input: ({ context }: { context: FlowContext }) => ({ callId: context.callId, to: node.to }),
              onDone: transferred,
              onError: { target: '#flow.failed', actions: 'resultFailed' },
            },
          },
        }),
      };
    }
    case 'hangup': {
      const hungUp = { target: done, actions: { type: 'setResult', params: { result: { outcome: 'hangup' }, step: 'hangup' } } };
      return {
        entry: [enter(id)],
        ...promptThen(id, env, node, 'hangingUp', {
          hangingUp: {
            // The PBX reports the hangup the IVR asked for (`call.ended` -> HANGUP), usually
            // before the request resolves: the flow's own hangup, not the caller's.
            on: { HANGUP: hungUp },
            invoke: { src: 'hangup', input: callId, onDone: hungUp, onError: hungUp },
          },
        }),
      };
    }
  }
}
