/**
 * Events as FreeSWITCH 1.10 builds them: the core headers of every event
 * (switch_event_prep_for_delivery: Core-UUID, FreeSWITCH-*, Event-Date-*,
 * Event-Calling-*, Event-Sequence), a channel's data (switch_channel_event_set_data:
 * Channel-*, Unique-ID, Call-Direction, Answer-State, and the caller profile as
 * Caller-*), and its variables as `variable_<name>` on the events that carry them
 * (switch_channel_event_set_extended_data: CHANNEL_CREATE, _PARK, _ANSWER,
 * _BRIDGE, _HANGUP, _HANGUP_COMPLETE, _EXECUTE, _EXECUTE_COMPLETE, RECORD_*,
 * PLAYBACK_*; not DTMF), serialized as `text/event-json` (switch_event_serialize_json:
 * every value a string, the body under `_body`) or `text/event-plain` (URL-encoded
 * `Name: value` lines).
 */

export const CORE_UUID = '4f38a1a2-6c7e-4b1e-9a61-1b7c0e1d2a55';
const HOST = 'fs1';

export interface EventChannel {
  uuid: string;
  direction: 'inbound' | 'outbound';
  name: string;
  state: string;
  callState: string;
  answerState: string;
  cidNum: string;
  cidName: string;
  dest: string;
  context: string;
  createdUs: string;
  answeredUs: string;
  vars: Record<string, string>;
}

/** Events whose channel data includes the variables. */
const WITH_VARIABLES = new Set([
  'CHANNEL_CREATE', 'CHANNEL_PARK', 'CHANNEL_UNPARK', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'RECORD_START', 'RECORD_STOP', 'PLAYBACK_START', 'PLAYBACK_STOP',
]);

let sequence = 4_000;
let lastUs = 0;

/** Microseconds since the epoch, strictly increasing (Event-Date-Timestamp). */
export function nowUs(): string {
  lastUs = Math.max(lastUs + 1, Date.now() * 1000);
  return String(lastUs);
}

const STATE_NUMBER: Record<string, string> = { CS_NEW: '0', CS_INIT: '1', CS_ROUTING: '2', CS_SOFT_EXECUTE: '3', CS_EXECUTE: '4', CS_EXCHANGE_MEDIA: '5', CS_PARK: '6', CS_CONSUME_MEDIA: '7', CS_HIBERNATE: '8', CS_RESET: '9', CS_HANGUP: '10', CS_REPORTING: '11', CS_DESTROY: '12' };

export function coreHeaders(name: string, fn: string): Record<string, string> {
  const us = nowUs();
  const d = new Date(Number(us.slice(0, -3)));
  return {
    'Event-Name': name,
    'Core-UUID': CORE_UUID,
    'FreeSWITCH-Hostname': HOST,
    'FreeSWITCH-Switchname': HOST,
    'FreeSWITCH-IPv4': '10.0.0.6',
    'FreeSWITCH-IPv6': '::1',
    'Event-Date-Local': d.toISOString().slice(0, 19).replace('T', ' '),
    'Event-Date-GMT': d.toUTCString(),
    'Event-Date-Timestamp': us,
    'Event-Calling-File': fn.startsWith('switch_ivr') ? `${fn.split('_').slice(0, 2).join('_')}.c` : 'switch_channel.c',
    'Event-Calling-Function': fn,
    'Event-Calling-Line-Number': '3981',
    'Event-Sequence': String(++sequence),
  };
}

export function channelEvent(name: string, ch: EventChannel, extra: Record<string, string> = {}, fn = 'switch_channel_perform_mark_answered'): Record<string, string> {
  const h: Record<string, string> = {
    ...coreHeaders(name, fn),
    'Channel-State': ch.state,
    'Channel-Call-State': ch.callState,
    'Channel-State-Number': STATE_NUMBER[ch.state] ?? '4',
    'Channel-Name': ch.name,
    'Unique-ID': ch.uuid,
    'Call-Direction': ch.direction,
    'Presence-Call-Direction': ch.direction,
    'Channel-HIT-Dialplan': ch.direction === 'inbound' ? 'true' : 'false',
    'Channel-Call-UUID': ch.uuid,
    'Answer-State': ch.answerState,
    'Caller-Direction': ch.direction,
    'Caller-Logical-Direction': ch.direction,
    'Caller-Username': ch.cidNum,
    'Caller-Dialplan': 'XML',
    'Caller-Caller-ID-Name': ch.cidName,
    'Caller-Caller-ID-Number': ch.cidNum,
    'Caller-Orig-Caller-ID-Name': ch.cidName,
    'Caller-Orig-Caller-ID-Number': ch.cidNum,
    'Caller-Network-Addr': '203.0.113.7',
    'Caller-ANI': ch.cidNum,
    'Caller-Destination-Number': ch.dest,
    'Caller-Unique-ID': ch.uuid,
    'Caller-Source': 'mod_sofia',
    'Caller-Context': ch.context,
    'Caller-Channel-Name': ch.name,
    'Caller-Profile-Index': '1',
    'Caller-Profile-Created-Time': ch.createdUs,
    'Caller-Channel-Created-Time': ch.createdUs,
    'Caller-Channel-Answered-Time': ch.answeredUs,
    'Caller-Channel-Hangup-Time': '0',
    'Caller-Screen-Bit': 'true',
    'Caller-Privacy-Hide-Name': 'false',
    'Caller-Privacy-Hide-Number': 'false',
  };
  if (WITH_VARIABLES.has(name)) {
    h.variable_direction = ch.direction;
    h.variable_uuid = ch.uuid;
    h.variable_call_uuid = ch.uuid;
    for (const [k, v] of Object.entries(ch.vars)) h[`variable_${k}`] = v;
  }
  return { ...h, ...extra };
}

/** `Content-Length: N\nContent-Type: text/event-json\n\n<json>` (mod_event_socket.c read_packet). */
export function jsonFrame(headers: Record<string, string>, body?: string): string {
  const obj: Record<string, string> = { ...headers };
  if (body !== undefined) {
    obj['Content-Length'] = String(Buffer.byteLength(body));
    obj._body = body;
  }
  const text = JSON.stringify(obj);
  return `Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-json\n\n${text}`;
}

/** The same event as `text/event-plain`: URL-encoded header lines (switch_event_serialize). */
export function plainFrame(headers: Record<string, string>, body?: string): string {
  let text = Object.entries(headers).map(([k, v]) => `${k}: ${encodeURIComponent(v)}\n`).join('');
  if (body !== undefined) text += `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  else text += '\n';
  return `Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-plain\n\n${text}`;
}

export function commandReply(text: string, extra = ''): string {
  return `Content-Type: command/reply\nReply-Text: ${text}\n${extra}\n`;
}

export function apiResponse(text: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(text)}\n\n${text}`;
}

/** send_disconnect() in mod_event_socket.c, with listener_run's farewell. */
export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export function disconnectNotice(message = GOODBYE): string {
  return `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(message)}\n\n${message}`;
}

export function rudeRejection(): string {
  const message = 'Access Denied, go away.\n';
  return `Content-Type: text/rude-rejection\nContent-Length: ${message.length}\n\n${message}`;
}

export const KNOWN_EVENTS = new Set([
  'ALL', 'CUSTOM', 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CHANNEL_STATE', 'CHANNEL_CALLSTATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_UNPARK',
  'CHANNEL_APPLICATION', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID', 'API', 'LOG', 'INBOUND_CHAN', 'OUTBOUND_CHAN', 'STARTUP', 'SHUTDOWN',
  'PUBLISH', 'UNPUBLISH', 'TALK', 'NOTALK', 'SESSION_CRASH', 'MODULE_LOAD', 'MODULE_UNLOAD', 'DTMF', 'MESSAGE', 'PRESENCE_IN',
  'NOTIFY_IN', 'PRESENCE_OUT', 'PRESENCE_PROBE', 'MESSAGE_WAITING', 'MESSAGE_QUERY', 'ROSTER', 'CODEC', 'BACKGROUND_JOB',
  'DETECTED_SPEECH', 'DETECTED_TONE', 'PRIVATE_COMMAND', 'HEARTBEAT', 'TRAP', 'ADD_SCHEDULE', 'DEL_SCHEDULE', 'EXE_SCHEDULE',
  'RE_SCHEDULE', 'RELOADXML', 'NOTIFY', 'PHONE_FEATURE', 'PHONE_FEATURE_SUBSCRIBE', 'SEND_MESSAGE', 'RECV_MESSAGE', 'REQUEST_PARAMS',
  'CHANNEL_DATA', 'GENERAL', 'COMMAND', 'SESSION_HEARTBEAT', 'CLIENT_DISCONNECTED', 'SERVER_DISCONNECTED', 'SEND_INFO', 'RECV_INFO',
  'RECV_RTCP_MESSAGE', 'CALL_SECURE', 'NAT', 'RECORD_START', 'RECORD_STOP', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CALL_UPDATE',
  'FAILURE', 'SOCKET_DATA', 'MEDIA_BUG_START', 'MEDIA_BUG_STOP', 'CONFERENCE_DATA_QUERY', 'CONFERENCE_DATA', 'CALL_SETUP_REQ',
  'CALL_SETUP_RESULT', 'CALL_DETAIL', 'DEVICE_STATE', 'TEXT', 'SHUTDOWN_REQUESTED',
]);
