/**
 * The API commands of the fake FreeSWITCH (what `api` and `bgapi` run), with the
 * output mod_commands.c writes: `+OK ...`, `-ERR No Such Channel!`, `-USAGE: ...`,
 * an empty output for uuid_answer and uuid_break, `-ERR <cmd> Command not found!`.
 */
import type { FakeChannel, FakeSwitch } from './switch.js';

export const VERSION = 'FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n';

const NO_CHANNEL = '-ERR No Such Channel!\n';

/** Splits `{a=1,b='x y'}rest` into the variables and the rest (switch_event_create_brackets). */
export function parseVars(s: string): { vars: Record<string, string>; rest: string } {
  if (!s.startsWith('{')) return { vars: {}, rest: s };
  let i = 1;
  let quote = false;
  let cur = '';
  const parts: string[] = [];
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quote = !quote;
    else if (c === ',' && !quote) {
      parts.push(cur);
      cur = '';
    } else if (c === '}' && !quote) break;
    else cur += c;
  }
  if (cur) parts.push(cur);
  const vars: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq > 0) vars[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return { vars, rest: s.slice(i + 1) };
}

/** Runs one API command line; originate resolves when the leg answers or fails. */
export function runApi(sw: FakeSwitch, line: string): Promise<string> | string {
  const sp = line.indexOf(' ');
  const cmd = sp === -1 ? line : line.slice(0, sp);
  const arg = sp === -1 ? '' : line.slice(sp + 1).trim();
  const args = arg.split(' ').filter(Boolean);
  const ch = (id: string | undefined): FakeChannel | undefined => (id ? sw.channels.get(id) : undefined);
  switch (cmd) {
    case 'version':
      return VERSION;
    case 'uptime':
      return '2781\n';
    case 'show':
      if (arg !== 'channels as json') {
        sw.problems.push(`show ${arg}: the fake models "show channels as json" only`);
        return '-USAGE: show channels as json\n';
      }
      return sw.showChannels();
    case 'uuid_getvar': {
      const c = ch(args[0]);
      if (!c) return NO_CHANNEL;
      return c.vars[args[1] ?? ''] ?? '_undef_';
    }
    case 'uuid_answer': {
      const c = ch(args[0]);
      if (!c) return '-ERROR\n';
      sw.answer(c);
      return '';
    }
    case 'uuid_kill': {
      const c = ch(args[0]);
      if (!c) return NO_CHANNEL;
      sw.hangup(c, args[1] ?? 'NORMAL_CLEARING');
      return '+OK\n';
    }
    case 'uuid_break': {
      const c = ch(args[0]);
      if (!c) return NO_CHANNEL;
      if (args[1] === 'all') c.queue = [];
      if (c.current) sw.complete(c, 'FILE PLAYED');
      else if (args[1] !== 'all') {
        c.breakPending = true;
        sw.strayBreaks++;
      }
      return '';
    }
    case 'uuid_bridge': {
      const a = ch(args[0]);
      const b = ch(args[1]);
      if (!a || !b || args.length !== 2) return args.length < 2 ? '-USAGE: <uuid> <other_uuid>\n' : '-ERR Invalid uuid\n';
      for (const c of [a, b]) {
        if (c.current || c.queue.length > 0) sw.problems.push(`uuid_bridge: ${c.uuid} still had media playing or queued`);
        c.queue = [];
        if (c.current) sw.complete(c, 'FILE PLAYED');
        c.bridgedWith = c === a ? b.uuid : a.uuid;
        c.application = 'uuid_bridge';
      }
      sw.event('CHANNEL_BRIDGE', a, { 'Bridge-A-Unique-ID': a.uuid, 'Bridge-B-Unique-ID': b.uuid, 'Other-Leg-Unique-ID': b.uuid }, 'switch_ivr_multi_threaded_bridge');
      return `+OK ${b.uuid}\n`;
    }
    case 'uuid_transfer': {
      const c = ch(args[0]);
      if (!c) return NO_CHANNEL;
      if (args.length < 2) return '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
      if (c.current || c.queue.length > 0) sw.problems.push(`uuid_transfer: ${c.uuid} still had media playing or queued`);
      c.queue = [];
      if (c.current) sw.complete(c, 'FILE PLAYED');
      sw.transfers.push({ uuid: c.uuid, dest: args[1] ?? '', context: args[3] ?? 'default' });
      c.application = 'bridge';
      c.applicationData = `sofia/gateway/carrier/${args[1] ?? ''}`;
      return '+OK\n';
    }
    case 'uuid_record': {
      const [uuid, action, path, limit] = args;
      if (!uuid || !action || !path) return '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
      const c = ch(uuid);
      if (!c) return '-ERR Cannot locate session!\n';
      if (action === 'start') {
        sw.startRecording(c, path, Number(limit ?? 0) || 3_600);
        return '+OK Success\n';
      }
      return sw.stopRecording(c, path, 'stopped') ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
    }
    case 'originate':
      return originate(sw, arg);
    default:
      sw.problems.push(`api ${cmd}: not a command the fake knows`);
      return `-ERR ${cmd} Command not found!\n`;
  }
}

/** `originate {vars}<endpoint> &park()`: the job ends when the phone answers or gives up. */
function originate(sw: FakeSwitch, arg: string): Promise<string> | string {
  const [dial = '', app = ''] = arg.split(/ (?=&)/);
  if (app !== '&park()') sw.problems.push(`originate: expected "&park()", got ${JSON.stringify(app)}`);
  const { vars, rest: endpoint } = parseVars(dial);
  if (!/^[\w.-]+\/\S+$/.test(endpoint)) return '-ERR INVALID_URL\n';
  if (sw.unregistered.has(endpoint)) return '-ERR USER_NOT_REGISTERED\n';
  const uuid = vars.origination_uuid;
  if (!uuid || sw.channels.has(uuid)) sw.problems.push(`originate: origination_uuid ${uuid ?? 'missing'} is not a fresh id`);
  const name = (vars.origination_caller_id_name ?? '').replace(/^'|'$/g, '');
  return new Promise<string>((resolve) => {
    const leg = sw.create({
      ...(uuid ? { uuid } : {}), direction: 'outbound', name: endpoint, cidNum: vars.origination_caller_id_number ?? '0000000000',
      cidName: name, dest: endpoint.split('/').at(-1) ?? '', context: 'default', vars: { ...vars },
    });
    leg.callState = 'RINGING';
    leg.state = 'CS_CONSUME_MEDIA';
    leg.originate = resolve;
    const timeout = Number(vars.originate_timeout ?? 60) * 1000;
    sw.timer(leg, timeout, () => sw.hangup(leg, 'NO_ANSWER'));
  });
}
