/**
 * The default menu ("For support, press 1. For billing, press 2.") driven
 * through the simulator PBX with fake timers: no sleeps, time is advanced.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { compile, startCall as startFlowCall, type IvrCall } from './helpers/ivr-harness.js';

const MAIN = compile(readFileSync(new URL('../ivr/flows/main.yaml', import.meta.url), 'utf8'));

// 20 characters a second: welcome 1.1 s, menu 2.15 s, invalid 1.35 s.
const CPS = 20;
const WELCOME_MS = 1_100;
const MENU_MS = 2_150;
const NO_INPUT_MS = 5_000;

type Harness = IvrCall;

/** A call in the default menu; `slowAnswer` lets a test hang up during `answering`. */
const startCall = (opts: { slowAnswer?: boolean } = {}): Promise<Harness> => startFlowCall(MAIN, { cps: CPS, ...opts });

describe('the default flow (ivr/flows/main.yaml)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers and plays the welcome then the menu', async () => {
    const h = await startCall();
    expect(h.sim.transcript(h.callId).entries.map((e) => e.type)).toContain('call.answered');
    expect(h.prompts()).toEqual(['Thank you for calling.']);
    await vi.advanceTimersByTimeAsync(WELCOME_MS);
    expect(h.prompts()).toEqual(['Thank you for calling.', 'For support, press 1. For billing, press 2.']);
    expect(h.outcome()).toBeNull();
  });

  it('press 1 routes to the support queue and records the path', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS);
    h.sim.sendDigits(h.callId, '1');
    await vi.advanceTimersByTimeAsync(0);
    const out = h.outcome();
    expect(out).toMatchObject({ outcome: 'queue', queue: 'support' });
    expect(out?.path.map((s) => [s.node, s.event, s.key ?? s.queue ?? null])).toEqual([
      ['welcome', 'entered', null],
      ['main-menu', 'entered', null],
      ['main-menu', 'key', '1'],
      ['support', 'entered', null],
      ['support', 'routed', 'support'],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('press 2 routes to the billing queue', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS);
    h.sim.sendDigits(h.callId, '2');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcome()).toMatchObject({ outcome: 'queue', queue: 'billing' });
  });

  it('a key pressed during a prompt counts and stops the prompt', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + 500); // halfway through the menu prompt
    h.sim.sendDigits(h.callId, '2');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcome()).toMatchObject({ outcome: 'queue', queue: 'billing' });
    expect(h.finished()).toEqual([{ completed: true }, { completed: false }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a key pressed during the welcome counts too', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(300);
    h.sim.sendDigits(h.callId, '1');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcome()).toMatchObject({ outcome: 'queue', queue: 'support' });
    expect(h.prompts()).toEqual(['Thank you for calling.']);
    expect(h.finished()).toEqual([{ completed: false }]);
  });

  it('no input reprompts the menu, without the welcome', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS + NO_INPUT_MS - 1);
    expect(h.prompts()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.prompts()).toEqual(['Thank you for calling.', 'For support, press 1. For billing, press 2.', 'For support, press 1. For billing, press 2.']);
    expect(h.session.path().at(-1)).toMatchObject({ event: 'no-input' });
    expect(h.outcome()).toBeNull();
  });

  it('an invalid key says so and reprompts', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS);
    h.sim.sendDigits(h.callId, '7');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.prompts().at(-1)).toBe('That is not a valid choice.');
    await vi.advanceTimersByTimeAsync(1_350);
    expect(h.prompts().at(-1)).toBe('For support, press 1. For billing, press 2.');
    expect(h.session.path().at(-1)).toMatchObject({ event: 'invalid', key: '7' });
    // A valid key during the "not valid" prompt still counts.
    h.sim.sendDigits(h.callId, '1');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcome()).toMatchObject({ outcome: 'queue', queue: 'support' });
  });

  it('three failures of any kind send the caller to the general queue', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS);
    h.sim.sendDigits(h.callId, '9'); // failure 1
    await vi.advanceTimersByTimeAsync(1_350 + MENU_MS + NO_INPUT_MS); // failure 2: no input
    expect(h.outcome()).toBeNull();
    h.sim.sendDigits(h.callId, '*'); // failure 3, during the reprompt
    await vi.advanceTimersByTimeAsync(0);
    const out = h.outcome();
    expect(out).toMatchObject({ outcome: 'queue', queue: 'general' });
    expect(out?.path.map((s) => s.event)).toEqual(['entered', 'entered', 'invalid', 'no-input', 'invalid', 'entered', 'routed']);
    expect(out?.path.at(-1)).toMatchObject({ node: 'general', queue: 'general' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('three silent timeouts send the caller to the general queue', async () => {
    const h = await startCall();
    await vi.advanceTimersByTimeAsync(WELCOME_MS + 3 * (MENU_MS + NO_INPUT_MS));
    expect(h.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
    expect(h.prompts().filter((p) => p.startsWith('For support'))).toHaveLength(3);
  });

  // A hangup in every state the caller can be in: each ends the session with
  // outcome `hangup` and leaves no timer or playback behind.
  const moments: Array<[string, (h: Harness) => Promise<void>, string]> = [
    ['answering', async () => {}, 'answering'],
    ['welcome prompt', async () => void (await vi.advanceTimersByTimeAsync(100)), 'welcome'],
    ['menu prompt', async () => void (await vi.advanceTimersByTimeAsync(WELCOME_MS + 100)), 'prompting'],
    ['waiting for a key', async () => void (await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS + 100)), 'waiting'],
    [
      'invalid-choice prompt',
      async (h) => {
        await vi.advanceTimersByTimeAsync(WELCOME_MS + MENU_MS);
        h.sim.sendDigits(h.callId, '5');
        await vi.advanceTimersByTimeAsync(100);
      },
      'invalid',
    ],
  ];
  for (const [name, reach, subState] of moments) {
    it(`a hangup during ${name} ends the session cleanly`, async () => {
      const h = await startCall({ slowAnswer: name === 'answering' });
      await reach(h);
      expect(JSON.stringify(h.session.state())).toContain(subState);
      h.sim.callerHangup(h.callId);
      await vi.advanceTimersByTimeAsync(0);
      expect(h.outcome()).toMatchObject({ outcome: 'caller-hangup' });
      expect(h.session.path().at(-1)).toMatchObject({ event: 'hangup' });
      expect(vi.getTimerCount()).toBe(0);
    });
  }

  it('keys after the session ended are ignored', async () => {
    const h = await startCall();
    h.session.dtmf('1');
    await vi.advanceTimersByTimeAsync(0);
    const first = h.outcome();
    h.session.dtmf('2');
    h.session.hangup();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcome()).toBe(first);
  });
});
