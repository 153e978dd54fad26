/**
 * The pure parts of the Twilio adapter: webhook parameters -> normalized facts
 * (against fixtures shaped by Twilio's documented parameters), which document
 * answers which state, prompts -> `<Play>`/`<Say>`, and TwiML rendering with its
 * escaping (read back by the fake Twilio's strict XML parser).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callDocument, waitDocument, type DocSettings } from '../../adapters/twilio/documents.js';
import { agentTarget, callerEndReason, callerOf, isEnded, keysOf, legEndReason, param, queueName } from '../../adapters/twilio/mapper.js';
import { promptVerb, sayLanguage } from '../../adapters/twilio/prompts.js';
import { newCaller, type PlayHandle } from '../../adapters/twilio/state.js';
import { escapeXml, renderTwiml } from '../../adapters/twilio/twiml.js';
import { parseXml } from './fake-twilio/twiml-parse.js';

const fixture = (name: string): Map<string, string[]> => {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'twilio-webhooks', `${name}.json`), 'utf8')) as Record<string, string>;
  return new Map(Object.entries(raw).map(([k, v]) => [k, [v]]));
};

describe('webhook parameters', () => {
  it('a voice webhook: ANI and DNIS verbatim, the caller name when Twilio looked it up', () => {
    expect(callerOf(fixture('voice-inbound'))).toEqual({ ani: '+14155550123', dnis: '+18005550100', callerName: 'LOVELACE ADA' });
    const anonymous = new Map([['From', ['anonymous']], ['To', ['100']]]);
    expect(callerOf(anonymous)).toEqual({ ani: 'anonymous', dnis: '100', callerName: null });
  });

  it('a Gather action: every key in order, FinishedOnKey last, anything else dropped', () => {
    expect(keysOf(fixture('gather-action'))).toEqual(['1', '2', '#']);
    expect(keysOf(new Map([['Digits', ['4x5']], ['FinishedOnKey', ['#']]]))).toEqual(['4', '5', '#']);
    expect(keysOf(new Map([['Digits', ['']]]))).toEqual([]);
  });

  it('status callbacks: the end of a call and of an agent leg', () => {
    const done = fixture('status-completed');
    expect(isEnded(param(done, 'CallStatus'))).toBe(true);
    expect(callerEndReason(param(done, 'CallStatus'), null)).toBe('caller-hangup');
    expect(callerEndReason('completed', 'system')).toBe('system-hangup');
    expect(callerEndReason('completed', 'agent')).toBe('agent-hangup');
    expect(callerEndReason('completed', 'transfer')).toBe('transferred');
    expect(callerEndReason('failed', null)).toBe('failed');
    expect(legEndReason(param(fixture('leg-status-busy'), 'CallStatus'))).toBe('busy');
    expect(legEndReason('no-answer')).toBe('no-answer');
    expect(legEndReason('canceled')).toBe('system-hangup');
    expect(legEndReason('failed')).toBe('failed');
    for (const s of ['queued', 'initiated', 'ringing', 'in-progress']) expect(isEnded(s)).toBe(false);
    expect(param(fixture('enqueue-action-bridged'), 'QueueResult')).toBe('bridged');
  });

  it("agents' endpoints: a client identity, a SIP address, a number; nothing else", () => {
    expect(agentTarget('client:alice')).toEqual({ to: 'client:alice', target: { kind: 'client', value: 'alice' } });
    expect(agentTarget('alice')).toEqual({ to: 'client:alice', target: { kind: 'client', value: 'alice' } });
    expect(agentTarget('sip:alice@pbx.example.com')).toEqual({ to: 'sip:alice@pbx.example.com', target: { kind: 'sip', value: 'sip:alice@pbx.example.com' } });
    expect(agentTarget('+14155550111')).toEqual({ to: '+14155550111', target: { kind: 'number', value: '+14155550111' } });
    for (const bad of ['', 'client:', 'PJSIP/alice bob', 'client:<x>', 'sip:nohost', '+0123']) expect(agentTarget(bad), bad).toBeNull();
    expect(queueName(`CA${'a'.repeat(32)}`)).toHaveLength(37);
  });
});

describe('which document answers the caller', () => {
  const s: DocSettings = { gather: { timeoutSec: 1, entryMaxDigits: 20, entryTimeoutSec: 1 }, holdPauseSec: 5 };
  const urls = { next: (n: number) => `https://sb.test/twilio/t/next?d=${n}`, wait: (n: number) => `https://sb.test/twilio/t/wait?d=${n}` };
  const sid = `CA${'b'.repeat(32)}`;
  const handle = (text: string): PlayHandle => ({ promptId: text, verb: { verb: 'Say', text }, settled: false, settle() {} });
  const fresh = () => newCaller(sid, { ani: '+14155550123', dnis: '+18005550100', callerName: null });

  it('nothing queued: a Gather that waits for one key and comes back after timeoutSec', () => {
    const d = callDocument(fresh(), 1, urls, s);
    expect(d.doc).toEqual({ seq: 1, kind: 'listen', plays: [] });
    expect(renderTwiml(d.verbs)).toContain('<Gather input="dtmf" action="https://sb.test/twilio/t/next?d=1" method="POST" numDigits="1" timeout="1" finishOnKey="" actionOnEmptyResult="true"/>');
  });

  it('keys just came and nothing was asked for: an entry Gather takes many keys', () => {
    const call = fresh();
    call.entry = true;
    const d = callDocument(call, 4, urls, s);
    expect(d.doc.kind).toBe('entry');
    expect(d.verbs[0]).toMatchObject({ verb: 'Gather', numDigits: 20, timeout: 1, finishOnKey: '' });
  });

  it('queued prompts: nested in one Gather that the first key stops; what follows waits for the next webhook', () => {
    const call = fresh();
    const a = handle('One.');
    const b = handle('Two.');
    call.queue.push({ kind: 'prompt', handle: a }, { kind: 'prompt', handle: b }, { kind: 'hangup' });
    const d = callDocument(call, 2, urls, s);
    expect(d.doc).toEqual({ seq: 2, kind: 'prompts', plays: [a, b] });
    expect(renderTwiml(d.verbs)).toContain('numDigits="1" timeout="1" finishOnKey="" actionOnEmptyResult="true"><Say>One.</Say><Say>Two.</Say></Gather>');
    expect(call.queue).toEqual([{ kind: 'hangup' }]);
    expect(callDocument(call, 3, urls, s).verbs).toEqual([{ verb: 'Hangup' }]);
  });

  it('on hold, or before a bridge: Enqueue into the call\'s own queue; its wait documents play music or pause', () => {
    const call = fresh();
    call.holds = 1;
    const d = callDocument(call, 5, urls, s);
    expect(d.verbs).toEqual([{ verb: 'Enqueue', queue: `sb-${sid}`, waitUrl: urls.wait(5), action: urls.next(5) }]);
    expect(waitDocument(call, s).verbs).toEqual([{ verb: 'Pause', length: 5 }]);
    expect(waitDocument(call, { ...s, holdMusicUrl: 'https://cdn.test/moh.mp3' }).verbs).toEqual([{ verb: 'Play', url: 'https://cdn.test/moh.mp3' }]);
    const p = handle('Please hold.');
    call.queue.push({ kind: 'prompt', handle: p });
    expect(waitDocument(call, s)).toEqual({ verbs: [{ verb: 'Say', text: 'Please hold.' }], plays: [p], hangup: false });
    call.holds = 0;
    expect(waitDocument(call, s).verbs).toEqual([{ verb: 'Pause', length: 1 }]);
    call.queue.push({ kind: 'transfer', to: '+14155550199', sent() {} });
    expect(waitDocument(call, s).verbs).toEqual([{ verb: 'Leave' }]);
    const t = callDocument(call, 6, urls, s);
    expect(t.verbs).toEqual([{ verb: 'Dial', target: { kind: 'number', value: '+14155550199' }, action: urls.next(6) }]);
    expect(t.doc.kind).toBe('transfer');
  });
});

describe('prompts', () => {
  const o = { sounds: { 'menu.welcome': 'https://cdn.test/welcome.wav' }, tts: 'switchboard' as const, render: (p: { text: string }) => `https://sb.test/prompts/${p.text.length}.wav` };

  it('media URL, then sounds by id, then a URL template, then Switchboard TTS or <Say>', () => {
    expect(promptVerb({ id: 'x', text: 'Hi.', media: 'https://cdn.test/x.mp3' }, o)).toEqual({ verb: 'Play', url: 'https://cdn.test/x.mp3' });
    expect(promptVerb({ id: 'menu.welcome', text: 'Hi.' }, o)).toEqual({ verb: 'Play', url: 'https://cdn.test/welcome.wav' });
    expect(promptVerb({ id: 'x', text: 'Hi there', language: 'ja' }, { ...o, urlTemplate: 'https://tts.test/{id}.wav?t={text}&l={lang}' })).toEqual({ verb: 'Play', url: 'https://tts.test/x.wav?t=Hi%20there&l=ja' });
    expect(promptVerb({ id: 'x', text: 'Hi.' }, o)).toEqual({ verb: 'Play', url: 'https://sb.test/prompts/3.wav' });
    expect(promptVerb({ id: 'x', text: 'Hi.', language: 'ja' }, { ...o, tts: 'twilio', voice: 'Polly.Mizuki' })).toEqual({ verb: 'Say', text: 'Hi.', voice: 'Polly.Mizuki', language: 'ja-JP' });
    // An Asterisk media URI is not something Twilio can fetch.
    expect(promptVerb({ id: 'x', text: 'Hi.', media: 'sound:hello-world' }, { ...o, tts: 'twilio' })).toMatchObject({ verb: 'Say' });
    expect(() => promptVerb({ id: 'x', text: '  ' }, o)).toThrow(/no text/);
    expect(sayLanguage('en-GB')).toBe('en-GB');
  });
});

describe('TwiML', () => {
  it('escapes text and attributes: a prompt or a name cannot add verbs', () => {
    const evil = 'Bye.</Say><Dial>+19005550000</Dial><Say a="1">';
    const xml = renderTwiml([
      { verb: 'Gather', action: 'https://sb.test/n?d=1&x="2"', numDigits: 1, timeout: 1, finishOnKey: '', actionOnEmptyResult: true, nested: [{ verb: 'Say', text: evil, voice: `Polly"><Hangup/>` }] },
    ]);
    const doc = parseXml(xml);
    expect(doc.children).toHaveLength(1);
    const gather = doc.children[0];
    expect(gather?.attrs['action']).toBe('https://sb.test/n?d=1&x="2"');
    expect(gather?.children.map((c) => c.name)).toEqual(['Say']);
    expect(gather?.children[0]?.text).toBe(evil);
    expect(gather?.children[0]?.attrs['voice']).toBe('Polly"><Hangup/>');
    expect(escapeXml("a&b<c>d\"e'f\u0000\u001Fg")).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;fg');
  });

  it('renders every verb the adapter sends as TwiML Twilio parses', () => {
    const xml = renderTwiml([
      { verb: 'Play', url: 'https://sb.test/prompts/a.wav' },
      { verb: 'Pause', length: 2.4 },
      { verb: 'Enqueue', queue: 'sb-CA1', waitUrl: 'https://sb.test/w?d=1', action: 'https://sb.test/n?d=1' },
      { verb: 'Dial', target: { kind: 'queue', value: 'sb-CA1' } },
      { verb: 'Dial', target: { kind: 'number', value: '+14155550199' }, action: 'https://sb.test/n?d=2' },
      { verb: 'Redirect', url: 'https://sb.test/agent?leg=1' },
      { verb: 'Leave' },
      { verb: 'Hangup' },
    ]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Response>')).toBe(true);
    expect(parseXml(xml).children.map((c) => c.name)).toEqual(['Play', 'Pause', 'Enqueue', 'Dial', 'Dial', 'Redirect', 'Leave', 'Hangup']);
    expect(xml).toContain('<Pause length="2"/>');
    expect(xml).toContain('<Enqueue action="https://sb.test/n?d=1" method="POST" waitUrl="https://sb.test/w?d=1" waitUrlMethod="POST">sb-CA1</Enqueue>');
    expect(xml).toContain('<Dial><Queue>sb-CA1</Queue></Dial>');
    expect(xml).toContain('<Dial action="https://sb.test/n?d=2" method="POST"><Number>+14155550199</Number></Dial>');
    expect(renderTwiml([])).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Response/>');
  });
});
