/**
 * Recording the caller (the IVR's voicemail): `uuid_record <uuid> start <path>
 * <limit>` (mod_commands.c session_record: `+OK Success`, `-ERR Cannot locate
 * session!`) puts a recording media bug on the channel; it ends at the limit, on
 * hangup (the file is kept), or with `uuid_record <uuid> stop <path>`, each time
 * with a RECORD_STOP event naming the file (`Record-File-Path`). A media bug does
 * not listen for keys, so the adapter stops it when the caller presses `#`. The
 * reference returned is the file's path on the FreeSWITCH host.
 */
import { AdapterError, isCallGone } from '../errors.js';
import type { FreeSwitchAdapter } from './freeswitch-adapter.js';

export async function record(
  h: FreeSwitchAdapter,
  callId: string,
  opts: { maxSeconds: number; name: string },
  signal: AbortSignal,
): Promise<{ recording: string | null }> {
  const call = h.liveCall(callId);
  if (signal.aborted) return { recording: null };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(opts.name)) {
    throw new AdapterError('INVALID_REQUEST', `not a recording name: ${JSON.stringify(opts.name)}`, { adapterId: h.id });
  }
  const path = `${h.opts.recordingsDir.replace(/\/+$/, '')}/${opts.name}.wav`;
  if (h.state.recordings.has(path)) throw new AdapterError('INVALID_REQUEST', `already recording ${path}`, { adapterId: h.id });
  let settle!: (kept: boolean) => void;
  const done = new Promise<boolean>((resolve) => (settle = resolve));
  h.state.recordings.set(path, {
    path,
    callId,
    settle: (kept) => {
      if (h.state.recordings.delete(path)) settle(kept);
    },
  });
  call.recordings.add(path);
  const limit = Math.max(1, Math.round(opts.maxSeconds));
  const started = h.bgapi(`uuid_record ${callId} start ${path} ${limit}`, { callId });
  // An abort while the command is on its way stops the recording once FreeSWITCH has it.
  const onAbort = (): void => void started.then(() => stopRecording(h, callId, path), () => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await started;
  } catch (err) {
    signal.removeEventListener('abort', onAbort);
    h.state.recordings.delete(path);
    call.recordings.delete(path);
    throw err;
  }
  try {
    return { recording: (await done) ? path : null };
  } finally {
    signal.removeEventListener('abort', onAbort);
    call.recordings.delete(path);
  }
}

function stopRecording(h: FreeSwitchAdapter, callId: string, path: string): void {
  void h.bgapi(`uuid_record ${callId} stop ${path}`, { callId }).catch((err: unknown) => {
    if (!isCallGone(err)) h.log.warn({ err, path }, 'stopping a recording failed');
  });
}

/** RECORD_STOP (or the call's end) settles the recording, its file kept. */
export function recordingStopped(h: FreeSwitchAdapter, path: string): void {
  h.state.recordings.get(path)?.settle(true);
}

/** `#` ends a voicemail message. */
export function stopRecordingsOnHash(h: FreeSwitchAdapter, callId: string): void {
  const call = h.state.calls.get(callId);
  if (!call) return;
  for (const path of call.recordings) if (h.state.recordings.has(path)) stopRecording(h, callId, path);
}
