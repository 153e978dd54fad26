/**
 * Media on a parked caller: prompts and music on hold, each a `sendmsg <uuid>` with
 * `call-command: execute`, `execute-app-name: playback` (mod_dptools) and our own
 * `Event-UUID`. The park loop runs queued messages in order; FreeSWITCH echoes our
 * Event-UUID as `Application-UUID` in CHANNEL_EXECUTE (it started) and
 * CHANNEL_EXECUTE_COMPLETE (it ended; `Application-Response` is `FILE PLAYED`, or
 * `FILE NOT FOUND` / `PLAYBACK ERROR`). PLAYBACK_START/STOP do not carry that id, so
 * they are not used.
 *
 * Stopping: `uuid_break <uuid>` stops what is playing now (barge-in: anything queued
 * after it still plays); `uuid_break <uuid> all` also drops what is queued (before a
 * bridge or a transfer). A break is only sent for media we saw start: a break with
 * nothing playing would stop the next prompt instead. Media stopped before it
 * started is broken as soon as its CHANNEL_EXECUTE arrives.
 *
 * The channel should have `playback_terminators=none` (set by the dialplan): the
 * playback application's default terminator `*` would end a prompt on its own,
 * while Switchboard decides about barge-in itself. Digits arrive as DTMF events
 * either way.
 */
import { randomUUID } from 'node:crypto';
import type { PlaybackResult, Prompt } from '../adapter.js';
import { AdapterError, isCallGone } from '../errors.js';
import type { FreeSwitchAdapter } from './freeswitch-adapter.js';
import { promptMedia } from './prompts.js';
import type { CallState, PendingMedia } from './state.js';

export async function play(h: FreeSwitchAdapter, callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
  const call = h.liveCall(callId);
  if (signal.aborted) return { completed: false };
  let file: string | null;
  try {
    file = promptMedia(prompt, h.opts.prompts);
  } catch (err) {
    throw new AdapterError('INVALID_REQUEST', `prompt ${prompt.id} cannot be rendered: ${(err as Error).message}`, { adapterId: h.id, cause: err });
  }
  if (!file) {
    throw new AdapterError('INVALID_REQUEST', `no media for prompt ${prompt.id}: set prompt media, adapters[].prompts.sounds, .urlTemplate or .switchboardUrl`, { adapterId: h.id });
  }
  const { pm, done } = track(h, call, 'prompt');
  const onAbort = (): void => stop(h, pm);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await execute(h, call, pm, file);
  } catch (err) {
    signal.removeEventListener('abort', onAbort);
    pm.settle({ completed: false });
    forget(h, pm);
    // The caller hung up while the command was on its way: like a hangup during the
    // playback, it ends unfinished (a call already gone when play() was called rejects above).
    if (pm.stopped || signal.aborted || isCallGone(err)) return { completed: false };
    throw err;
  }
  try {
    return await done;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Music on hold until `signal` aborts; resolves once FreeSWITCH queued it. */
export async function hold(h: FreeSwitchAdapter, callId: string, signal: AbortSignal): Promise<void> {
  const call = h.liveCall(callId);
  if (signal.aborted) return;
  const { pm } = track(h, call, 'hold');
  try {
    await execute(h, call, pm, h.opts.mohSound);
  } catch (err) {
    forget(h, pm);
    throw err;
  }
  if (signal.aborted) stop(h, pm);
  else signal.addEventListener('abort', () => stop(h, pm), { once: true });
}

function track(h: FreeSwitchAdapter, call: CallState, kind: PendingMedia['kind']): { pm: PendingMedia; done: Promise<PlaybackResult> } {
  let settle!: (r: PlaybackResult | Error) => void;
  const done = new Promise<PlaybackResult>((resolve, reject) => {
    settle = (r) => (r instanceof Error ? reject(r) : resolve(r));
  });
  // A CHANNEL_EXECUTE_COMPLETE can settle it before the +OK of sendmsg (while we still await it).
  done.catch(() => {});
  let settled = false;
  const pm: PendingMedia = {
    id: randomUUID(),
    callId: call.id,
    kind,
    started: false,
    stopped: false,
    seq: h.state.nextSeq(),
    settle: (r) => {
      if (settled) return;
      settled = true;
      settle(r);
    },
  };
  h.state.media.set(pm.id, pm);
  call.media.add(pm.id);
  return { pm, done };
}

function execute(h: FreeSwitchAdapter, call: CallState, pm: PendingMedia, file: string): Promise<void> {
  if (/[\r\n]/.test(file)) throw new AdapterError('INVALID_REQUEST', `media with a line break: ${JSON.stringify(file)}`, { adapterId: h.id });
  return h.sendmsg(call.id, {
    'call-command': 'execute',
    'execute-app-name': 'playback',
    'execute-app-arg': file,
    // Later messages wait until this one is taken: queued media stays in order.
    'event-lock': 'true',
    'Event-UUID': pm.id,
  });
}

/** Stops one media (barge-in, abort): now if it plays, else as soon as it starts. */
function stop(h: FreeSwitchAdapter, pm: PendingMedia): void {
  if (pm.stopped) return;
  pm.stopped = true;
  pm.settle({ completed: false });
  if (pm.started && h.state.media.has(pm.id)) void breakMedia(h, pm.callId, false);
}

/** CHANNEL_EXECUTE with our Event-UUID: it plays now. */
export function mediaStarted(h: FreeSwitchAdapter, id: string): void {
  const pm = h.state.media.get(id);
  if (!pm || pm.started) return;
  pm.started = true;
  if (pm.stopped) void breakMedia(h, pm.callId, false);
}

/** CHANNEL_EXECUTE_COMPLETE with our Event-UUID: it ended, to its end or broken. */
export function mediaFinished(h: FreeSwitchAdapter, id: string, response: string): void {
  const pm = h.state.media.get(id);
  if (!pm) return;
  forget(h, pm);
  if (pm.stopped) pm.settle({ completed: false });
  else if (response === 'FILE NOT FOUND' || response === 'PLAYBACK ERROR') {
    pm.settle(new AdapterError('PBX_REJECTED', `FreeSWITCH could not play the prompt (${response})`, { adapterId: h.id }));
  } else pm.settle({ completed: true });
}

/** Stops everything playing or queued for a caller (before a bridge or a transfer). */
export async function stopMedia(h: FreeSwitchAdapter, call: CallState): Promise<void> {
  let needBreak = false;
  for (const id of [...call.media]) {
    const pm = h.state.media.get(id);
    if (!pm) continue;
    // Queued (to be dropped), or playing and not broken yet.
    if (!pm.started || !pm.stopped) needBreak = true;
    pm.stopped = true;
    pm.settle({ completed: false });
    forget(h, pm);
  }
  if (needBreak) await breakMedia(h, call.id, true);
}

/** The call ended: its media ends unfinished. */
export function endMedia(h: FreeSwitchAdapter, call: CallState): void {
  for (const id of [...call.media]) {
    const pm = h.state.media.get(id);
    if (!pm) continue;
    pm.settle({ completed: false });
    forget(h, pm);
  }
}

/**
 * A resync found the caller's channel running `application`. Anything but
 * `playback` means the media we queued before the snapshot is over (the park loop
 * runs queued messages as soon as it can), its end lost with the old socket.
 */
export function mediaLost(h: FreeSwitchAdapter, call: CallState, application: string, before: number): void {
  if (application === 'playback') return;
  for (const id of [...call.media]) {
    const pm = h.state.media.get(id);
    if (!pm || pm.seq > before) continue;
    pm.settle({ completed: !pm.stopped });
    forget(h, pm);
  }
}

function forget(h: FreeSwitchAdapter, pm: PendingMedia): void {
  h.state.media.delete(pm.id);
  h.state.calls.get(pm.callId)?.media.delete(pm.id);
}

async function breakMedia(h: FreeSwitchAdapter, callId: string, all: boolean): Promise<void> {
  await h.bgapi(`uuid_break ${callId}${all ? ' all' : ''}`, { callId }).catch((err: unknown) => {
    if (!isCallGone(err)) h.log.warn({ err, callId }, 'stopping media failed');
  });
}
