/**
 * `<switchboard-widget>`: the agent widget in a CRM page with one script tag.
 *
 *   <script src="https://switchboard.example.com/agent/embed.js"></script>
 *   <switchboard-widget style="height: 640px"></switchboard-widget>
 *
 * A small classic script (no module, no CORS needed) that defines the custom
 * element. The element puts the widget (served next to this script) in an
 * iframe inside its shadow root, and speaks the widget's postMessage API
 * (messages.ts) for the page:
 *
 * - events: every message from the widget is dispatched on the element as a
 *   CustomEvent named by its type without the prefix (`call.offered`,
 *   `call.connected`, `call.ended`, `phone.call`, `agent.state`, `ready` ...),
 *   the message as `detail`;
 * - `dial(number)`: click-to-dial, resolves with the widget's answer;
 * - `requestPop()`: the calls on screen now;
 * - the `state` attribute: `loading`, then `ready` once the widget answered.
 *
 * The widget only talks to pages on an origin in the connector's
 * `server.allowedOrigins`; elsewhere the browser refuses to frame it (CSP
 * frame-ancestors) and the element stays `loading`.
 */
import { isSwitchboardMessage, type HostToWidget, type WidgetCalls, type WidgetToHost } from './messages.js';

type DialResult = Extract<WidgetToHost, { type: 'switchboard.dial.result' }>;

/** How long `dial()` and `requestPop()` wait for the widget's answer. */
const ANSWER_TIMEOUT_MS = 15_000;

const script = document.currentScript as HTMLScriptElement | null;
/** The widget's URL: next to this script (…/agent/embed.js -> …/agent/). */
const DEFAULT_SRC = script?.src ? new URL('./', script.src).href : '/agent/';

class SwitchboardWidget extends HTMLElement {
  private frame: HTMLIFrameElement | null = null;
  private widgetOrigin = '';
  private readonly pending = new Map<string, (m: WidgetToHost) => void>();
  private seq = 0;
  private readonly onMessage = (e: MessageEvent): void => this.received(e);

  connectedCallback(): void {
    if (this.frame) return;
    const src = new URL(this.getAttribute('src') ?? DEFAULT_SRC, location.href);
    this.widgetOrigin = src.origin;
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = ':host{display:block;min-height:480px}iframe{border:0;width:100%;height:100%;min-height:inherit;display:block}';
    const frame = document.createElement('iframe');
    frame.title = this.getAttribute('title') ?? 'Switchboard';
    // The softphone needs the microphone, sound without a click, and output device choice.
    frame.allow = 'microphone; autoplay; speaker-selection';
    frame.src = src.href;
    frame.addEventListener('load', () => this.post({ type: 'switchboard.hello' }));
    root.replaceChildren(style, frame);
    this.frame = frame;
    this.setAttribute('state', 'loading');
    window.addEventListener('message', this.onMessage);
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    this.frame?.remove();
    this.frame = null;
  }

  /** Calls `number` from the agent's phone. Rejects when the widget does not answer. */
  dial(number: string): Promise<DialResult> {
    return this.ask<DialResult>((requestId) => ({ type: 'switchboard.dial', number, requestId }));
  }

  /** The calls on the agent's screen now: ringing pops, the call in progress, the wrap-up. */
  requestPop(): Promise<WidgetCalls> {
    return this.ask<Extract<WidgetToHost, { type: 'switchboard.pop' }>>((requestId) => ({ type: 'switchboard.pop.request', requestId }));
  }

  private ask<T extends WidgetToHost>(build: (requestId: string) => HostToWidget): Promise<T> {
    const requestId = `r${++this.seq}`;
    return new Promise<T>((resolve, reject) => {
      if (this.getAttribute('state') !== 'ready') return reject(new Error('The Switchboard widget is not ready (not loaded, or this page is not allowed to embed it).'));
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('The Switchboard widget did not answer.'));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      this.post(build(requestId));
    });
  }

  private post(message: HostToWidget): void {
    // Only to the widget's origin: if the frame navigated elsewhere (or was refused), nothing is delivered.
    this.frame?.contentWindow?.postMessage(message, this.widgetOrigin);
  }

  private received(e: MessageEvent): void {
    if (!this.frame || e.source !== this.frame.contentWindow || e.origin !== this.widgetOrigin || !isSwitchboardMessage(e.data)) return;
    const m = e.data as WidgetToHost;
    if (m.type === 'switchboard.ready') this.setAttribute('state', 'ready');
    const requestId = 'requestId' in m ? m.requestId : undefined;
    if (requestId !== undefined) {
      this.pending.get(requestId)?.(m);
      this.pending.delete(requestId);
    }
    this.dispatchEvent(new CustomEvent(m.type.slice('switchboard.'.length), { detail: m, bubbles: true, composed: true }));
  }
}

if (!customElements.get('switchboard-widget')) customElements.define('switchboard-widget', SwitchboardWidget);

declare global {
  interface HTMLElementTagNameMap {
    'switchboard-widget': SwitchboardWidget;
  }
}
