/**
 * `switchboard flow ...`: tools for the admins who write IVR flows.
 *
 *   switchboard flow validate FILE [--queues support,billing,general]
 *   switchboard flow simulate FILE --from NUMBER [--to NUMBER] [--keys 1,#,w5000] [--attr NAME=VALUE]...
 *                                  [--accounts NUMBER,...] [--at ISO-TIME]
 *   switchboard flow graph FILE
 *
 * Exit codes: 0 success, 1 the simulated call did not end well (failed, stuck),
 * 2 an invalid flow or bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AttributeValue } from '../../ivr/flow/context.js';
import { formatProblem, validateFlowText } from '../../ivr/flow/validate.js';
import type { Flow } from '../../ivr/flow/schema.js';
import { flowToMermaid } from '../../ivr/tools/graph.js';
import { describeOutcome, parseKeyScript, simulateFlow } from '../../ivr/tools/simulate.js';

export const FLOW_USAGE = `  switchboard flow validate FILE [--queues support,billing,general]
  switchboard flow simulate FILE --from NUMBER [--to NUMBER] [--keys 1,#,w5000,...] [--attr NAME=VALUE]...
                                 [--accounts NUMBER,...] [--at 2026-11-23T15:00:00Z]
  switchboard flow graph FILE`;

const SIMULATE_HELP = `keys (--keys, comma-separated): 1 or 1234# presses keys at once; w5000 waits 5000 ms;
w listens until no prompt plays; h hangs up. After the last one the caller stays silent.
--attr sets a call attribute (account.vip=true, caller.known=true...); true, false and null are read as such.`;

class FlowUsageError extends Error {}

export interface FlowCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: FlowCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs `switchboard flow ARGS...`; resolves with the exit code. */
export async function runFlowCommand(args: string[], io: FlowCommandIo = consoleIo): Promise<number> {
  try {
    return await flowCommand(args, io);
  } catch (err) {
    if (err instanceof FlowUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`switchboard: ${(err as Error).message}\nusage:\n${FLOW_USAGE}`);
      return 2;
    }
    throw err;
  }
}

async function flowCommand(args: string[], io: FlowCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      queues: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      keys: { type: 'string' },
      attr: { type: 'string', multiple: true },
      accounts: { type: 'string' },
      at: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file, ...extra] = positionals;
  if (values.help) {
    io.out(`usage:\n${FLOW_USAGE}\n\n${SIMULATE_HELP}`);
    return 0;
  }
  if (command !== 'validate' && command !== 'simulate' && command !== 'graph') throw new FlowUsageError(`unknown flow command "${command ?? ''}"`);
  if (!file) throw new FlowUsageError(`flow ${command}: expected a flow FILE`);
  if (extra.length > 0) throw new FlowUsageError(`flow ${command}: unexpected "${extra.join(' ')}"`);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.err(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return 2;
  }
  const queues = values.queues === undefined ? undefined : new Set(list(values.queues));
  const v = validateFlowText(text, { queues });
  if (!v.ok) {
    for (const p of v.problems) io.err(formatProblem(file, p));
    return 2;
  }

  switch (command) {
    case 'validate':
      io.out(`${file}: ok (${Object.keys(v.flow.nodes).length} nodes)`);
      return 0;
    case 'graph':
      io.out(flowToMermaid(v.flow).trimEnd());
      return 0;
    case 'simulate':
      return simulate(text, v.flow, values, io);
  }
}

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

function parseAttribute(spec: string): [string, AttributeValue] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new FlowUsageError(`--attr "${spec}": expected NAME=VALUE`);
  const raw = spec.slice(eq + 1);
  const value: AttributeValue = raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : raw;
  return [spec.slice(0, eq), value];
}

async function simulate(
  text: string,
  flow: Flow,
  values: { from?: string; to?: string; keys?: string; attr?: string[]; accounts?: string; at?: string },
  io: FlowCommandIo,
): Promise<number> {
  if (!values.from) throw new FlowUsageError('flow simulate: expected --from NUMBER (the caller)');
  let script;
  try {
    script = parseKeyScript(values.keys ?? '');
  } catch (err) {
    throw new FlowUsageError(`--keys: ${(err as Error).message}`);
  }
  const startMs = values.at === undefined ? Date.now() : Date.parse(values.at);
  if (Number.isNaN(startMs)) throw new FlowUsageError(`--at "${values.at}": expected an ISO time such as 2026-11-23T15:00:00Z`);
  const attributes = Object.fromEntries((values.attr ?? []).map(parseAttribute));

  const r = await simulateFlow(
    text,
    {
      from: values.from,
      to: values.to ?? '+18005550100',
      script,
      attributes,
      accounts: new Set(list(values.accounts ?? '')),
      startMs,
    },
    io.out,
  );
  if (!r.output) {
    io.err(`switchboard: ${r.stuck ?? 'the flow did not end'}`);
    return 1;
  }
  const shown = Object.entries(r.output.attributes).map(([k, val]) => `${k}=${String(val)}`);
  io.out(`outcome: ${describeOutcome(r.output)}`);
  io.out(`language: ${r.output.language}${flow.languages.length > 1 ? ` (of ${flow.languages.join(', ')})` : ''}`);
  io.out(`attributes: ${shown.join(', ')}`);
  io.out(`path: ${r.output.path.filter((s) => s.event === 'entered').map((s) => s.node).join(' > ')}`);
  io.out(`time in the IVR: ${(r.elapsedMs / 1000).toFixed(3)} s (virtual)`);
  if (r.timersLeft > 0) io.err(`switchboard: warning: ${r.timersLeft} timer(s) still pending after the flow ended`);
  return r.output.outcome === 'failed' ? 1 : 0;
}
