/**
 * Media on a caller's channel: prompts (POST /channels/{id}/play/{playbackId},
 * stopped on barge-in with DELETE /playbacks/{id}) and music on hold
 * (POST/DELETE /channels/{id}/moh), from channels.json and playbacks.json.
 *
 * Playback ids are ours, chosen before the request, so a PlaybackStarted or
 * PlaybackFinished that arrives before the 201 (Asterisk 22 does that) finds its
 * playback already registered.
 */
import { randomUUID } from 'node:crypto';
import type { PlaybackResult, Prompt } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { AriRestClient } from './ari/rest-client.js';
import type { AdapterLog, AsteriskAdapterOptions } from './options.js';
import { promptMedia } from './prompts.js';
import type { AdapterState, CallState, PendingPlayback } from './state.js';

/** What media operations need from the adapter. `liveCall` MUST throw CALL_GONE for an unknown or ended call. */
export interface MediaHost {
  readonly id: string;
  readonly rest: AriRestClient;
  readonly state: AdapterState;
  readonly opts: AsteriskAdapterOptions;
  readonly log: AdapterLog;
  liveCall(callId: string): CallState;
  commandError(err: unknown, callId: string): unknown;
}

const ignoreGone = (err: unknown): void => {
  if (err instanceof AdapterError && (err.httpStatus === 404 || err.httpStatus === 409)) return;
  throw err;
};

export async function play(h: MediaHost, callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
  const call = h.liveCall(callId);
  if (signal.aborted) return { completed: false };
  let media: string | null;
  try {
    media = promptMedia(prompt, h.opts.prompts);
  } catch (err) {
    throw new AdapterError('INVALID_REQUEST', `prompt ${prompt.id} cannot be rendered: ${(err as Error).message}`, { adapterId: h.id, cause: err });
  }
  if (!media) {
    throw new AdapterError('INVALID_REQUEST', `no media for prompt ${prompt.id}: set prompt media, adapters[].prompts.sounds, .urlTemplate or .switchboardUrl`, { adapterId: h.id });
  }
  const id = randomUUID();
  let settle!: (r: PlaybackResult | Error) => void;
  const done = new Promise<PlaybackResult>((resolve, reject) => {
    settle = (r) => (r instanceof Error ? reject(r) : resolve(r));
  });
  // A PlaybackFinished "failed" can arrive before the 201 (while we still await it): not unhandled.
  done.catch(() => {});
  const pb: PendingPlayback = {
    id,
    callId,
    stopped: false,
    settle: (r) => {
      if (!h.state.playbacks.has(id)) return;
      h.state.playbacks.delete(id);
      h.state.calls.get(callId)?.playbacks.delete(id);
      settle(r);
    },
  };
  h.state.playbacks.set(id, pb);
  call.playbacks.add(id);
  const lang = prompt.language ?? h.opts.prompts.language;
  const started = h.rest.call('POST /channels/{channelId}/play/{playbackId}', {
    path: { channelId: callId, playbackId: id },
    query: { media, ...(lang ? { lang } : {}) },
  });
  const onAbort = (): void => {
    pb.stopped = true;
    pb.settle({ completed: false });
    // Stop it once Asterisk has it (a DELETE before the play would miss it).
    void started.then(
      () => stopPlayback(h, id),
      () => {},
    );
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await started;
  } catch (err) {
    signal.removeEventListener('abort', onAbort);
    pb.settle({ completed: false });
    if (pb.stopped || signal.aborted) return { completed: false };
    // The caller hung up while the play request was on its way: like a hangup
    // during the playback, it ends unfinished (a call already gone when play()
    // was called rejects with CALL_GONE above).
    const gone = h.commandError(err, callId);
    if (gone instanceof AdapterError && gone.code === 'CALL_GONE') return { completed: false };
    throw gone;
  }
  try {
    return await done;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Stops a playback (barge-in). A playback that already ended (404) is fine. */
export async function stopPlayback(h: MediaHost, playbackId: string): Promise<void> {
  await h.rest.call('DELETE /playbacks/{playbackId}', { path: { playbackId } }).catch((err: unknown) => {
    if (err instanceof AdapterError && err.httpStatus === 404) return;
    h.log.warn({ err, playbackId }, 'stopping a playback failed');
  });
}

/** A PlaybackFinished (or our own end of the call) settles the pending playback. */
export function playbackFinished(h: MediaHost, playbackId: string, state: string, mediaUri: string): void {
  const pb = h.state.playbacks.get(playbackId);
  if (!pb) return;
  if (pb.stopped) pb.settle({ completed: false });
  else if (state === 'failed') pb.settle(new AdapterError('PBX_REJECTED', `Asterisk could not play ${mediaUri}`, { adapterId: h.id }));
  else pb.settle({ completed: true });
}

export async function hold(h: MediaHost, callId: string, signal: AbortSignal): Promise<void> {
  const call = h.liveCall(callId);
  if (signal.aborted) return;
  await h.rest
    .call('POST /channels/{channelId}/moh', { path: { channelId: callId }, query: h.opts.mohClass ? { mohClass: h.opts.mohClass } : {} }, { idempotent: true })
    .catch((err: unknown) => {
      throw h.commandError(err, callId);
    });
  call.moh = true;
  const stop = (): void => {
    if (!call.moh || call.ended) return;
    call.moh = false;
    void h.rest.call('DELETE /channels/{channelId}/moh', { path: { channelId: callId } }).catch((err: unknown) => {
      try {
        ignoreGone(err);
      } catch {
        h.log.warn({ err, callId }, 'stopping music on hold failed');
      }
    });
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
}

/** Stops everything playing to a caller (before a bridge or a transfer). */
export async function stopMedia(h: MediaHost, call: CallState): Promise<void> {
  const work: Array<Promise<void>> = [];
  for (const id of [...call.playbacks]) {
    const pb = h.state.playbacks.get(id);
    if (!pb) continue;
    pb.stopped = true;
    pb.settle({ completed: false });
    work.push(stopPlayback(h, id));
  }
  if (call.moh) {
    call.moh = false;
    work.push(h.rest.call('DELETE /channels/{channelId}/moh', { path: { channelId: call.id } }).catch(ignoreGone));
  }
  await Promise.all(work);
}

/** The call ended: its playbacks end unfinished. */
export function endMedia(h: MediaHost, call: CallState): void {
  for (const id of [...call.playbacks]) h.state.playbacks.get(id)?.settle({ completed: false });
  call.moh = false;
}
