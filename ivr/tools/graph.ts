/**
 * A flow as a Mermaid `stateDiagram-v2`: one state per node, one labelled edge
 * per way out (keys, fallback, retries on no input or a wrong key, open/closed,
 * rule conditions), and every node that ends the IVR leading to `[*]`.
 * `switchboard flow graph FILE` prints it; GitHub renders it in Markdown.
 */
import type { Condition, Flow, FlowNode } from '../flow/schema.js';

export interface GraphEdge {
  from: string;
  /** A node id, or `[*]` for the end of the IVR. */
  to: string;
  label: string;
}

const describeCondition = (c: Condition): string => {
  if ('accountExists' in c) return `${c.accountExists} names an account`;
  if ('equals' in c) return `${c.attribute} = ${String(c.equals)}`;
  if ('in' in c) return `${c.attribute} in ${c.in.map(String).join(' or ')}`;
  return c.exists ? `${c.attribute} is set` : `${c.attribute} is not set`;
};

const failures = (retries: number): string => `no input or invalid (${retries} ${retries === 1 ? 'retry' : 'retries'})`;

/** The ways out of one node, labelled as the diagram shows them. */
export function nodeEdges(id: string, node: FlowNode): GraphEdge[] {
  const e = (to: string, label: string): GraphEdge => ({ from: id, to, label });
  switch (node.kind) {
    case 'menu':
      return [
        ...Object.entries(node.options).map(([key, to]) => e(to, `key ${key}`)),
        ...(node.retries > 0 ? [e(id, failures(node.retries))] : []),
        e(node.fallback, 'fallback'),
      ];
    case 'gather':
      return [
        e(node.next, `${node.attribute} entered`),
        ...(node.retries > 0 ? [e(id, failures(node.retries))] : []),
        e(node.fallback, 'fallback'),
      ];
    case 'play':
      return [e(node.next, node.bargeIn ? 'played or key' : 'played')];
    case 'language': {
      const keys = Object.entries(node.options).map(([key, lang]) => `key ${key} ${lang}`);
      return [e(node.next, [...keys, 'no input'].join(', '))];
    }
    case 'branch':
      return [...node.rules.map((r) => e(r.next, `when ${describeCondition(r.when)}`)), e(node.default, 'default')];
    case 'hours':
      return [e(node.open, 'open'), e(node.closed, 'closed')];
    case 'queue':
      return [e('[*]', `queue ${node.queue}${node.priority > 0 ? ` priority ${node.priority}` : ''}`)];
    case 'callback':
      return [e('[*]', `callback ${node.queue}`)];
    case 'voicemail':
      return [e('[*]', `voicemail ${node.queue}`)];
    case 'transfer':
      return [e('[*]', `transfer ${node.to}`)];
    case 'hangup':
      return [e('[*]', 'hang up')];
  }
}

/** Mermaid ids: node ids may hold `-`, which Mermaid's state ids do not allow. */
function mermaidIds(flow: Flow): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>(['end', 'default', 'state', 'note', 'direction', 'class', 'classDef', 'style', 'click']);
  for (const id of Object.keys(flow.nodes)) {
    let m = id.replace(/-/g, '_');
    if (/^\d/.test(m)) m = `n_${m}`;
    while (taken.has(m)) m = `${m}_`;
    taken.add(m);
    ids.set(id, m);
  }
  return ids;
}

/** Mermaid labels: keep them on one line and free of the characters Mermaid reads as syntax. */
const label = (text: string): string => text.replace(/[:;\n]/g, ' ').replace(/"/g, "'");

/**
 * The flow as a Mermaid `stateDiagram-v2`. Edges between the same two nodes are
 * merged into one, their labels joined with ` / ` (a menu key that leads where
 * the fallback does).
 */
export function flowToMermaid(flow: Flow): string {
  const ids = mermaidIds(flow);
  const mid = (id: string): string => (id === '[*]' ? id : (ids.get(id) ?? id));
  const lines = ['stateDiagram-v2'];
  for (const [id, node] of Object.entries(flow.nodes)) lines.push(`  state "${id} (${node.kind})" as ${mid(id)}`);
  lines.push(`  [*] --> ${mid(flow.start)}`);
  const merged = new Map<string, GraphEdge>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const edge of nodeEdges(id, node)) {
      const key = `${edge.from}\u0000${edge.to}`;
      const seen = merged.get(key);
      if (seen) seen.label = `${seen.label} / ${edge.label}`;
      else merged.set(key, { ...edge });
    }
  }
  for (const edge of merged.values()) lines.push(`  ${mid(edge.from)} --> ${mid(edge.to)}: ${label(edge.label)}`);
  return `${lines.join('\n')}\n`;
}
