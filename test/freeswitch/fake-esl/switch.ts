/**
 * The fake FreeSWITCH core: channels, the park loop that runs `sendmsg execute`
 * messages in order, playback, recording media bugs, bridges, and the API
 * commands Switchboard uses, each answering with mod_commands.c's own words.
 * Events go to the server (`emit`), which writes them to the subscribed sockets.
 */
import { randomUUID } from 'node:crypto';
import { wavDurationMs } from '../../asterisk/fake-ari/media.js';
import { channelEvent, nowUs, type EventChannel } from './events.js';

export interface FakeChannel extends EventChannel {
  /** What `show channels` calls `application`: park, playback, bridge, ... */
  application: string;
  applicationData: string;
  /** Queued `sendmsg execute` messages. */
  queue: Array<{ app: string; arg: string; eventUuid: string }>;
  current: { app: string; arg: string; eventUuid: string; timer: NodeJS.Timeout | null } | null;
  /** A uuid_break that found nothing playing: FreeSWITCH keeps CF_BREAK and the next playback ends at once. */
  breakPending: boolean;
  bridgedWith: string | null;
  /** An originate job waiting for this leg: answered, or failed with a cause. */
  originate: ((result: string) => void) | null;
  recordings: Map<string, NodeJS.Timeout>;
  timers: Set<NodeJS.Timeout>;
}

/** Sound files the fake "has installed" (ms). */
export const DEFAULT_SOUNDS: Record<string, number> = {
  'ivr/ivr-welcome.wav': 1_200,
  'ivr/ivr-hold_connect_call.wav': 1_500,
  'short.wav': 20,
  'tone_stream://%(200,0,800)': 200,
};

export type Emit = (headers: Record<string, string>, body?: string) => void;

export class FakeSwitch {
  readonly channels = new Map<string, FakeChannel>();
  readonly sounds: Map<string, number>;
  /** Endpoints whose phone is not registered: originate fails at once, no channel. */
  readonly unregistered = new Set<string>();
  /** Every recording started: path -> how it ended. */
  readonly recorded = new Map<string, 'recording' | 'limit' | 'stopped' | 'hangup'>();
  readonly transfers: Array<{ uuid: string; dest: string; context: string }> = [];
  /** Things Switchboard did that real FreeSWITCH would mind (tests assert none). */
  readonly problems: string[] = [];
  /** uuid_break with nothing playing (a stray break stops the next prompt on a real FreeSWITCH). */
  strayBreaks = 0;

  constructor(
    private readonly emit: Emit,
    sounds: Record<string, number> = {},
  ) {
    this.sounds = new Map(Object.entries({ ...DEFAULT_SOUNDS, ...sounds }));
  }

  // ---- channels ----------------------------------------------------------------

  create(init: Partial<FakeChannel> & Pick<FakeChannel, 'direction' | 'name'>): FakeChannel {
    const ch: FakeChannel = {
      uuid: randomUUID(), state: 'CS_INIT', callState: 'DOWN', answerState: 'ringing', cidNum: '', cidName: '', dest: '', context: 'public',
      createdUs: nowUs(), answeredUs: '0', vars: {}, application: '', applicationData: '', queue: [], current: null, breakPending: false,
      bridgedWith: null, originate: null, recordings: new Map(), timers: new Set(), ...init,
    };
    this.channels.set(ch.uuid, ch);
    this.event('CHANNEL_CREATE', ch, {}, 'switch_core_state_machine_init');
    return ch;
  }

  event(name: string, ch: FakeChannel, extra: Record<string, string> = {}, fn?: string): void {
    this.emit(channelEvent(name, ch, extra, fn));
  }

  park(ch: FakeChannel): void {
    ch.state = 'CS_EXECUTE';
    ch.application = 'park';
    ch.applicationData = '';
    this.event('CHANNEL_PARK', ch, {}, 'switch_ivr_park');
    this.runQueue(ch);
  }

  answer(ch: FakeChannel): void {
    if (ch.answerState === 'answered') return;
    ch.answerState = 'answered';
    ch.callState = 'ACTIVE';
    ch.answeredUs = nowUs();
    this.event('CHANNEL_ANSWER', ch);
  }

  /** Hangs a channel up: CHANNEL_HANGUP, the running app completes, recordings stop, CHANNEL_HANGUP_COMPLETE. */
  hangup(ch: FakeChannel, cause: string): void {
    if (!this.channels.has(ch.uuid)) return;
    this.channels.delete(ch.uuid);
    for (const t of ch.timers) clearTimeout(t);
    ch.state = 'CS_HANGUP';
    ch.callState = 'HANGUP';
    ch.answerState = 'hangup';
    ch.vars.hangup_cause = cause;
    this.event('CHANNEL_HANGUP', ch, { 'Hangup-Cause': cause }, 'switch_channel_perform_hangup');
    if (ch.current) this.complete(ch, 'FILE PLAYED');
    ch.queue = [];
    for (const [path, t] of ch.recordings) {
      clearTimeout(t);
      this.stopRecording(ch, path, 'hangup');
    }
    ch.originate?.(`-ERR ${cause}\n`);
    ch.originate = null;
    ch.state = 'CS_REPORTING';
    this.event('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': cause }, 'switch_core_session_reporting_state');
    const peer = ch.bridgedWith ? this.channels.get(ch.bridgedWith) : undefined;
    if (peer) {
      // uuid_bridge ended: the survivor goes back to its dialplan (Switchboard hangs it up).
      peer.bridgedWith = null;
      peer.application = 'park';
    }
  }

  timer(ch: FakeChannel, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      ch.timers.delete(t);
      fn();
    }, ms);
    ch.timers.add(t);
    return t;
  }

  // ---- the park loop: sendmsg execute ---------------------------------------------

  enqueue(ch: FakeChannel, app: string, arg: string, eventUuid: string): void {
    ch.queue.push({ app, arg, eventUuid });
    // The park loop picks the message up on its next pass, after the +OK went out.
    setImmediate(() => this.runQueue(ch));
  }

  private runQueue(ch: FakeChannel): void {
    if (ch.current || ch.application !== 'park' || !this.channels.has(ch.uuid)) return;
    const next = ch.queue.shift();
    if (!next) return;
    ch.current = { ...next, timer: null };
    ch.application = next.app;
    ch.applicationData = next.arg;
    this.event('CHANNEL_EXECUTE', ch, { Application: next.app, 'Application-Data': next.arg, 'Application-UUID': next.eventUuid, 'Application-UUID-Name': next.app }, 'switch_core_session_exec');
    if (next.app !== 'playback') {
      this.problems.push(`sendmsg execute ${next.app}: the fake models playback only`);
      this.complete(ch, '');
      return;
    }
    if (ch.breakPending) {
      ch.breakPending = false;
      this.complete(ch, 'FILE PLAYED');
      return;
    }
    const current = ch.current;
    void this.durationOf(next.arg).then((ms) => {
      if (ch.current !== current) return;
      if (ms === null) this.complete(ch, 'FILE NOT FOUND');
      else if (ms !== Infinity) current.timer = this.timer(ch, ms, () => this.complete(ch, 'FILE PLAYED'));
    });
  }

  /** The running app returns: CHANNEL_EXECUTE_COMPLETE, then back to park and the next message. */
  complete(ch: FakeChannel, response: string): void {
    const cur = ch.current;
    if (!cur) return;
    if (cur.timer) clearTimeout(cur.timer);
    ch.current = null;
    this.event('CHANNEL_EXECUTE_COMPLETE', ch, {
      Application: cur.app, 'Application-Data': cur.arg, 'Application-Response': response, 'Application-UUID': cur.eventUuid, 'Application-UUID-Name': cur.app,
    }, 'switch_core_session_exec');
    if (!this.channels.has(ch.uuid)) return;
    ch.application = ch.bridgedWith ? 'uuid_bridge' : 'park';
    ch.applicationData = '';
    setImmediate(() => this.runQueue(ch));
  }

  /** How long `playback <file>` plays: Infinity for a stream, null when FreeSWITCH cannot open it. */
  async durationOf(file: string): Promise<number | null> {
    if (file.startsWith('local_stream://')) return Infinity;
    if (file.startsWith('silence_stream://')) return Number(file.slice('silence_stream://'.length)) || 0;
    if (file.startsWith('http_cache://')) {
      try {
        const res = await fetch(file.slice('http_cache://'.length), { signal: AbortSignal.timeout(2_000) });
        if (res.status !== 200) return null;
        return wavDurationMs(Buffer.from(await res.arrayBuffer()));
      } catch {
        return null;
      }
    }
    return this.sounds.get(file) ?? null;
  }

  // ---- recording media bugs -------------------------------------------------------

  startRecording(ch: FakeChannel, path: string, limitSec: number): void {
    this.recorded.set(path, 'recording');
    this.event('RECORD_START', ch, { 'Record-File-Path': path }, 'switch_ivr_record_session_event');
    ch.recordings.set(path, this.timer(ch, limitSec * 1000, () => this.stopRecording(ch, path, 'limit')));
  }

  stopRecording(ch: FakeChannel, path: string, how: 'limit' | 'stopped' | 'hangup'): boolean {
    const t = ch.recordings.get(path);
    if (!t) return false;
    clearTimeout(t);
    ch.recordings.delete(path);
    this.recorded.set(path, how);
    this.event('RECORD_STOP', ch, { 'Record-File-Path': path, 'Record-Completion-Cause': how === 'limit' ? 'max-time' : 'success' }, 'switch_ivr_record_session_event');
    return true;
  }

  // ---- show channels ------------------------------------------------------------------

  showChannels(): string {
    const rows = [...this.channels.values()].map((c) => ({
      uuid: c.uuid, direction: c.direction, created: new Date(Number(c.createdUs.slice(0, -3))).toISOString().slice(0, 19).replace('T', ' '),
      created_epoch: c.createdUs.slice(0, -6), name: c.name, state: c.state, cid_name: c.cidName, cid_num: c.cidNum, ip_addr: '203.0.113.7',
      dest: c.dest, application: c.application, application_data: c.applicationData, dialplan: 'XML', context: c.context, read_codec: 'PCMU',
      read_rate: '8000', read_bit_rate: '64000', write_codec: 'PCMU', write_rate: '8000', write_bit_rate: '64000', secure: '', hostname: 'fs1',
      presence_id: '', presence_data: '', accountcode: '', callstate: c.callState, callee_name: '', callee_num: '', callee_direction: '',
      call_uuid: '', sent_callee_name: '', sent_callee_num: '', initial_cid_name: c.cidName, initial_cid_num: c.cidNum, initial_ip_addr: '203.0.113.7',
      initial_dest: c.dest, initial_dialplan: 'XML', initial_context: c.context,
    }));
    // cJSON_Print; with no channel the object has no "rows" at all.
    return rows.length === 0 ? '{\n\t"row_count":\t0\n}' : JSON.stringify({ row_count: rows.length, rows }, null, '\t');
  }
}
