/**
 * IVR node kinds language, branch and the terminals (menu and play: see
 * ivr-menu-play; gather: ivr-gather; hours: ivr-hours; a caller hanging up in
 * every state: ivr-hangup). Inline flows, simulator PBX, fake timers.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdapterError } from '../adapters/errors.js';
import type { AttributeValue } from '../ivr/flow/context.js';
import { compile, promptMs, startCall, yaml, type IvrCall } from './helpers/ivr-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const CHOOSE = { en: 'English, press 1.', ja: '日本語は2を押してください。' };
const ASK = { en: 'Press 1 for sales.', ja: '営業は1を押してください。' };
const langFlow = compile(yaml`
  name: lang
  languages: [en, ja]
  defaultLanguage: en
  start: hello
  nodes:
    hello:
      kind: play
      prompt: { en: "Hello.", ja: "こんにちは。" }
      next: choose
    choose:
      kind: language
      prompt: { en: "${CHOOSE.en}", ja: "${CHOOSE.ja}" }
      options: { "1": en, "2": ja }
      timeoutMs: 4000
      next: menu
    menu:
      kind: menu
      prompt: { en: "${ASK.en}", ja: "${ASK.ja}" }
      options: { "1": sales }
      noInput: { timeoutMs: 5000 }
      invalid: { prompt: { en: "No.", ja: "いいえ。" } }
      fallback: sales
    sales:
      kind: queue
      queue: sales
      prompt: { en: "Please hold.", ja: "少々お待ちください。" }
`);
const HELLO_MS = promptMs('Hello.');
// The language prompt plays in every language in turn: English, then Japanese.
const CHOOSE_MS = promptMs(CHOOSE.en) + promptMs(CHOOSE.ja);

describe('language', () => {
  it('a key during its prompt chooses; the following prompts play in that language', async () => {
    const c = await startCall(langFlow);
    await c.wait(HELLO_MS + 200);
    await c.press('2');
    expect(c.heard().map((p) => [p.id, p.text, p.completed])).toEqual([
      ['hello.prompt', 'Hello.', true],
      ['choose.prompt', CHOOSE.en, false],
      ['menu.prompt', ASK.ja, null],
    ]);
    await c.press('1');
    await c.wait(promptMs('少々お待ちください。'));
    expect(c.prompts().at(-1)).toBe('少々お待ちください。');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', language: 'ja' });
    expect(c.steps()).toContain('choose language ja');
  });

  it('with no key, timeoutMs after the prompt ends, goes on in the default language', async () => {
    const c = await startCall(langFlow);
    await c.wait(HELLO_MS + CHOOSE_MS + 4_000 - 1);
    expect(c.heard().at(-1)).toMatchObject({ id: 'choose.prompt', completed: true });
    await c.wait(1);
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.prompt', text: ASK.en });
  });

  it('ignores a key that names no language, and still times out', async () => {
    const c = await startCall(langFlow);
    await c.wait(HELLO_MS + CHOOSE_MS + 1_000);
    await c.press('7');
    expect(c.heard().at(-1)).toMatchObject({ id: 'choose.prompt' });
    await c.wait(3_000);
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.prompt', text: ASK.en });
    expect(c.steps()).not.toContain('choose language ja');
  });

  it('takes a key typed ahead during the play before it', async () => {
    const c = await startCall(langFlow);
    await c.press('2');
    expect(c.heard().map((p) => [p.id, p.text])).toEqual([
      ['hello.prompt', 'Hello.'],
      ['menu.prompt', ASK.ja],
    ]);
  });

  it('Japanese prompts after choosing 2 in the shipped service-desk flow', async () => {
    vi.setSystemTime(new Date('2026-03-10T15:00:00Z')); // Tuesday 11:00 in New York: open
    const desk = compile(readFileSync(new URL('../ivr/flows/service-desk.yaml', import.meta.url), 'utf8'));
    const c = await startCall(desk, { attributes: { ani: '+14155550123', 'account.vip': false } });
    expect(c.prompts()).toEqual(['For English, press 1.']);
    await c.press('2');
    expect(c.prompts().at(-1)).toBe('技術サポートは1、請求は2、アカウント番号でのお問い合わせは3、担当者は0を押してください。');
    await c.press('4'); // not an option
    expect(c.prompts().at(-1)).toBe('その番号は選べません。');
    await c.press('3');
    expect(c.prompts().at(-1)).toBe('アカウント番号を入力し、最後にシャープを押してください。');
  });
});

describe('branch', () => {
  const branchFlow = compile(
    yaml`
      name: br
      start: route
      nodes:
        route:
          kind: branch
          rules:
            - when: { attribute: account.vip, equals: true }
              next: vip
            - when: { attribute: account.tier, in: [gold, silver] }
              next: tiered
            - when: { accountExists: account.number }
              next: known
            - when: { attribute: caller.known, equals: "true" }
              next: matched
            - when: { attribute: account.number, exists: false }
              next: stranger
          default: other
        vip: { kind: queue, queue: vip, priority: 9 }
        tiered: { kind: queue, queue: tiered }
        known: { kind: queue, queue: known }
        matched: { kind: queue, queue: matched }
        stranger: { kind: queue, queue: stranger }
        other: { kind: queue, queue: other }
    `,
    { accountExists: (n) => n === 'ACC-1' },
  );
  const base = { ani: '+14155550123', dnis: '+18005550100', 'caller.match': 'none', 'caller.known': false, 'account.number': null, 'account.tier': null, 'account.vip': false };
  const cases: Array<[string, Record<string, AttributeValue>, string]> = [
    ['a VIP account (the first rule wins over the tier)', { 'caller.match': 'one', 'caller.known': true, 'account.number': 'ACC-1', 'account.tier': 'gold', 'account.vip': true }, 'vip'],
    ['a tier in the list', { 'caller.match': 'one', 'caller.known': true, 'account.number': 'ACC-2', 'account.tier': 'silver' }, 'tiered'],
    ['an account number that exists', { 'caller.match': 'one', 'caller.known': true, 'account.number': 'ACC-1', 'account.tier': 'standard' }, 'known'],
    ['a known caller whose account does not exist (boolean equals "true")', { 'caller.match': 'many', 'caller.known': true, 'account.number': 'ACC-9' }, 'matched'],
    ['no account number at all (exists: false on null)', {}, 'stranger'],
    ['nothing holds: the default', { 'account.number': 'ACC-9' }, 'other'],
  ];
  for (const [name, attrs, queue] of cases) {
    it(`routes ${name} to ${queue}`, async () => {
      const c = await startCall(branchFlow, { attributes: { ...base, ...attrs } });
      expect(c.outcome()).toMatchObject({ outcome: 'queue', queue });
      expect(c.steps().slice(0, 2)).toEqual(['route entered', `route branched ${queue}`]);
      expect(c.outcome()?.attributes).toMatchObject({ ...base, ...attrs });
    });
  }

  it('accountExists is false without the compile option', async () => {
    const text = branchFlow.text;
    const c = await startCall(compile(text), { attributes: { ...base, 'account.number': 'ACC-1' } });
    expect(c.outcome()).toMatchObject({ queue: 'other' });
  });
});

describe('terminals', () => {
  const terminals = compile(yaml`
    name: term
    start: menu
    nodes:
      menu:
        kind: menu
        prompt: { en: "Pick." }
        options: { "1": queue, "2": callback, "3": voicemail, "4": transfer, "5": bye, "6": number }
        noInput: { timeoutMs: 5000 }
        invalid: { prompt: { en: "No." } }
        fallback: bare
      queue:
        kind: queue
        queue: sales
        priority: 3
        prompt: { en: "Please hold." }
      bare: { kind: queue, queue: general }
      callback:
        kind: callback
        prompt: { en: "We will call you." }
        queue: general
      number:
        kind: gather
        prompt: { en: "Your number?" }
        attribute: callbackNumber
        minDigits: 10
        maxDigits: 10
        invalid: { prompt: { en: "No." } }
        noInput: { prompt: { en: "None." } }
        next: callback-to
        fallback: bare
      callback-to:
        kind: callback
        prompt: { en: "We will call you." }
        number: { attribute: callbackNumber }
        queue: general
      voicemail:
        kind: voicemail
        prompt: { en: "After the tone." }
        maxSeconds: 60
        queue: general
      transfer:
        kind: transfer
        prompt: { en: "Transferring." }
        to: "+442071234567"
      bye:
        kind: hangup
        prompt: { en: "Goodbye." }
  `);
  const pick = async (key: string): Promise<IvrCall> => {
    const c = await startCall(terminals, { from: '+14155550123', attributes: { ani: '+14155550123' } });
    await c.press(key);
    return c;
  };

  it('queue: plays its prompt first, then ends with the queue and priority', async () => {
    const c = await pick('1');
    expect(c.outcome()).toBeNull();
    await c.wait(promptMs('Please hold.'));
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales', priority: 3 });
    expect(c.heard().at(-1)).toMatchObject({ id: 'queue.prompt', completed: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('queue without a prompt ends at once (priority 0)', async () => {
    const c = await startCall(terminals);
    await c.wait(promptMs('Pick.') + 3 * 5_000 + 2 * promptMs('Pick.') + promptMs('Pick.'));
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'general', priority: 0 });
  });

  it('callback: the number to call back is the ANI by default', async () => {
    const c = await pick('2');
    await c.wait(promptMs('We will call you.'));
    expect(c.outcome()).toMatchObject({ outcome: 'callback', queue: 'general', number: '+14155550123' });
    expect(c.steps().at(-1)).toBe('callback callback general');
  });

  it('callback: or a gathered attribute', async () => {
    const c = await pick('6');
    await c.press('4155550199');
    await c.wait(promptMs('We will call you.'));
    expect(c.outcome()).toMatchObject({ outcome: 'callback', number: '4155550199' });
  });

  it('voicemail: records after its prompt until #, with the recording id in the result', async () => {
    const c = await pick('3');
    await c.wait(promptMs('After the tone.'));
    const started = c.sim.transcript(c.callId).entries.find((e) => e.type === 'recording.started');
    expect(started).toBeDefined();
    await c.wait(10_000);
    expect(c.outcome()).toBeNull();
    await c.press('#');
    expect(c.outcome()).toMatchObject({ outcome: 'voicemail', queue: 'general', recording: (started as { recording: string }).recording });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('voicemail: stops at maxSeconds', async () => {
    const c = await pick('3');
    await c.wait(promptMs('After the tone.') + 60_000 - 1);
    expect(c.outcome()).toBeNull();
    await c.wait(1);
    expect(c.outcome()).toMatchObject({ outcome: 'voicemail', recording: `voicemail-${c.callId}` });
  });

  it('transfer: asks the PBX to transfer, and ends with the transfer (regression: the PBX ending the leg read as a caller hangup)', async () => {
    const c = await pick('4');
    await c.wait(promptMs('Transferring.'));
    expect(c.sim.transcript(c.callId).entries.filter((e) => e.type === 'call.transferred')).toMatchObject([{ to: '+442071234567' }]);
    expect(c.outcome()).toMatchObject({ outcome: 'transfer', to: '+442071234567' });
    expect(c.steps().at(-1)).toBe('transfer transferred +442071234567');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hangup: plays its prompt, then the PBX hangs up (regression: reported as caller-hangup)', async () => {
    const c = await pick('5');
    await c.wait(promptMs('Goodbye.') - 1);
    expect(c.sim.transcript(c.callId).ended).toBe(false);
    await c.wait(1);
    expect(c.sim.transcript(c.callId).entries.at(-1)).toMatchObject({ type: 'call.ended', reason: 'system-hangup' });
    expect(c.outcome()).toMatchObject({ outcome: 'hangup' });
    expect(c.steps().at(-1)).toBe('bye hangup');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('transfer: a PBX error fails the flow (the connector then routes the caller to a human)', async () => {
    const c = await startCall(terminals);
    c.sim.transfer = async () => {
      throw new AdapterError('PBX_REJECTED', 'no trunk', { adapterId: 'sim' });
    };
    await c.press('4');
    await c.wait(promptMs('Transferring.'));
    expect(c.outcome()).toMatchObject({ outcome: 'failed', error: { code: 'PBX_REJECTED' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});
