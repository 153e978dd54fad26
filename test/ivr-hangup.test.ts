/**
 * A caller hanging up in any state of a flow ends the session as `caller-hangup`,
 * with no timer and no playback left behind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compile, promptMs, startCall, yaml, type IvrCall } from './helpers/ivr-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a caller hanging up', () => {
  /** Every node kind, each reachable by keys: 1 = English, then 1..6 in the menu. */
  const all = compile(yaml`
    name: all
    start: hello
    nodes:
      hello: { kind: play, prompt: { en: "Hello." }, next: lang }
      lang:
        kind: language
        prompt: { en: "Press 1 for English." }
        options: { "1": en }
        timeoutMs: 2000
        next: menu
      menu:
        kind: menu
        prompt: { en: "Pick a service." }
        options: { "1": pin, "2": queue, "3": callback, "4": voicemail, "5": transfer, "6": bye }
        noInput: { timeoutMs: 3000, prompt: { en: "Still there?" } }
        invalid: { prompt: { en: "No." } }
        fallback: queue
      pin:
        kind: gather
        prompt: { en: "Your PIN?" }
        attribute: pin
        minDigits: 2
        invalid: { prompt: { en: "Bad PIN." } }
        noInput: { prompt: { en: "No PIN." } }
        next: route
        fallback: queue
      route:
        kind: branch
        rules: [{ when: { attribute: pin, exists: true }, next: open }]
        default: queue
      open:
        kind: hours
        timezone: UTC
        weekly: { mon: ["00:00-24:00"] }
        open: queue
        closed: queue
      queue: { kind: queue, queue: general, prompt: { en: "Please hold." } }
      callback: { kind: callback, prompt: { en: "We will call you." }, queue: general }
      voicemail: { kind: voicemail, prompt: { en: "After the tone." }, queue: general }
      transfer: { kind: transfer, prompt: { en: "Transferring." }, to: "+14155550100" }
      bye: { kind: hangup, prompt: { en: "Goodbye." } }
  `);
  const wait = (ms: number) => (c: IvrCall) => c.wait(ms);
  const keys = (k: string, then = 100) => async (c: IvrCall) => {
    await c.press(k);
    await c.wait(then);
  };
  const moments: Array<[string, (c: IvrCall) => Promise<void>, string]> = [
    ['answering', async () => {}, '"answering"'],
    ['a play prompt', wait(100), '"node-hello"'],
    ['the language prompt', wait(promptMs('Hello.') + 100), '"node-lang":"prompt-0"'],
    ['the language timeout', wait(promptMs('Hello.') + promptMs('Press 1 for English.') + 100), '"node-lang":"waiting"'],
    ['the menu prompt', keys('1'), '"node-menu":"prompting"'],
    ['the menu no-input wait', keys('1', promptMs('Pick a service.') + 100), '"node-menu":"waiting"'],
    ['the menu invalid prompt', keys('19'), '"node-menu":"invalid"'],
    ['the menu no-input prompt', keys('1', promptMs('Pick a service.') + 3_100), '"node-menu":"noInput"'],
    ['the gather prompt', keys('11'), '"node-pin":{"attempt":"prompting"}'],
    ['a gather entry', keys('115'), '"node-pin":{"attempt":"collecting"}'],
    ['the gather invalid prompt', keys('115#'), '"node-pin":"invalid"'],
    ['the gather no-input prompt', keys('11#'), '"node-pin":"noInput"'],
    ['the queue prompt', keys('12'), '"node-queue":"prompting"'],
    ['the callback prompt', keys('13'), '"node-callback":"prompting"'],
    ['the voicemail prompt', keys('14'), '"node-voicemail":"prompting"'],
    ['the transfer prompt', keys('15'), '"node-transfer":"prompting"'],
    ['the goodbye prompt', keys('16'), '"node-bye":"prompting"'],
  ];
  for (const [name, reach, state] of moments) {
    it(`during ${name} ends the session as caller-hangup, with no timer or playback left`, async () => {
      const c = await startCall(all, { slowAnswer: name === 'answering' });
      await reach(c);
      expect(JSON.stringify(c.session.state())).toContain(state);
      await c.hangup();
      expect(c.outcome()).toMatchObject({ outcome: 'caller-hangup' });
      expect(c.steps().at(-1)).toMatch(/ hangup$/);
      expect(c.heard().filter((p) => p.completed === null)).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
    });
  }

  it('during the voicemail recording keeps the message: most callers end a voicemail by hanging up', async () => {
    const c = await startCall(all);
    await keys('14', promptMs('After the tone.') + 1_000)(c);
    expect(JSON.stringify(c.session.state())).toContain('"node-voicemail":"recording"');
    await c.hangup();
    expect(c.outcome()).toMatchObject({ outcome: 'voicemail', recording: `voicemail-${c.callId}` });
    expect(vi.getTimerCount()).toBe(0);
  });
});
