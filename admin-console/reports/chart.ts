/**
 * Stacked bar charts as inline SVG, without a chart library: one bar per bucket
 * (day or hour, UTC), one coloured segment per key, a few gridlines, labels
 * thinned so they never overlap, and a <title> on every segment.
 */

const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#1f5fbf', '#17803d', '#d08700', '#b42318', '#6b4fbb', '#0e7c86', '#9a5b00', '#5a6675', '#c2417a', '#3d8b37'];

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A round axis maximum: 1, 2, 5 times a power of ten. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

/** Every bucket of a UTC range, as the API names them: `2026-11-20` or `2026-11-20T14:00Z`. */
export function bucketsOf(fromIso: string, toIso: string, interval: 'day' | 'hour'): string[] {
  const step = interval === 'day' ? 86_400_000 : 3_600_000;
  const out: string[] = [];
  for (let t = Date.parse(fromIso); t < Date.parse(toIso) && out.length < 10_000; t += step) {
    const iso = new Date(t).toISOString();
    out.push(interval === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00Z`);
  }
  return out;
}

export interface ChartInput {
  title: string;
  buckets: string[];
  keys: string[];
  /** The value of one segment. */
  value(bucket: string, key: string): number;
  /** What the values count, e.g. `calls`. */
  unit: string;
}

export function stackedBars(c: ChartInput): SVGSVGElement {
  const H = 240;
  const top = 12;
  const bottom = 34;
  const left = 44;
  const barW = Math.max(4, Math.min(72, Math.floor(1120 / Math.max(1, c.buckets.length)) - 4));
  const gap = Math.max(1, Math.round(barW / 4));
  const W = left + c.buckets.length * (barW + gap) + 12;
  const totals = c.buckets.map((b) => c.keys.reduce((n, k) => n + c.value(b, k), 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number): number => top + (H - top - bottom) * (1 - v / max);

  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'chart', 'aria-label': c.title });
  svg.append(el('title', {}, c.title));
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    svg.append(el('line', { x1: left, x2: W - 6, y1: y(v), y2: y(v), stroke: i === 0 ? '#98a2b3' : '#e3e8ee' }));
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5a6675' }, String(Math.round(v * 10) / 10)));
  }
  const every = Math.ceil(c.buckets.length / Math.max(1, Math.floor((W - left) / 56)));
  c.buckets.forEach((b, i) => {
    const x = left + gap / 2 + i * (barW + gap);
    let base = 0;
    c.keys.forEach((k, j) => {
      const v = c.value(b, k);
      if (v <= 0) return;
      const r = el('rect', { x, y: y(base + v), width: barW, height: Math.max(1, y(base) - y(base + v)), fill: PALETTE[j % PALETTE.length] as string, 'data-bucket': b, 'data-key': k });
      r.append(el('title', {}, `${b} · ${k}: ${v} ${c.unit}`));
      svg.append(r);
      base += v;
    });
    const hourly = b.length > 10;
    if (i % every === 0 || (hourly && b.endsWith('T00:00Z') && every <= 24)) {
      const label = hourly ? (b.endsWith('T00:00Z') ? b.slice(5, 10) : b.slice(11, 13)) : b.slice(5);
      svg.append(el('text', { x: x + barW / 2, y: H - bottom + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#5a6675' }, label));
    }
  });
  return svg;
}
