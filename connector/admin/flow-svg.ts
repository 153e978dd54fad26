/**
 * A flow drawn as SVG on the server, without a diagram library: the same nodes
 * and labelled edges as the Mermaid text of `ivr/tools/graph.ts`. Nodes are laid
 * out in layers by distance from the start node (breadth first), each layer
 * ordered by where its parents are (fewer crossings). A node that ends the IVR
 * says how inside its box (`→ queue support`) instead of an edge to a shared end
 * node, which would cross everything. Edges going down are straight; edges within
 * a layer arc below it; edges going back up curve out to the right; retries loop
 * on their node. Labels
 * are moved along their edge until they overlap nothing. All text is escaped:
 * flow files are input.
 */
import type { Flow } from '../../ivr/flow/schema.js';
import { nodeEdges, type GraphEdge } from '../../ivr/tools/graph.js';

const END = '[*]';
const LAYER_GAP = 130;
const NODE_GAP = 44;
const CHAR_W = 7;
const MAX_LABEL = 34;

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const f = (n: number): string => n.toFixed(1);

interface Box {
  id: string;
  kind: string;
  /** How the IVR ends here, for nodes that end it. */
  ends: string | null;
  layer: number;
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Merges parallel edges (same from and to) into one, labels joined with ` / `, as the Mermaid text does. */
export function flowEdges(flow: Flow): GraphEdge[] {
  const merged = new Map<string, GraphEdge>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const e of nodeEdges(id, node)) {
      const key = `${e.from}\u0000${e.to}`;
      const seen = merged.get(key);
      if (seen) seen.label = `${seen.label} / ${e.label}`;
      else merged.set(key, { ...e });
    }
  }
  return [...merged.values()];
}

function layout(flow: Flow, edges: readonly GraphEdge[]): Box[][] {
  const layerOf = new Map<string, number>([[flow.start, 0]]);
  const queue = [flow.start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const e of edges) {
      if (e.from !== id || e.to === END || layerOf.has(e.to)) continue;
      layerOf.set(e.to, (layerOf.get(id) ?? 0) + 1);
      queue.push(e.to);
    }
  }
  const deepest = Math.max(0, ...layerOf.values());
  // Nodes no path reaches (validation forbids them, but a drawing must not fail on them).
  for (const id of Object.keys(flow.nodes)) if (!layerOf.has(id)) layerOf.set(id, deepest + 1);
  const rows: Box[][] = [];
  for (const [id, layer] of layerOf) {
    const ends = edges.filter((e) => e.from === id && e.to === END).map((e) => e.label).join(' / ') || null;
    const kind = flow.nodes[id]?.kind ?? '';
    const w = Math.max(96, Math.max(id.length, kind.length, ends ? Math.min(ends.length + 2, MAX_LABEL) : 0) * CHAR_W + 28);
    (rows[layer] ??= []).push({ id, kind, ends: ends ? clip(ends, MAX_LABEL) : null, layer, x: 0, y: 40 + layer * LAYER_GAP, w, h: ends ? 58 : 42 });
  }
  // Each layer in the order of its parents' positions (barycenters), so edges cross less.
  const index = new Map<string, number>();
  rows.forEach((row, layer) => {
    if (layer > 0) {
      const center = (b: Box): number => {
        const parents = edges.filter((e) => e.to === b.id && e.from !== b.id && index.has(e.from)).map((e) => index.get(e.from) as number);
        return parents.length ? parents.reduce((s, p) => s + p, 0) / parents.length : Number.MAX_SAFE_INTEGER;
      };
      row.sort((a, b) => center(a) - center(b));
    }
    row.forEach((b, i) => index.set(b.id, i / Math.max(1, row.length - 1)));
  });
  return rows;
}

export function flowToSvg(name: string, flow: Flow): string {
  const edges = flowEdges(flow);
  const rows = layout(flow, edges).filter(Boolean);
  const rowWidth = (row: Box[]): number => row.reduce((n, b) => n + b.w, 0) + NODE_GAP * (row.length - 1);
  const inner = Math.max(320, ...rows.map(rowWidth));
  const boxes = new Map<string, Box>();
  for (const row of rows) {
    let x = 30 + (inner - rowWidth(row)) / 2;
    for (const b of row) {
      b.x = x;
      x += b.w + NODE_GAP;
      boxes.set(b.id, b);
    }
  }
  const taken: Rect[] = [...boxes.values()].map((b) => ({ x: b.x - 4, y: b.y - 4, w: b.w + 8, h: b.h + 8 }));
  const paths: string[] = [];
  const labels: string[] = [];
  let right = 30 + inner;
  for (const e of edges) {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    if (!a || !b) continue;
    const text = clip(e.label, MAX_LABEL);
    const lw = text.length * 6.2 + 10;
    const title = `<title>${esc(`${e.from} → ${e.to}: ${e.label}`)}</title>`;
    // Where the label may go: a point on the edge for a parameter t in [0, 1].
    let at: (t: number) => [number, number];
    let path: string;
    if (a === b) {
      const [x, y] = [a.x + a.w, a.y + a.h / 2];
      path = `M${f(x)},${f(y - 10)} C${f(x + 40)},${f(y - 28)} ${f(x + 40)},${f(y + 28)} ${f(x)},${f(y + 10)}`;
      at = (t) => [x + 36 + lw / 2, y + (t - 0.5) * 60];
    } else if (b.layer > a.layer) {
      const [x1, y1, x2, y2] = [a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y];
      path = `M${f(x1)},${f(y1)} L${f(x2)},${f(y2)}`;
      at = (t) => [x1 + (x2 - x1) * t, y1 + (y2 - y1) * t];
    } else if (b.layer === a.layer) {
      // Within a layer: an arc below it, clear of the boxes in between.
      const [x1, x2, y] = [a.x + a.w / 2, b.x + b.w / 2, Math.max(a.y + a.h, b.y + b.h)];
      const depth = 34 + Math.min(40, Math.abs(x2 - x1) / 12);
      path = `M${f(x1)},${f(a.y + a.h)} C${f(x1)},${f(y + depth)} ${f(x2)},${f(y + depth)} ${f(x2)},${f(b.y + b.h)}`;
      at = (t) => [x1 + (x2 - x1) * t, y + depth * 0.75];
    } else {
      const [x1, y1, x2, y2] = [a.x + a.w, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2];
      const bend = Math.max(x1, x2) + 60 + 24 * Math.abs(a.layer - b.layer);
      path = `M${f(x1)},${f(y1)} C${f(bend)},${f(y1)} ${f(bend)},${f(y2)} ${f(x2)},${f(y2)}`;
      at = (t) => [bend - 14, y1 + (y2 - y1) * t];
    }
    paths.push(`<g class="edge">${title}<path d="${path}" fill="none" stroke="#8a96a6" stroke-width="1.3" marker-end="url(#arrow)"/></g>`);
    // The first spot along the edge where the label overlaps no node and no other label.
    let spot: Rect | null = null;
    for (const t of [0.5, 0.35, 0.65, 0.22, 0.78, 0.1, 0.9]) {
      const [cx, cy] = at(t);
      const r = { x: cx - lw / 2, y: cy - 9, w: lw, h: 17 };
      if (!taken.some((o) => overlaps(o, r))) {
        spot = r;
        break;
      }
    }
    spot ??= (([cx, cy]) => ({ x: cx - lw / 2, y: cy - 9, w: lw, h: 17 }))(at(0.5));
    taken.push(spot);
    right = Math.max(right, spot.x + spot.w);
    labels.push(
      `<g class="edge-label">${title}<rect x="${f(spot.x)}" y="${f(spot.y)}" width="${f(spot.w)}" height="17" rx="3" fill="#f8fafc" stroke="#dbe1e8"/>` +
        `<text x="${f(spot.x + spot.w / 2)}" y="${f(spot.y + 12.5)}" text-anchor="middle" font-size="11" fill="#5a6675">${esc(text)}</text></g>`,
    );
  }
  const width = Math.ceil(right + 40);
  const height = 40 + rows.length * LAYER_GAP;
  const nodes = [...boxes.values()].map((b) => {
    const cx = f(b.x + b.w / 2);
    const start = b.id === flow.start;
    return (
      `<g class="node" data-node="${esc(b.id)}"><title>${esc(`${b.id} (${b.kind})${b.ends ? `: ${b.ends}` : ''}`)}</title>` +
      `<rect x="${f(b.x)}" y="${b.y}" width="${f(b.w)}" height="${b.h}" rx="8" fill="${start ? '#ecf2fc' : b.ends ? '#f8fafc' : '#ffffff'}" stroke="${b.ends ? '#5a6675' : '#1f5fbf'}" stroke-width="${b.ends ? 2 : 1.4}"/>` +
      `<text x="${cx}" y="${b.y + 18}" text-anchor="middle" font-weight="600" fill="#17212b">${esc(clip(b.id, 32))}</text>` +
      `<text x="${cx}" y="${b.y + 33}" text-anchor="middle" font-size="11" fill="#5a6675">${esc(b.kind)}</text>` +
      (b.ends ? `<text x="${cx}" y="${b.y + 49}" text-anchor="middle" font-size="11" fill="#17803d" font-weight="600">${esc(`→ ${b.ends}`)}</text>` : '') +
      '</g>'
    );
  });
  const first = boxes.get(flow.start);
  const startMark = first
    ? `<circle cx="${f(first.x + first.w / 2)}" cy="12" r="6" fill="#17212b"/><line x1="${f(first.x + first.w / 2)}" y1="18" x2="${f(first.x + first.w / 2)}" y2="${first.y - 2}" stroke="#5a6675" marker-end="url(#arrow)"/>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(`Flow ${name}`)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(`Flow ${name}`)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#5a6675"/></marker></defs>',
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    startMark,
    ...paths,
    ...nodes,
    ...labels,
    '</svg>',
  ].join('\n');
}
