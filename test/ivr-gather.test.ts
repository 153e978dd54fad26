/**
 * IVR timing rules for gather nodes, with fake timers: first-digit, inter-digit
 * and overall timeouts, the finish key, maxDigits, min/max and pattern checks,
 * retries, the call attribute, and sensitive entries that never show.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MASK } from '../ivr/flow/context.js';
import { compile, promptMs, startCall, yaml } from './helpers/ivr-harness.js';

const ENTER = 'Enter your PIN.';
const NOT_VALID = 'Not valid.';
const NO_ENTRY = 'No entry.';
const ENTER_MS = promptMs(ENTER);
const NOT_VALID_MS = promptMs(NOT_VALID);
const NO_ENTRY_MS = promptMs(NO_ENTRY);

/** A gather with every knob set; `extra` lines are added to the node. */
const gatherFlow = (extra = '') =>
  compile(yaml`
    name: g
    start: pin
    nodes:
      pin:
        kind: gather
        prompt: { en: "${ENTER}" }
        attribute: pin
        minDigits: 4
        maxDigits: 6
        finishKey: "#"
        firstDigitTimeoutMs: 5000
        interDigitTimeoutMs: 3000
        overallTimeoutMs: 20000
        pattern: "^[1-9][0-9]*$"
        invalid: { prompt: { en: "${NOT_VALID}" } }
        noInput: { prompt: { en: "${NO_ENTRY}" } }
        retries: 2
        next: check
        fallback: agent${extra}
      check:
        kind: branch
        rules:
          - when: { attribute: pin, equals: "1234" }
            next: ok
        default: other
      ok: { kind: queue, queue: sales }
      other: { kind: queue, queue: support }
      agent: { kind: queue, queue: general }
  `);
const G = gatherFlow();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('gather', () => {
  it('the first key interrupts the prompt; the finish key ends the entry and is not stored', async () => {
    const c = await startCall(G);
    await c.wait(300);
    await c.press('1');
    expect(c.heard()).toEqual([{ id: 'pin.prompt', text: ENTER, completed: false }]);
    await c.press('234#');
    const out = c.outcome();
    expect(out).toMatchObject({ outcome: 'queue', queue: 'sales', attributes: { pin: '1234' } });
    expect(c.steps()).toEqual(['pin entered', 'pin gathered 1234', 'check entered', 'check branched ok', 'ok entered', 'ok routed sales']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the first-digit timeout starts when the prompt ends', async () => {
    const c = await startCall(G);
    await c.wait(ENTER_MS + 5_000 - 1);
    expect(c.heard().map((p) => p.id)).toEqual(['pin.prompt']);
    await c.wait(1);
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['pin.prompt', true],
      ['pin.noInput', null],
    ]);
    expect(c.steps()).toEqual(['pin entered', 'pin no-input']);
    // The no-input prompt, then a new attempt with the prompt again.
    await c.wait(NO_ENTRY_MS);
    expect(c.heard().at(-1)).toMatchObject({ id: 'pin.prompt', completed: null });
  });

  it('the inter-digit timeout restarts after every key', async () => {
    const c = await startCall(G);
    await c.wait(ENTER_MS);
    await c.press('1');
    await c.wait(2_999);
    await c.press('2');
    await c.wait(2_999);
    await c.press('3');
    await c.wait(2_999);
    await c.press('4');
    await c.wait(2_999);
    expect(c.outcome()).toBeNull();
    await c.wait(1);
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales', attributes: { pin: '1234' } });
  });

  it('an entry cut short by the inter-digit timeout is checked: too few digits is invalid', async () => {
    const c = await startCall(G);
    await c.press('12');
    await c.wait(3_000);
    expect(c.steps()).toEqual(['pin entered', 'pin invalid']);
    expect(c.heard().at(-1)).toMatchObject({ id: 'pin.invalid', completed: null });
    // The next attempt starts empty.
    await c.wait(NOT_VALID_MS);
    await c.press('5678#');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'support', attributes: { pin: '5678' } });
  });

  it('reaching maxDigits ends the entry at once', async () => {
    const c = await startCall(G);
    await c.press('98765');
    expect(c.outcome()).toBeNull();
    await c.press('4');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'support', attributes: { pin: '987654' } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an empty entry (the finish key alone) is a no-input failure (regression: every failed entry ended the flow as failed, "Guard and is not implemented")', async () => {
    const c = await startCall(G);
    await c.press('#');
    expect(c.steps()).toEqual(['pin entered', 'pin no-input']);
    expect(c.heard().at(-1)).toMatchObject({ id: 'pin.noInput' });
  });

  it('an entry failing the pattern or the digit counts is an invalid failure', async () => {
    const c = await startCall(G);
    await c.press('0123#'); // pattern: no leading 0
    expect(c.steps().at(-1)).toBe('pin invalid #');
    await c.wait(NOT_VALID_MS);
    await c.press('12#'); // fewer than minDigits
    expect(c.steps().filter((s) => s.startsWith('pin invalid'))).toHaveLength(2);
    expect(c.outcome()).toBeNull();
  });

  it('retries: 2 -> the third failure goes to the fallback; failures of both kinds count', async () => {
    const c = await startCall(G);
    await c.press('1#'); // 1: invalid
    await c.wait(NOT_VALID_MS + ENTER_MS + 5_000); // 2: no input
    expect(c.steps()).toEqual(['pin entered', 'pin invalid #', 'pin no-input']);
    await c.wait(NO_ENTRY_MS);
    await c.press('#'); // 3: no input
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'general' });
    expect(c.outcome()?.attributes).not.toHaveProperty('pin');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keys during the invalid prompt are kept: they start the next attempt (the prompt plays on)', async () => {
    const c = await startCall(G);
    await c.press('1#');
    await c.wait(100);
    await c.press('1234');
    await c.wait(NOT_VALID_MS);
    // The invalid prompt played to its end; the next attempt already has digits, so no prompt.
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['pin.prompt', false],
      ['pin.invalid', true],
    ]);
    expect(JSON.stringify(c.session.state())).toContain('collecting');
    await c.press('#');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales', attributes: { pin: '1234' } });
  });

  it('without a finish key, # is a digit like any other', async () => {
    const c = await startCall(
      compile(yaml`
        name: nf
        start: code
        nodes:
          code:
            kind: gather
            prompt: { en: "Code?" }
            attribute: code
            maxDigits: 3
            finishKey: null
            invalid: { prompt: { en: "No." } }
            noInput: { prompt: { en: "None." } }
            next: done
            fallback: done
          done: { kind: hangup }
      `),
    );
    await c.press('1#*');
    expect(c.outcome()).toMatchObject({ outcome: 'hangup', attributes: { code: '1#*' } });
  });

  it('a gather whose next is itself enters it again, with its failures reset (regression: it stayed in the node)', async () => {
    const c = await startCall(
      compile(yaml`
        name: again
        start: num
        nodes:
          num:
            kind: gather
            prompt: { en: "Number?" }
            attribute: num
            minDigits: 2
            maxDigits: 4
            invalid: { prompt: { en: "No." } }
            noInput: { prompt: { en: "None." } }
            retries: 1
            next: num
            fallback: done
          done: { kind: hangup }
      `),
    );
    await c.press('1#'); // failure 1 of 2
    await c.wait(promptMs('No.'));
    await c.press('12#'); // valid: num again
    expect(c.heard().at(-1)).toMatchObject({ id: 'num.prompt', completed: null });
    await c.press('3#'); // failure 1 of the new visit: not the fallback
    expect(c.outcome()).toBeNull();
    expect(c.steps()).toEqual(['num entered', 'num invalid #', 'num gathered 12', 'num entered', 'num invalid #']);
  });
});

describe('type-ahead into a gather', () => {
  it('digits pressed during a play node reach the gather, in order', async () => {
    const c = await startCall(
      compile(yaml`
        name: ta
        start: hello
        nodes:
          hello: { kind: play, prompt: { en: "Welcome to the bank." }, next: pin }
          pin:
            kind: gather
            prompt: { en: "${ENTER}" }
            attribute: pin
            minDigits: 4
            maxDigits: 4
            invalid: { prompt: { en: "${NOT_VALID}" } }
            noInput: { prompt: { en: "${NO_ENTRY}" } }
            next: ok
            fallback: ok
          ok: { kind: queue, queue: sales }
      `),
    );
    await c.wait(200);
    await c.press('12'); // the first stops the welcome; both reach the gather
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([['hello.prompt', false]]);
    await c.press('34');
    expect(c.outcome()).toMatchObject({ outcome: 'queue', attributes: { pin: '1234' } });
  });
});

describe('the overall timeout', () => {
  const slow = compile(yaml`
    name: slow
    start: acct
    nodes:
      acct:
        kind: gather
        prompt: { en: "${ENTER}" }
        attribute: acct
        maxDigits: 32
        interDigitTimeoutMs: 3000
        overallTimeoutMs: 8000
        invalid: { prompt: { en: "${NOT_VALID}" } }
        noInput: { prompt: { en: "${NO_ENTRY}" } }
        next: ok
        fallback: agent
      ok: { kind: queue, queue: sales }
      agent: { kind: queue, queue: general }
  `);

  it('ends an attempt 8 s after its prompt started, even while keys keep coming', async () => {
    const c = await startCall(slow);
    for (let t = 0; t <= 7_500; t += 2_500) {
      await c.press('1'); // at 0, 2.5, 5 and 7.5 s: never 3 s apart
      await c.wait(2_500);
    }
    // 10 s now; the entry ended at 8 s with four digits.
    expect(c.outcome()).toMatchObject({ outcome: 'queue', queue: 'sales', attributes: { acct: '1111' } });
  });

  it('fires at exactly 8 s', async () => {
    const c = await startCall(slow);
    await c.wait(ENTER_MS);
    for (let i = 0; i < 3; i++) {
      await c.press('2');
      await c.wait(2_000);
    }
    // keys at 0.75, 2.75 and 4.75 s; now 6.75 s
    await c.press('2');
    await c.wait(8_000 - 6_750 - 1);
    expect(c.outcome()).toBeNull();
    await c.wait(1);
    expect(c.outcome()).toMatchObject({ attributes: { acct: '2222' } });
  });

  it('covers the prompt too: no key at all within it is a no-input failure', async () => {
    const LONG = 'A long prompt that keeps on talking and talking for quite a long while.';
    expect(promptMs(LONG)).toBeGreaterThan(3_000);
    const c = await startCall(
      compile(yaml`
        name: short
        start: acct
        nodes:
          acct:
            kind: gather
            prompt: { en: "${LONG}" }
            attribute: acct
            firstDigitTimeoutMs: 5000
            overallTimeoutMs: 3000
            invalid: { prompt: { en: "${NOT_VALID}" } }
            noInput: { prompt: { en: "${NO_ENTRY}" } }
            next: ok
            fallback: agent
          ok: { kind: queue, queue: sales }
          agent: { kind: queue, queue: general }
      `),
    );
    await c.wait(3_000);
    expect(c.steps()).toEqual(['acct entered', 'acct no-input']);
    expect(c.heard().map((p) => [p.id, p.completed])).toEqual([
      ['acct.prompt', false],
      ['acct.noInput', null],
    ]);
  });

  it('restarts with each attempt', async () => {
    const c = await startCall(slow);
    await c.wait(ENTER_MS + 5_000); // the first-digit timeout (default 5 s): failure 1
    expect(c.steps()).toEqual(['acct entered', 'acct no-input']);
    await c.wait(NO_ENTRY_MS); // the second attempt's prompt starts now
    for (let i = 0; i < 3; i++) {
      await c.press('3');
      await c.wait(2_500);
    }
    expect(c.outcome()).toBeNull(); // 7.5 s into the attempt
    await c.wait(500);
    expect(c.outcome()).toMatchObject({ attributes: { acct: '333' } });
  });
});

describe('a sensitive gather', () => {
  const S = gatherFlow('\n    sensitive: true');

  it('never shows its digits in the path, the attributes or the output', async () => {
    const c = await startCall(S);
    await c.press('0999#'); // invalid: its keys are not in the path either
    expect(JSON.stringify(c.session.path())).not.toMatch(/0999|[0-9]#/);
    await c.wait(NOT_VALID_MS);
    await c.press('1234#');
    const out = c.outcome();
    // The value still drives the flow (the branch on pin = 1234) ...
    expect(out).toMatchObject({ outcome: 'queue', queue: 'sales' });
    // ... but shows masked everywhere.
    expect(out?.attributes.pin).toBe(MASK);
    expect(c.steps()).toContain(`pin gathered ${MASK}`);
    const shown = JSON.stringify(out);
    for (const secret of ['1234', '0999']) expect(shown).not.toContain(secret);
    expect(out?.path.filter((s) => s.key !== undefined)).toEqual([]);
  });
});
