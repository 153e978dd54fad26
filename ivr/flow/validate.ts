/**
 * Validating a flow file: YAML syntax, the zod schema, then the graph rules
 * that keep callers from being stranded. Every problem carries its path and
 * its line in the file, so `switchboard flow validate` can point at it.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../../connector/config/load.js';
import { flowSchema, TERMINAL_KINDS, type Flow, type FlowNode, type PromptSpec } from './schema.js';

export interface FlowProblem {
  /** e.g. `nodes.main-menu.options.1` */
  path: string;
  /** 1-based line in the file, when known. */
  line: number | null;
  message: string;
}

export type FlowValidation = { ok: true; flow: Flow } | { ok: false; problems: FlowProblem[] };

/** Targets a node leads to, each with the field it is named in. */
export function edges(node: FlowNode): Array<{ field: Array<string | number>; to: string; silent: boolean }> {
  switch (node.kind) {
    case 'menu':
      return [
        ...Object.entries(node.options).map(([k, to]) => ({ field: ['options', k], to, silent: false })),
        { field: ['fallback'], to: node.fallback, silent: true },
      ];
    case 'gather':
      return [
        { field: ['next'], to: node.next, silent: false },
        { field: ['fallback'], to: node.fallback, silent: true },
      ];
    case 'play':
    case 'language':
      return [{ field: ['next'], to: node.next, silent: true }];
    case 'branch':
      return [
        ...node.rules.map((r, i) => ({ field: ['rules', i, 'next'], to: r.next, silent: true })),
        { field: ['default'], to: node.default, silent: true },
      ];
    case 'hours':
      return [
        { field: ['open'], to: node.open, silent: true },
        { field: ['closed'], to: node.closed, silent: true },
      ];
    default:
      return [];
  }
}

/** Every prompt of a node, with its field path. */
function prompts(node: FlowNode): Array<{ field: string[]; prompt: PromptSpec }> {
  const out: Array<{ field: string[]; prompt: PromptSpec | undefined }> = [];
  if ('prompt' in node) out.push({ field: ['prompt'], prompt: node.prompt });
  if (node.kind === 'menu') out.push({ field: ['noInput', 'prompt'], prompt: node.noInput.prompt }, { field: ['invalid', 'prompt'], prompt: node.invalid.prompt });
  if (node.kind === 'gather') out.push({ field: ['noInput', 'prompt'], prompt: node.noInput.prompt }, { field: ['invalid', 'prompt'], prompt: node.invalid.prompt });
  return out.filter((p): p is { field: string[]; prompt: PromptSpec } => p.prompt !== undefined);
}

/**
 * The graph rules, on a flow that passed the schema. With `queues`, the queues
 * the flow sends callers to must be among them (a caller must never wait in a
 * queue no agent serves).
 */
export function checkGraph(flow: Flow, queues?: ReadonlySet<string>): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  if (queues) {
    for (const [id, node] of Object.entries(flow.nodes)) {
      if ((node.kind === 'queue' || node.kind === 'callback' || node.kind === 'voicemail') && !queues.has(node.queue)) {
        problems.push({ path: ['nodes', id, 'queue'], message: `unknown queue "${node.queue}" (configured: ${[...queues].join(', ')})` });
      }
    }
  }
  const ids = new Set(Object.keys(flow.nodes));
  if (!ids.has(flow.start)) problems.push({ path: ['start'], message: `unknown node "${flow.start}"` });
  if (!flow.languages.includes(flow.defaultLanguage)) {
    problems.push({ path: ['defaultLanguage'], message: `"${flow.defaultLanguage}" is not one of the flow's languages` });
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const e of edges(node)) {
      if (!ids.has(e.to)) problems.push({ path: ['nodes', id, ...e.field], message: `unknown node "${e.to}"` });
    }
    for (const p of prompts(node)) {
      for (const lang of flow.languages) {
        if (!(lang in p.prompt)) problems.push({ path: ['nodes', id, ...p.field], message: `missing the "${lang}" prompt` });
      }
      for (const lang of Object.keys(p.prompt)) {
        if (!flow.languages.includes(lang)) problems.push({ path: ['nodes', id, ...p.field, lang], message: `"${lang}" is not one of the flow's languages` });
      }
    }
    if (node.kind === 'language') {
      for (const [key, lang] of Object.entries(node.options)) {
        if (!flow.languages.includes(lang)) problems.push({ path: ['nodes', id, 'options', key], message: `"${lang}" is not one of the flow's languages` });
      }
    }
  }
  if (problems.length > 0) return problems;

  // Unreachable nodes: admins left something behind, or mistyped a target.
  const reached = new Set<string>([flow.start]);
  const todo = [flow.start];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    for (const e of edges(flow.nodes[id] as FlowNode)) if (!reached.has(e.to)) reached.add(e.to), todo.push(e.to);
  }
  for (const id of ids) if (!reached.has(id)) problems.push({ path: ['nodes', id], message: 'unreachable: no path from the start node leads here' });

  // No way out: from every node some path must end the IVR (queue, voicemail, ...).
  const canEnd = new Set([...ids].filter((id) => TERMINAL_KINDS.has((flow.nodes[id] as FlowNode).kind)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of ids) {
      if (!canEnd.has(id) && edges(flow.nodes[id] as FlowNode).some((e) => canEnd.has(e.to))) canEnd.add(id), (grew = true);
    }
  }
  for (const id of ids) {
    if (!canEnd.has(id)) problems.push({ path: ['nodes', id], message: 'a loop with no way out: no path from here reaches a queue, callback, voicemail, transfer or hangup' });
  }

  // A silent caller (no keys at all) follows only the silent edges; those must not loop.
  const cycle = silentCycle(flow);
  if (cycle) {
    problems.push({
      path: ['nodes', cycle[0] as string],
      message: `a caller who presses nothing loops forever: ${cycle.join(' -> ')} (a fallback or next must lead out)`,
    });
  }
  return problems;
}

function silentCycle(flow: Flow): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    const node = flow.nodes[id];
    for (const e of node ? edges(node) : []) {
      if (!e.silent) continue;
      const found = visit(e.to);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of Object.keys(flow.nodes)) {
    const found = visit(id);
    if (found) return found;
  }
  return null;
}

/** 1-based line of the key (or item) at `path`, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | null {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(part));
      if (!pair) break;
      offset = (pair.key as { range?: [number] })?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as { range?: [number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? null : counter.linePos(offset).line;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function issueMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return 'required';
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return `expected ${issue.expected}`;
  return issue.message;
}

/** Validates flow YAML text. Never throws on bad input: problems are returned. */
export function validateFlowText(text: string, opts: { queues?: ReadonlySet<string> } = {}): FlowValidation {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    // With prettyErrors off the parser sets no `linePos`: take the line from the error's offset.
    return { ok: false, problems: doc.errors.map((e) => ({ path: '(file)', line: counter.linePos(e.pos[0]).line, message: e.message.split('\n')[0] ?? e.message })) };
  }
  const raw: unknown = doc.toJS();
  const parsed = flowSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        // An unknown key is reported on its object, but its line is the key's own (the typo is there).
        const at = i.code === 'unrecognized_keys' && i.keys[0] !== undefined ? [...i.path, i.keys[0]] : i.path;
        return { path: formatPath(i.path), line: lineOf(doc, counter, at), message: issueMessage(i, raw) };
      }),
    };
  }
  const graph = checkGraph(parsed.data, opts.queues);
  if (graph.length > 0) {
    return { ok: false, problems: graph.map((p) => ({ path: formatPath(p.path), line: lineOf(doc, counter, p.path), message: p.message })) };
  }
  return { ok: true, flow: parsed.data };
}

export function formatProblem(file: string, p: FlowProblem): string {
  return `${file}${p.line !== null ? `:${p.line}` : ''}: ${p.path}: ${p.message}`;
}
