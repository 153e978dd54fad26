/** What a queued caller hears: an announcement, then music on hold, again every interval. */
import type { Logger } from 'pino';
import type { CallControl, Prompt } from '../../adapters/adapter.js';
import { isCallGone } from '../../adapters/errors.js';

export const HOLD_PROMPT: Prompt = {
  id: 'queue.hold',
  text: 'All our agents are busy. Please hold, and the next available agent will take your call.',
};

/** Starts the hold loop; abort the returned controller to stop it (agent answered, caller gone). */
export function startHold(pbx: CallControl, callId: string, intervalMs: number, log: Logger): AbortController {
  const ctl = new AbortController();
  const loop = async (): Promise<void> => {
    while (!ctl.signal.aborted) {
      await pbx.play(callId, HOLD_PROMPT, ctl.signal);
      if (ctl.signal.aborted) return;
      const music = new AbortController();
      const stopMusic = (): void => music.abort();
      ctl.signal.addEventListener('abort', stopMusic, { once: true });
      await pbx.hold(callId, music.signal);
      await new Promise<void>((resolve) => {
        // Aborted while the music was starting: an abort listener added now would never fire.
        if (ctl.signal.aborted) return resolve();
        const t = setTimeout(done, intervalMs);
        function done(): void {
          clearTimeout(t);
          ctl.signal.removeEventListener('abort', done);
          resolve();
        }
        ctl.signal.addEventListener('abort', done, { once: true });
      });
      music.abort();
      ctl.signal.removeEventListener('abort', stopMusic);
    }
  };
  loop().catch((err: unknown) => {
    if (!isCallGone(err)) log.warn({ err, callId }, 'hold media failed');
  });
  return ctl;
}
