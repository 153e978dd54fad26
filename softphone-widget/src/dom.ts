/**
 * A tiny hyperscript helper and the live-timer ticker. No framework: views build
 * DOM with `h()` and replace whole regions when their slice of state changes.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type AttrValue = string | number | boolean | null | undefined;
type Handler = (event: Event) => void;
export type Attrs = Record<string, AttrValue | Handler>;

/**
 * Creates an element. `on*` function attributes become listeners, `true` becomes an
 * empty attribute, `false`/`null`/`undefined` are left out, `value`/`checked` set the property.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value ?? '');
    } else if (key === 'checked' && el instanceof HTMLInputElement) {
      el.checked = value === true;
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.textContent = '';
  append(el, children);
}

/** `m:ss`, or `h:mm:ss` from an hour on. Negative input counts as zero. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hrs = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return hrs > 0 ? `${hrs}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

let clockOffsetMs = 0;

/**
 * Notes a server timestamp that was "now" on the server when it was sent, so live
 * counters follow the server's clock even when the agent's PC clock is off.
 */
export function noteServerNow(iso: string): void {
  const t = Date.parse(iso);
  if (Number.isFinite(t)) clockOffsetMs = t - Date.now();
}

/** The server's idea of now, in ms since the epoch (best estimate). */
export function serverNow(): number {
  return Date.now() + clockOffsetMs;
}

/** Text for a `data-since` (elapsed) or `data-until` (remaining) element. */
function timerText(el: HTMLElement, now: number): string | null {
  const since = el.dataset['since'];
  if (since) return formatDuration(now - Date.parse(since) + Number(el.dataset['base'] ?? 0));
  const until = el.dataset['until'];
  if (until) return formatDuration(Date.parse(until) - now + 999);
  return null;
}

/**
 * A live timer element: counts up from `since` (plus `baseMs`), or down to `until`.
 * The ticker refreshes it; it is correct from the first paint.
 */
export function timer(opts: { since?: string; until?: string; baseMs?: number; className?: string; label?: string }): HTMLElement {
  const el = h('span', {
    class: `timer ${opts.className ?? ''}`.trim(),
    'data-since': opts.since,
    'data-until': opts.until,
    'data-base': opts.baseMs,
    'aria-label': opts.label,
  });
  el.textContent = timerText(el, serverNow());
  return el;
}

/** Refreshes every live timer under `root` twice a second. Returns a stop function. */
export function startTicker(root: HTMLElement): () => void {
  const tick = (): void => {
    const now = serverNow();
    for (const el of root.querySelectorAll<HTMLElement>('[data-since],[data-until]')) {
      const text = timerText(el, now);
      if (text !== null && el.textContent !== text) el.textContent = text;
    }
  };
  const id = window.setInterval(tick, 500);
  return () => window.clearInterval(id);
}
