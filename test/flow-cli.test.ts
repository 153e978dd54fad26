/**
 * `switchboard flow validate | simulate | graph`, run as a real process (through
 * tsx) like test/cli.test.ts. Simulations run on virtual time, so a caller who
 * stays silent through three 5-second timeouts takes no real time, and every
 * run prints the same times.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { edges, validateFlowText } from '../ivr/flow/validate.js';
import { flowToMermaid, nodeEdges } from '../ivr/tools/graph.js';
import { parseKeyScript } from '../ivr/tools/simulate.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sb-flow-cli-'));
const MAIN = 'ivr/flows/main.yaml';
const DESK = 'ivr/flows/service-desk.yaml';
/** A Monday, 10:00 in New York: the service desk is open. */
const MONDAY_OPEN = '2026-11-23T15:00:00Z';
/** A Saturday: closed. */
const SATURDAY = '2026-11-28T15:00:00Z';

async function flow(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'connector/cli/main.ts', 'flow', ...args], {
      env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** The trace's lines as [seconds, text]. */
function trace(stdout: string): Array<[number, string]> {
  return stdout.split('\n').flatMap((l) => {
    const m = /^\s*(\d+\.\d{3})s {2}(.*)$/.exec(l);
    return m ? [[Number(m[1]), m[2] as string] as [number, string]] : [];
  });
}
const at = (t: Array<[number, string]>, text: string, nth = 0): number => {
  const hits = t.filter(([, l]) => l === text);
  if (!hits[nth]) throw new Error(`no line "${text}" (#${nth}) in:\n${t.map(([s, l]) => `${s} ${l}`).join('\n')}`);
  return hits[nth][0];
};

describe('switchboard flow validate', () => {
  it('a valid flow: FILE: ok (N nodes), exit 0', async () => {
    expect(await flow('validate', MAIN)).toMatchObject({ code: 0, stdout: `${MAIN}: ok (5 nodes)\n` });
    expect(await flow('validate', DESK, '--queues', 'support,billing,general')).toMatchObject({ code: 0, stdout: `${DESK}: ok (14 nodes)\n` });
  });

  it('prints every schema problem as FILE:LINE: path: message, exit 2', async () => {
    const f = file(
      'schema-bad.yaml',
      `name: broken
start: menu
nodes:
  menu:
    kind: menu
    prompt: { en: "Press 1." }
    options: { "1": done }
    noInput: { timeoutMs: 500 }
    invalid: { prompt: { en: "No." } }
    fallback: done
  done: { kind: hangup, colour: red }
`,
    );
    const r = await flow('validate', f);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `${f}:8: nodes.menu.noInput.timeoutMs: expected at least 1000 ms`,
      `${f}:11: nodes.done: unknown key "colour"`,
    ]);
  });

  it('graph problems too: a dangling target, with its line', async () => {
    const f = file(
      'graph-bad.yaml',
      `name: broken
start: menu
nodes:
  menu:
    kind: menu
    prompt: { en: "Press 1." }
    options:
      "1": nowhere
    noInput: { timeoutMs: 5000 }
    invalid: { prompt: { en: "No." } }
    fallback: done
  done: { kind: hangup }
`,
    );
    const r = await flow('validate', f);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`${f}:8: nodes.menu.options.1: unknown node "nowhere"`]);
  });

  it('--queues: a queue no agent serves is an error', async () => {
    const r = await flow('validate', MAIN, '--queues', 'support,general');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${MAIN}:\\d+: nodes\\.billing\\.queue: unknown queue "billing" \\(configured: support, general\\)\\n$`));
  });

  it('an unreadable file and a bad command are exit 2', async () => {
    expect(await flow('validate', join(dir, 'missing.yaml'))).toMatchObject({ code: 2, stderr: `${join(dir, 'missing.yaml')}: cannot read (ENOENT)\n` });
    const bad = await flow('frobnicate', MAIN);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown flow command "frobnicate"[\s\S]*usage:/);
  });
});

describe('switchboard flow simulate', () => {
  it('--keys 1: the key cuts the welcome short, the menu takes it, the caller is queued for support', async () => {
    const r = await flow('simulate', MAIN, '--from', '+14155550123', '--keys', '1,#');
    expect(r.code).toBe(0);
    const t = trace(r.stdout).map(([, l]) => l);
    expect(t).toEqual([
      'call answered',
      '-> welcome (play)',
      'says "Thank you for calling." [welcome.prompt, en]',
      'caller presses 1',
      '-> main-menu (menu)',
      'main-menu: key 1 chosen',
      '-> support (queue)',
      'support: to queue support',
      'cut short: welcome.prompt',
      '(the flow has ended; not used: #)',
    ]);
    expect(r.stdout).toContain('outcome: queue support (priority 0)\n');
    expect(r.stdout).toContain('path: welcome > main-menu > support\n');
    expect(r.stdout).toContain('attributes: ani=+14155550123, dnis=+18005550100, caller.match=none');
  });

  it('a silent caller: no input 5 s after each menu prompt ends, the third failure goes to the fallback, on virtual time', async () => {
    const started = Date.now();
    const r = await flow('simulate', MAIN, '--from', '+14155550123');
    expect(r.code).toBe(0);
    const t = trace(r.stdout);
    expect(t.filter(([, l]) => l === 'main-menu: no input')).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(at(t, 'main-menu: no input', i) - at(t, 'end of main-menu.prompt', i)).toBeCloseTo(5, 3);
    }
    expect(at(t, '-> general (queue)')).toBe(at(t, 'main-menu: no input', 2));
    expect(r.stdout).toContain('outcome: queue general (priority 0)\n');
    expect(r.stdout).toMatch(/time in the IVR: 2\d\.\d{3} s \(virtual\)/);
    // 25 s of IVR time, far less of real time (the process start dominates).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('w waits, w<ms> waits that long: a wrong key after the menu prompt, then 2', async () => {
    const r = await flow('simulate', MAIN, '--from', '+14155550123', '--keys', 'w,7,w,w2000,2');
    expect(r.code).toBe(0);
    const t = trace(r.stdout);
    expect(at(t, 'caller presses 7')).toBe(at(t, 'end of main-menu.prompt'));
    expect(t.map(([, l]) => l)).toContain('main-menu: invalid key 7');
    expect(t.map(([, l]) => l)).toContain('says "That is not a valid choice." [main-menu.invalid, en]');
    expect(at(t, 'caller presses 2') - at(t, 'end of main-menu.prompt', 1)).toBeCloseTo(2, 3);
    expect(r.stdout).toContain('outcome: queue billing (priority 0)\n');
  });

  it('--at: the service desk on a Saturday is closed; 1 then # leaves a voicemail', async () => {
    const r = await flow('simulate', DESK, '--from', '+14155550123', '--at', SATURDAY, '--keys', 'w,1,w,w3000,#');
    expect(r.code).toBe(0);
    const t = trace(r.stdout).map(([, l]) => l);
    expect(t).toContain('hours: branch to closed');
    expect(t).toContain('recording...');
    expect(t).toContain('recording stops');
    expect(r.stdout).toMatch(/outcome: voicemail voicemail-\S+ \(queue general\)\n/);
  });

  it('--attr account.vip=true: a VIP caller goes to the priority queue', async () => {
    const r = await flow('simulate', DESK, '--from', '+14155550123', '--at', MONDAY_OPEN, '--attr', 'account.vip=true');
    expect(r.code).toBe(0);
    expect(trace(r.stdout).map(([, l]) => l)).toContain('vip: branch to priority');
    expect(r.stdout).toContain('outcome: queue general (priority 5)\n');
    expect(r.stdout).toContain('account.vip=true');
  });

  it('language 2, then an account number that --accounts knows: Japanese prompts, billing', async () => {
    const r = await flow('simulate', DESK, '--from', '+14155550123', '--at', MONDAY_OPEN, '--keys', '2,3,12345678', '--accounts', '12345678');
    expect(r.code).toBe(0);
    const t = trace(r.stdout).map(([, l]) => l);
    expect(t).toContain('language: language ja');
    expect(t.some((l) => /^says ".+" \[account\.prompt, ja\]$/.test(l))).toBe(true);
    expect(t).toContain('account: accountNumber = 12345678');
    expect(t).toContain('account-check: branch to billing');
    expect(r.stdout).toContain('outcome: queue billing (priority 0)\n');
    expect(r.stdout).toContain('language: ja (of en, ja)\n');
  });

  it('a sensitive gather is masked in the path and the attributes', async () => {
    const f = file(
      'pin.yaml',
      `name: pin
start: pin
nodes:
  pin:
    kind: gather
    prompt: { en: "Enter your PIN." }
    attribute: pin
    minDigits: 4
    maxDigits: 4
    invalid: { prompt: { en: "Wrong." } }
    noInput: { prompt: { en: "Nothing." } }
    sensitive: true
    next: done
    fallback: done
  done: { kind: hangup }
`,
    );
    const r = await flow('simulate', f, '--from', '+14155550123', '--keys', '9876');
    expect(r.code).toBe(0);
    expect(trace(r.stdout).map(([, l]) => l)).toContain('pin: pin = ••••');
    expect(r.stdout).toContain('attributes: ani=+14155550123');
    expect(r.stdout).toContain('pin=••••');
    expect(r.stdout).not.toContain('pin=9876');
    expect(r.stdout).toContain('outcome: hung up by the flow\n');
  });

  it('h: the caller hangs up; the session ends with no timer left', async () => {
    const r = await flow('simulate', DESK, '--from', '+14155550123', '--at', MONDAY_OPEN, '--keys', 'w,h');
    expect(r.code).toBe(0);
    expect(trace(r.stdout).map(([, l]) => l)).toContain('call ended (caller-hangup)');
    expect(r.stdout).toContain('outcome: the caller hung up\n');
    expect(r.stderr).toBe('');
  });

  it('bad usage is exit 2: no --from, a bad key, a bad --at', async () => {
    expect((await flow('simulate', MAIN)).stderr).toMatch(/expected --from NUMBER/);
    const key = await flow('simulate', MAIN, '--from', '+14155550123', '--keys', '1,x');
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/bad key "x"/);
    const when = await flow('simulate', MAIN, '--from', '+14155550123', '--at', 'yesterday');
    expect(when.code).toBe(2);
    expect(when.stderr).toMatch(/--at "yesterday": expected an ISO time/);
  });

  it('parses the key script', () => {
    expect(parseKeyScript('1, #,w5000,1234#,w,h')).toEqual([
      { type: 'keys', keys: '1' },
      { type: 'keys', keys: '#' },
      { type: 'wait', ms: 5000 },
      { type: 'keys', keys: '1234#' },
      { type: 'listen' },
      { type: 'hangup' },
    ]);
    expect(() => parseKeyScript('w-1')).toThrow(/bad key "w-1"/);
  });
});

describe('switchboard flow graph', () => {
  it('prints the default flow as a Mermaid stateDiagram-v2', async () => {
    const r = await flow('graph', MAIN);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`stateDiagram-v2
  state "welcome (play)" as welcome
  state "main-menu (menu)" as main_menu
  state "support (queue)" as support
  state "billing (queue)" as billing
  state "general (queue)" as general
  [*] --> welcome
  welcome --> main_menu: played or key
  main_menu --> support: key 1
  main_menu --> billing: key 2
  main_menu --> main_menu: no input or invalid (2 retries)
  main_menu --> general: fallback
  support --> [*]: queue support
  billing --> [*]: queue billing
  general --> [*]: queue general
`);
  });

  it('an invalid flow prints its problems instead, exit 2', async () => {
    const f = file('graph-invalid.yaml', 'name: x\nstart: a\nnodes:\n  a: { kind: queue, queue: q, extra: 1 }\n');
    const r = await flow('graph', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${f}:4: nodes.a: unknown key "extra"\n`);
  });

  it('docs/ivr.md shows the diagrams `flow graph` draws today (regenerate them when a shipped flow changes)', () => {
    const doc = readFileSync('docs/ivr.md', 'utf8');
    for (const name of [MAIN, DESK]) {
      const block = new RegExp(`<!-- flow graph ${name.replace(/[./]/g, '\\$&')} -->\n\`\`\`mermaid\n([\\s\\S]*?)\`\`\`\n`).exec(doc);
      const v = validateFlowText(readFileSync(name, 'utf8'));
      if (!v.ok) throw new Error(name);
      expect(block?.[1], name).toBe(flowToMermaid(v.flow));
    }
  });

  it('has an edge for every target the validator knows, every terminal leads to [*], ids are Mermaid-safe', () => {
    for (const name of [MAIN, DESK]) {
      const v = validateFlowText(readFileSync(name, 'utf8'));
      if (!v.ok) throw new Error(name);
      for (const [id, node] of Object.entries(v.flow.nodes)) {
        const drawn = new Set(nodeEdges(id, node).map((e) => e.to));
        for (const e of edges(node)) expect(drawn.has(e.to), `${name} ${id} -> ${e.to}`).toBe(true);
        if (edges(node).length === 0) expect([...drawn], `${name} ${id}`).toEqual(['[*]']);
      }
      const mermaid = flowToMermaid(v.flow);
      for (const line of mermaid.split('\n').filter((l) => l.includes('-->'))) {
        expect(line).toMatch(/^ {2}(\[\*\]|[a-z0-9_]+) --> (\[\*\]|[a-z0-9_]+)(: [^:;\n]+)?$/);
      }
    }
  });
});
