/**
 * Prompts and hold on a Twilio call. Neither reaches Twilio when asked for: a prompt
 * is queued for the call's next document (nested in a `<Gather>`, or in the queue's
 * wait document), and hold puts the caller in their Twilio queue (`<Enqueue>`) at
 * the next document, with music in its wait documents (documents.ts).
 */
import type { PlaybackResult, Prompt } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { promptVerb } from './prompts.js';
import type { CallerState, PlayHandle } from './state.js';
import type { TwilioAdapter } from './twilio-adapter.js';

/**
 * Queues the prompt; resolves when the callback of the document that carried it
 * comes (`completed: false` when a key cut it). An abort before it is sent takes it
 * back; after, Twilio plays it to its end or to the caller's first key (only a
 * redirect of the live call could stop it), but `play()` resolves `{ completed: false }` at once.
 */
export function play(h: TwilioAdapter, callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
  let call: CallerState;
  let verb: PlayHandle['verb'];
  try {
    call = h.liveCall(callId);
    verb = promptVerb(prompt, h.opts.prompts);
  } catch (err) {
    if (err instanceof AdapterError) return Promise.reject(err);
    return Promise.reject(new AdapterError('INVALID_REQUEST', `prompt ${prompt.id} cannot be played: ${(err as Error).message}`, { adapterId: h.id, cause: err }));
  }
  if (signal.aborted) return Promise.resolve({ completed: false });
  return new Promise<PlaybackResult>((resolve) => {
    const onAbort = (): void => {
      const i = call.queue.findIndex((q) => q.kind === 'prompt' && q.handle === handle);
      if (i !== -1) call.queue.splice(i, 1);
      handle.settle({ completed: false });
    };
    const handle: PlayHandle = {
      promptId: prompt.id,
      verb,
      settled: false,
      settle: (r) => {
        if (handle.settled) return;
        handle.settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
    };
    call.queue.push({ kind: 'prompt', handle });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The caller waits in their Twilio queue with music until `signal` aborts. Resolves once they are in it. */
export async function hold(h: TwilioAdapter, callId: string, signal: AbortSignal): Promise<void> {
  const call = h.liveCall(callId);
  if (signal.aborted) return;
  // Bridged by the agent's <Dial><Queue>: music would need the caller out of the bridge. The
  // agent's phone holds the call instead (the softphone does so with call waiting).
  if (call.bridgedLeg !== null) {
    throw new AdapterError('PBX_REJECTED', `Twilio cannot play music to a caller bridged to an agent (call ${callId}); the agent's phone holds the call`, { adapterId: h.id });
  }
  call.holds++;
  signal.addEventListener('abort', () => (call.holds = Math.max(0, call.holds - 1)), { once: true });
  if (call.inQueue) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      call.queueWaiters.delete(done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.queueWaiters.add(done);
    signal.addEventListener('abort', done, { once: true });
  });
}
