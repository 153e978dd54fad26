/**
 * The flow validator on broken flows: each case asserts every problem it reports,
 * with its path, its line in the file and its message (what `switchboard flow
 * validate` prints). Line 1 is the `name:` line of each inline flow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFlowText, type FlowProblem } from '../ivr/flow/validate.js';
import { yaml } from './helpers/ivr-harness.js';

const problems = (text: string, opts: { queues?: ReadonlySet<string> } = {}): FlowProblem[] => {
  const v = validateFlowText(text, opts);
  return v.ok ? [] : v.problems;
};
const p = (line: number, path: string, message: string): FlowProblem => ({ path, line, message });

/** A valid menu node body, for flows that break something else. */
const MENU_TAIL = `noInput: { timeoutMs: 5000 }
    invalid: { prompt: { en: "No." } }`;

describe('flow validation: broken flows', () => {
  it('a YAML syntax error, with its line (regression: the line was null)', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a: { kind: hangup
          b: { kind: hangup }
      `),
    ).toEqual([p(5, '(file)', 'Flow map in block collection must be sufficiently indented and end with a }')]);
  });

  it('a duplicate key', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        start: b
        nodes:
          a: { kind: hangup }
      `),
    ).toEqual([p(3, '(file)', 'Map keys must be unique')]);
  });

  it('an unknown node kind', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: dance
      `),
    ).toEqual([p(5, 'nodes.a.kind', 'expected kind: menu, gather, play, branch, hours, language, queue, callback, voicemail, transfer or hangup')]);
  });

  it('an unknown key in a node, on the line of the key (regression: the line of its node)', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: hangup
            promt: { en: "Bye." }
      `),
    ).toEqual([p(6, 'nodes.a', 'unknown key "promt"')]);
  });

  it('a dangling target, and a dangling start', () => {
    expect(
      problems(yaml`
        name: t
        start: begin
        nodes:
          a:
            kind: play
            prompt: { en: "Hi." }
            next: nowhere
      `),
    ).toEqual([p(2, 'start', 'unknown node "begin"'), p(7, 'nodes.a.next', 'unknown node "nowhere"')]);
  });

  it('an unreachable node', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a: { kind: hangup }
          b: { kind: queue, queue: sales }
      `),
    ).toEqual([p(5, 'nodes.b', 'unreachable: no path from the start node leads here')]);
  });

  it('a loop the caller can leave is fine ("press 2 to hear this again")', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: menu
            prompt: { en: "1 or 2" }
            options: { "1": c, "2": b }
            ${MENU_TAIL}
            fallback: c
          b:
            kind: play
            prompt: { en: "Again." }
            next: a
          c: { kind: hangup }
      `),
    ).toEqual([]);
  });

  it('a loop with no way out (whatever the caller presses, nothing ends)', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: menu
            prompt: { en: "1 or 2" }
            options: { "1": c, "2": d }
            ${MENU_TAIL}
            fallback: c
          c: { kind: hangup }
          d:
            kind: menu
            prompt: { en: "Again?" }
            options: { "1": e }
            ${MENU_TAIL}
            fallback: e
          e:
            kind: play
            prompt: { en: "E." }
            next: d
      `),
    ).toEqual([
      p(12, 'nodes.d', 'a loop with no way out: no path from here reaches a queue, callback, voicemail, transfer or hangup'),
      p(19, 'nodes.e', 'a loop with no way out: no path from here reaches a queue, callback, voicemail, transfer or hangup'),
      p(12, 'nodes.d', 'a caller who presses nothing loops forever: d -> e -> d (a fallback or next must lead out)'),
    ]);
  });

  it('a silent caller loop: two menus whose fallbacks point at each other', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: menu
            prompt: { en: "Press 1." }
            options: { "1": q }
            ${MENU_TAIL}
            fallback: b
          b:
            kind: menu
            prompt: { en: "Press 2." }
            options: { "2": q }
            ${MENU_TAIL}
            fallback: a
          q: { kind: queue, queue: sales }
      `),
    ).toEqual([p(4, 'nodes.a', 'a caller who presses nothing loops forever: a -> b -> a (a fallback or next must lead out)')]);
  });

  it('a menu without noInput or invalid', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: menu
            prompt: { en: "Press 1." }
            options: { "1": q }
            fallback: q
          q: { kind: queue, queue: sales }
      `),
    ).toEqual([p(4, 'nodes.a.noInput', 'required'), p(4, 'nodes.a.invalid', 'required')]);
  });

  it('a prompt missing for a declared language, and a language that is not declared', () => {
    expect(
      problems(yaml`
        name: t
        languages: [en, ja]
        start: a
        nodes:
          a:
            kind: language
            prompt: { en: "English 1", ja: "日本語 2" }
            options: { "1": en, "2": fr }
            next: b
          b:
            kind: hangup
            prompt:
              en: "Bye."
              de: "Tschüss."
      `),
    ).toEqual([
      p(8, 'nodes.a.options.2', '"fr" is not one of the flow\'s languages'),
      p(12, 'nodes.b.prompt', 'missing the "ja" prompt'),
      p(14, 'nodes.b.prompt.de', '"de" is not one of the flow\'s languages'),
    ]);
  });

  it('a default language that is not declared', () => {
    expect(
      problems(yaml`
        name: t
        languages: [ja]
        defaultLanguage: en
        start: a
        nodes:
          a: { kind: hangup }
      `),
    ).toEqual([p(3, 'defaultLanguage', '"en" is not one of the flow\'s languages')]);
  });

  it('an unknown queue, when the configured queues are given', () => {
    const text = yaml`
      name: t
      start: a
      nodes:
        a:
          kind: menu
          prompt: { en: "Press 1." }
          options: { "1": q, "2": v }
          ${MENU_TAIL}
          fallback: q
        q: { kind: queue, queue: sales }
        v: { kind: voicemail, prompt: { en: "Tone." }, queue: nosuch }
    `;
    expect(problems(text)).toEqual([]);
    expect(problems(text, { queues: new Set(['sales', 'general']) })).toEqual([p(12, 'nodes.v.queue', 'unknown queue "nosuch" (configured: sales, general)')]);
  });

  it('a bad regex pattern, and minDigits > maxDigits', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: gather
            prompt: { en: "PIN?" }
            attribute: pin
            minDigits: 6
            maxDigits: 4
            pattern: "[0-9"
            invalid: { prompt: { en: "Bad." } }
            noInput: { prompt: { en: "None." } }
            next: b
            fallback: b
          b: { kind: hangup }
      `),
    ).toEqual([p(10, 'nodes.a.pattern', 'expected a valid regular expression'), p(8, 'nodes.a.minDigits', 'expected minDigits <= maxDigits')]);
  });

  it('a bad time zone, and a transfer number that is not E.164', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: hours
            timezone: Mars/Olympus_Mons
            weekly: { mon: ["09:00-17:00"] }
            open: b
            closed: b
          b:
            kind: transfer
            to: "4155550100"
      `),
    ).toEqual([
      p(6, 'nodes.a.timezone', 'expected an IANA time zone such as America/New_York'),
      p(12, 'nodes.b.to', 'expected an E.164 number such as +14155550100'),
    ]);
  });

  it('a bad time range, a bad holiday date and a timeout out of range', () => {
    expect(
      problems(yaml`
        name: t
        start: a
        nodes:
          a:
            kind: hours
            timezone: UTC
            weekly: { mon: ["9:00-17:00"] }
            holidays: [{ date: "25/12/2026" }]
            open: b
            closed: b
          b:
            kind: language
            prompt: { en: "1?" }
            options: { "1": en }
            timeoutMs: 100
            next: c
          c: { kind: hangup }
      `),
    ).toEqual([
      p(7, 'nodes.a.weekly.mon[0]', 'expected a time range such as 09:00-17:30'),
      p(8, 'nodes.a.holidays[0].date', 'expected YYYY-MM-DD'),
      p(15, 'nodes.b.timeoutMs', 'expected at least 1000 ms'),
    ]);
  });
});

describe('flow validation: the shipped flows', () => {
  const dir = new URL('../ivr/flows/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('ships at least the default flow', () => {
    expect(files).toContain('main.yaml');
  });

  for (const file of files) {
    it(`${file} validates clean, with the configured queues`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(problems(text)).toEqual([]);
      expect(problems(text, { queues: new Set(['general', 'support', 'billing']) })).toEqual([]);
    });
  }
});

describe('opening hours', () => {
  it('an overnight range is refused with a way to write it', () => {
    const v = validateFlowText(`name: x
start: h
nodes:
  h:
    kind: hours
    timezone: Europe/London
    weekly: { fri: ["22:00-06:00"] }
    open: q
    closed: q
  q: { kind: queue, queue: general }
`);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems).toEqual([
      { path: 'nodes.h.weekly.fri[0]', line: 7, message: 'expected the end after the start; split overnight hours over two days (22:00-24:00, then 00:00-06:00)' },
    ]);
  });
});
