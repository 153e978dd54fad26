/**
 * The fake Twilio's TwiML interpreter: runs a call's documents verb by verb, the
 * way Twilio's reference describes each verb (Gather, Say, Play, Pause, Enqueue and
 * its waitUrl, Dial with Queue or Number, Redirect, Hangup, Leave).
 */
import type { Bridge, FakeCall, FakeTwilio } from './fake-twilio.js';
import type { XmlElement } from './twiml-parse.js';

type Next = { url: string; params: Record<string, string> };
/** What a verb leaves the call with: another document to fetch, carry on, or the call is over. */
type Outcome = Next | 'continue' | 'over';

const ATTRS: Record<string, string[]> = {
  Gather: ['input', 'action', 'method', 'numDigits', 'timeout', 'finishOnKey', 'actionOnEmptyResult'],
  Say: ['voice', 'language'],
  Play: [],
  Pause: ['length'],
  Enqueue: ['action', 'method', 'waitUrl', 'waitUrlMethod'],
  Dial: ['action', 'method', 'timeout', 'callerId'],
  Redirect: ['method'],
  Hangup: [],
  Leave: [],
};

/** Resolves true after `ms`, false when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    const stop = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

function check(f: FakeTwilio, el: XmlElement, where: string): void {
  const allowed = ATTRS[el.name];
  if (!allowed) return f.violation(`<${el.name}> is not a verb Twilio runs (${where})`);
  for (const a of Object.keys(el.attrs)) if (!allowed.includes(a)) f.violation(`<${el.name} ${a}> is not an attribute Twilio knows`);
  for (const a of ['method', 'waitUrlMethod']) if (el.attrs[a] && el.attrs[a] !== 'POST') f.violation(`<${el.name} ${a}="${el.attrs[a]}">: signed parameters need POST`);
}

/** Runs a call from `url` on until it is over or its documents run out (Twilio then hangs up). */
export async function drive(f: FakeTwilio, call: FakeCall, url: string): Promise<void> {
  let next: Next | null = { url, params: {} };
  while (next && !call.over) {
    const doc = await f.request(call, next.url, next.params);
    if (call.over) return;
    if (!doc) return f.end(call, 'failed');
    // Twilio answers an inbound call with the first verb it runs.
    if (call.status === 'ringing' && call.direction === 'inbound') call.status = 'in-progress';
    next = null;
    for (const el of doc.children) {
      check(f, el, 'call document');
      const out = await verb(f, call, el);
      if (out === 'over' || call.over) return;
      if (out !== 'continue') {
        next = out;
        break;
      }
    }
  }
  if (call.over) return;
  // The documents ran out: Twilio hangs up. The adapter MUST NOT leave a caller there.
  if (call.direction === 'inbound') f.violation(`a document on caller ${call.sid} ran out without a callback (Twilio would hang up)`);
  f.end(call, 'completed');
}

/** Plays one media verb; false when cut short. */
async function media(f: FakeTwilio, call: FakeCall, el: XmlElement, signal: AbortSignal): Promise<boolean> {
  if (el.name === 'Pause') return sleep(f.ms(Number(el.attrs['length'] ?? 1)), signal);
  if (el.name === 'Say') {
    call.heard.push(`say:${el.text}`);
    f.push({ type: 'media', sid: call.sid, what: `say:${el.text}` });
    return sleep(f.ms(el.text.length / 15), signal);
  }
  // <Play>: Twilio fetches the file; Switchboard's own prompts are checked to be WAV audio.
  const url = el.text;
  call.heard.push(url);
  f.push({ type: 'media', sid: call.sid, what: url });
  let seconds = 2;
  if (url.startsWith(`${f.o.publicUrl}/`)) {
    const res = await fetch(`${f.target}${url.slice(f.o.publicUrl.length)}`).catch(() => null);
    const body = res?.ok ? Buffer.from(await res.arrayBuffer()) : null;
    if (!body || body.toString('ascii', 0, 4) !== 'RIFF') f.violation(`<Play> ${url}: no WAV audio (${res?.status ?? 'no answer'})`);
    else seconds = (body.length - 44) / 16_000;
  }
  return sleep(f.ms(seconds), signal);
}

async function verb(f: FakeTwilio, call: FakeCall, el: XmlElement): Promise<Outcome> {
  switch (el.name) {
    case 'Say':
    case 'Play':
    case 'Pause':
      await media(f, call, el, call.life.signal);
      return call.over ? 'over' : 'continue';
    case 'Gather':
      return gather(f, call, el);
    case 'Enqueue':
      return enqueue(f, call, el);
    case 'Dial':
      return dial(f, call, el);
    case 'Redirect':
      return { url: el.text, params: {} };
    case 'Hangup':
      f.end(call, 'completed');
      return 'over';
    default:
      f.violation(`<${el.name}> where Twilio cannot run it`);
      return 'continue';
  }
}

async function gather(f: FakeTwilio, call: FakeCall, el: XmlElement): Promise<Outcome> {
  const a = el.attrs;
  if (a['input'] !== 'dtmf') f.violation(`<Gather input="${a['input']}">: expected dtmf`);
  const numDigits = Number(a['numDigits'] ?? Infinity);
  const timeout = Number(a['timeout'] ?? 5);
  // Twilio warning 13313: timeout must be a positive integer.
  if (!Number.isInteger(timeout) || timeout < 1) f.violation(`<Gather timeout="${a['timeout']}">`);
  const finishOnKey = a['finishOnKey'] ?? '#';
  f.push({ type: 'gather', sid: call.sid, attrs: a, nested: el.children.map((c) => c.name) });
  let digits = '';
  let finished = '';
  let inMedia = true;
  const cut = new AbortController();
  const onLife = (): void => cut.abort();
  call.life.signal.addEventListener('abort', onLife, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const finish = (): void => {
    clearTimeout(timer);
    if (call.gather === listener) call.gather = null;
    done();
  };
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(finish, f.ms(timeout));
  };
  const listener = {
    onKey: (key: string): void => {
      // The first key stops the nested prompts.
      if (inMedia) {
        inMedia = false;
        cut.abort();
      }
      if (finishOnKey !== '' && finishOnKey.includes(key)) {
        finished = key;
        return finish();
      }
      digits += key;
      if (digits.length >= numDigits) finish();
      else arm();
    },
  };
  call.gather = listener;
  for (const child of el.children) {
    if (!['Say', 'Play', 'Pause'].includes(child.name)) f.violation(`<${child.name}> nested in <Gather>`);
    if (!inMedia || call.over) break;
    await media(f, call, child, cut.signal);
  }
  inMedia = false;
  if (!call.over && call.gather === listener && digits === '') arm();
  await Promise.race([ended, new Promise<void>((resolve) => call.life.signal.addEventListener('abort', () => resolve(), { once: true }))]);
  call.life.signal.removeEventListener('abort', onLife);
  clearTimeout(timer);
  if (call.gather === listener) call.gather = null;
  if (call.over) return 'over';
  const action = a['action'];
  if (digits || finished || a['actionOnEmptyResult'] === 'true') {
    if (!action) f.violation('<Gather> without an action: Twilio would post to the current document URL');
    return { url: action ?? '', params: { Digits: digits, ...(finished ? { FinishedOnKey: finished } : {}) } };
  }
  return 'continue';
}

/** `<Enqueue>`: waits in the named queue running `waitUrl` documents until dequeued (a bridge) or `<Leave>`. */
async function enqueue(f: FakeTwilio, call: FakeCall, el: XmlElement): Promise<Outcome> {
  const name = el.text;
  if (name.length > 64) f.violation(`queue name over 64 characters: ${name}`);
  const waitUrl = el.attrs['waitUrl'];
  const action = el.attrs['action'] ?? null;
  const members = f.queues.get(name) ?? [];
  f.queues.set(name, members);
  members.push(call);
  const stopWaiting = new AbortController();
  call.life.signal.addEventListener('abort', () => stopWaiting.abort(), { once: true });
  let bridge: Bridge | null = null;
  call.queued = {
    name,
    action,
    dequeue: (by) => {
      f.queues.set(name, (f.queues.get(name) ?? []).filter((c) => c !== call));
      call.queued = null;
      stopWaiting.abort();
      let end!: () => void;
      const done = new Promise<void>((resolve) => (end = resolve));
      bridge = { caller: call, agent: by, done, end: () => end() };
      call.bridge = bridge;
      by.bridge = bridge;
      f.push({ type: 'bridged', caller: call.sid, agent: by.sid });
      return bridge;
    },
  };
  f.push({ type: 'enqueued', sid: call.sid, queue: name });
  const t0 = Date.now();
  let result = 'leave';
  while (!stopWaiting.signal.aborted) {
    if (!waitUrl) {
      await sleep(f.ms(60), stopWaiting.signal);
      continue;
    }
    const extra = { QueueSid: `QU${name.slice(-32)}`, QueueTime: String(Math.round((Date.now() - t0) / 1000)), QueuePosition: '1', CurrentQueueSize: '1', AvgQueueTime: '0' };
    const doc = await f.request(call, waitUrl, extra);
    if (stopWaiting.signal.aborted) break;
    if (!doc) {
      result = 'error';
      break;
    }
    let left = false;
    for (const w of doc.children) {
      check(f, w, 'wait document');
      if (w.name === 'Leave') {
        left = true;
        break;
      }
      if (w.name === 'Hangup') {
        f.end(call, 'completed');
        return 'over';
      }
      if (!['Play', 'Say', 'Pause'].includes(w.name)) f.violation(`<${w.name}> in a waitUrl document`);
      else if (!(await media(f, call, w, stopWaiting.signal))) break;
    }
    if (left) break;
  }
  if (call.over) return 'over';
  if (call.queued) {
    f.queues.set(name, (f.queues.get(name) ?? []).filter((c) => c !== call));
    call.queued = null;
  }
  if (bridge) {
    await (bridge as Bridge).done;
    call.bridge = null;
    if (call.over) return 'over';
    result = 'bridged';
  }
  return action ? { url: action, params: { QueueResult: result, QueueTime: String(Math.round((Date.now() - t0) / 1000)) } } : 'continue';
}

/** `<Dial>`: `<Queue>` takes the queue's first caller and connects them; `<Number>` is a transfer out. */
async function dial(f: FakeTwilio, call: FakeCall, el: XmlElement): Promise<Outcome> {
  const noun = el.children[0];
  const action = el.attrs['action'];
  if (!noun || el.children.length !== 1) {
    f.violation('<Dial> without exactly one noun');
    return 'continue';
  }
  let status = 'completed';
  if (noun.name === 'Queue') {
    const members = f.queues.get(noun.text);
    const caller = members?.[0];
    // Twilio: a queue that does not exist is an error; an empty one is waited on. The adapter bridges only once the caller is in it.
    if (!caller?.queued) {
      f.violation(`<Dial><Queue>${noun.text}</Queue> with ${members ? 'nobody' : 'no such queue'} waiting`);
      status = 'failed';
    } else {
      const bridge = caller.queued.dequeue(call);
      await bridge.done;
      call.bridge = null;
      if (call.over) return 'over';
    }
  } else if (noun.name === 'Number') {
    f.push({ type: 'transferred', sid: call.sid, to: noun.text });
    await sleep(f.ms(1), call.life.signal);
    if (call.over) return 'over';
  } else {
    f.violation(`<Dial><${noun.name}> not expected from the adapter`);
  }
  return action ? { url: action, params: { DialCallStatus: status } } : 'continue';
}
