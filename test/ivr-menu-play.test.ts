/**
 * IVR timing rules for menus and play nodes, on tiny inline flows, with fake
 * timers (see docs/ivr.md): keys during any menu prompt, the no-input timer,
 * retries counted per visit, barge-in and type-ahead.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compile, promptMs, startCall, yaml } from './helpers/ivr-harness.js';

const MENU = 'Press 1 for sales.';
const INVALID = 'Not a valid key.';
const STILL = 'Still there?';
const MENU_MS = promptMs(MENU);
const INVALID_MS = promptMs(INVALID);
const STILL_MS = promptMs(STILL);
const NO_INPUT_MS = 3_000;

/** A menu: 1 -> sales, 9 -> the menu again ("repeat"); three failures -> agent. */
const menuFlow = compile(yaml`
  name: m
  start: menu
  nodes:
    menu:
      kind: menu
      prompt: { en: "${MENU}" }
      options: { "1": sales, "9": menu }
      noInput: { timeoutMs: ${NO_INPUT_MS}, prompt: { en: "${STILL}" } }
      invalid: { prompt: { en: "${INVALID}" } }
      retries: 2
      fallback: agent
    sales: { kind: queue, queue: sales }
    agent: { kind: queue, queue: general }
`);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('menu', () => {
  it('takes a key during its prompt at once and stops the prompt', async () => {
    const c = await startCall(menuFlow);
    await c.wait(300);
    await c.press('1');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales' });
    expect(c.heard()).toEqual([{ id: 'menu.prompt', text: MENU, completed: false }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts the no-input timer when the menu prompt ends', async () => {
    const c = await startCall(menuFlow);
    await c.wait(MENU_MS + NO_INPUT_MS - 1);
    expect(c.heard().map((p) => p.id)).toEqual(['menu.prompt']);
    await c.wait(1);
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['menu.prompt', true],
      ['menu.noInput', null],
    ]);
    expect(c.steps().at(-1)).toBe('menu no-input');
    // The no-input prompt, then the menu prompt again, then a fresh timer.
    await c.wait(STILL_MS);
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.prompt', completed: null });
    await c.wait(MENU_MS + NO_INPUT_MS - 1);
    expect(c.steps().filter((s) => s === 'menu no-input')).toHaveLength(1);
  });

  it('takes a key during the no-input prompt and stops it', async () => {
    const c = await startCall(menuFlow);
    await c.wait(MENU_MS + NO_INPUT_MS + 100);
    await c.press('1');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales' });
    expect(c.heard().at(-1)).toEqual({ id: 'menu.noInput', text: STILL, completed: false });
  });

  it('takes a key during the invalid prompt and stops it', async () => {
    const c = await startCall(menuFlow);
    await c.press('5');
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['menu.prompt', false],
      ['menu.invalid', null],
    ]);
    await c.wait(100);
    await c.press('1');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales' });
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.invalid', completed: false });
    expect(c.steps()).toEqual(['menu entered', 'menu invalid 5', 'menu key 1', 'sales entered', 'sales routed sales']);
  });

  it('two invalid keys in a row restart the invalid prompt', async () => {
    const c = await startCall(menuFlow);
    await c.wait(MENU_MS);
    await c.press('7');
    await c.wait(INVALID_MS / 2);
    await c.press('8');
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['menu.prompt', true],
      ['menu.invalid', false],
      ['menu.invalid', null],
    ]);
    // The restarted prompt plays in full, then the menu prompt.
    await c.wait(INVALID_MS - 1);
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.invalid', completed: null });
    await c.wait(1);
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.prompt', completed: null });
    expect(c.steps()).toEqual(['menu entered', 'menu invalid 7', 'menu invalid 8']);
  });

  it('retries: 2 -> the third failure (of any kind) goes to the fallback', async () => {
    const c = await startCall(menuFlow);
    await c.press('7'); // 1: invalid
    await c.wait(INVALID_MS + MENU_MS + NO_INPUT_MS); // 2: no input
    expect(c.outcome()).toBeNull();
    await c.wait(STILL_MS + 100);
    await c.press('*'); // 3: invalid, during the menu prompt
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
    expect(c.steps()).toEqual(['menu entered', 'menu invalid 7', 'menu no-input', 'menu invalid *', 'agent entered', 'agent routed general']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries: 0 sends the first failure to the fallback', async () => {
    const flow = compile(yaml`
      name: m0
      start: menu
      nodes:
        menu:
          kind: menu
          prompt: { en: "Press 1." }
          options: { "1": sales }
          noInput: { timeoutMs: 1000 }
          invalid: { prompt: { en: "No." } }
          retries: 0
          fallback: agent
        sales: { kind: queue, queue: sales }
        agent: { kind: queue, queue: general }
    `);
    const silent = await startCall(flow);
    await silent.wait(promptMs('Press 1.') + 1_000);
    expect(silent.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
    const wrong = await startCall(flow);
    await wrong.press('2');
    expect(wrong.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
  });

  it('counts failures per visit: entering the menu again starts from zero (regression: an option naming its own menu did not re-enter it)', async () => {
    const c = await startCall(menuFlow);
    await c.press('7'); // failure 1
    await c.press('8'); // failure 2
    await c.press('9'); // "repeat": the menu is entered again
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.prompt', completed: null });
    await c.press('7'); // failure 1 of the new visit, not the third
    expect(c.outcome()).toBeNull();
    expect(c.heard().at(-1)).toMatchObject({ id: 'menu.invalid', completed: null });
    await c.press('8');
    expect(c.outcome()).toBeNull();
    await c.press('6'); // the third failure of this visit
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
    expect(c.steps().slice(0, 6)).toEqual(['menu entered', 'menu invalid 7', 'menu invalid 8', 'menu key 9', 'menu entered', 'menu invalid 7']);
  });
});

/** play -> menu, with barge-in on or off. */
const playFlow = (bargeIn: boolean) =>
  compile(yaml`
    name: p
    start: hello
    nodes:
      hello:
        kind: play
        prompt: { en: "Welcome to the company." }
        bargeIn: ${bargeIn}
        next: menu
      menu:
        kind: menu
        prompt: { en: "${MENU}" }
        options: { "1": sales, "2": support }
        noInput: { timeoutMs: ${NO_INPUT_MS} }
        invalid: { prompt: { en: "${INVALID}" } }
        fallback: agent
      sales: { kind: queue, queue: sales }
      support: { kind: queue, queue: support }
      agent: { kind: queue, queue: general }
  `);
const HELLO_MS = promptMs('Welcome to the company.');

describe('play', () => {
  it('plays its prompt, then goes on to next', async () => {
    const c = await startCall(playFlow(true));
    await c.wait(HELLO_MS - 1);
    expect(c.heard()).toEqual([{ id: 'hello.prompt', text: 'Welcome to the company.', completed: null }]);
    await c.wait(1);
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['hello.prompt', true],
      ['menu.prompt', null],
    ]);
  });

  it('barge-in (the default): a key stops the prompt and type-ahead reaches the menu', async () => {
    const c = await startCall(playFlow(true));
    await c.wait(200);
    await c.press('2');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'support' });
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([['hello.prompt', false]]);
    expect(c.steps()).toEqual(['hello entered', 'menu entered', 'menu key 2', 'support entered', 'support routed support']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('replays type-ahead keys to the menu in order', async () => {
    const c = await startCall(playFlow(true));
    await c.press('5'); // stops the prompt, then is an invalid key in the menu
    await c.press('1');
    expect(c.steps()).toEqual(['hello entered', 'menu entered', 'menu invalid 5', 'menu key 1', 'sales entered', 'sales routed sales']);
  });

  it('bargeIn: false plays the prompt to its end and keeps the keys for the menu', async () => {
    const c = await startCall(playFlow(false));
    await c.wait(200);
    await c.press('7');
    await c.press('2');
    await c.wait(HELLO_MS - 201);
    expect(c.outcome()).toBeNull();
    expect(c.heard()).toEqual([{ id: 'hello.prompt', text: 'Welcome to the company.', completed: null }]);
    await c.wait(1);
    expect(c.heard().map((p) => p.id)).toEqual(['hello.prompt']);
    expect(c.finished()).toEqual([{ completed: true }]);
    expect(c.steps()).toEqual(['hello entered', 'menu entered', 'menu invalid 7', 'menu key 2', 'support entered', 'support routed support']);
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'support' });
  });

  it('a key during answering is kept for the first collecting node', async () => {
    const c = await startCall(playFlow(false), { slowAnswer: true });
    c.session.dtmf('1');
    await c.wait(1_000 + HELLO_MS);
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales' });
  });
});
