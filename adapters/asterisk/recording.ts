/**
 * Recording the caller (the IVR's voicemail): POST /channels/{channelId}/record
 * (channels.json) with `terminateOn=#` and `maxDurationSeconds`; Asterisk ends it
 * on `#`, at the limit, or on hangup with RecordingFinished, or RecordingFailed
 * (events.json); our abort stops it with POST /recordings/live/{name}/stop
 * (recordings.json). The reference returned is the stored recording's media URI,
 * `recording:NAME` (playable with /play, fetched with GET /recordings/stored/NAME/file).
 */
import { randomUUID } from 'node:crypto';
import { AdapterError } from '../errors.js';
import type { AsteriskAdapter } from './asterisk-adapter.js';

export interface PendingRecording {
  name: string;
  callId: string;
  settle(kept: boolean): void;
}

export async function record(h: AsteriskAdapter, callId: string, opts: { maxSeconds: number }, signal: AbortSignal): Promise<{ recording: string | null }> {
  const call = h.liveCall(callId);
  if (signal.aborted) return { recording: null };
  // No '/' in the name: it travels as a path segment in /recordings/live/{recordingName}.
  const name = `switchboard-${randomUUID()}`;
  let settle!: (kept: boolean) => void;
  const done = new Promise<boolean>((resolve) => (settle = resolve));
  h.state.recordings.set(name, {
    name,
    callId,
    settle: (kept) => {
      if (h.state.recordings.delete(name)) settle(kept);
    },
  });
  call.recordings.add(name);
  const stop = (): void => {
    void h.rest.call('POST /recordings/live/{recordingName}/stop', { path: { recordingName: name } }).catch((err: unknown) => {
      if (!(err instanceof AdapterError && err.httpStatus === 404)) h.log.warn({ err, name }, 'stopping a recording failed');
    });
  };
  const started = h.rest.call('POST /channels/{channelId}/record', {
    path: { channelId: callId },
    query: { name, format: 'wav', maxDurationSeconds: Math.max(1, Math.round(opts.maxSeconds)), ifExists: 'fail', beep: true, terminateOn: '#' },
  });
  // An abort while the request is on its way stops the recording once Asterisk has it.
  const onAbort = (): void => void started.then(stop, () => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await started;
  } catch (err) {
    signal.removeEventListener('abort', onAbort);
    h.state.recordings.delete(name);
    call.recordings.delete(name);
    throw h.commandError(err, callId);
  }
  try {
    return { recording: (await done) ? `recording:${name}` : null };
  } finally {
    signal.removeEventListener('abort', onAbort);
    call.recordings.delete(name);
  }
}

/** RecordingFinished / RecordingFailed settle the pending recording. */
export function recordingEnded(h: AsteriskAdapter, name: string, kept: boolean): void {
  h.state.recordings.get(name)?.settle(kept);
}
