/**
 * The widget's side of the postMessage API (messages.ts) when a CRM page
 * embeds it in an iframe: call events out, click-to-dial and screen-pop
 * requests in.
 *
 * Only the parent window counts, and only on an origin the connector allows
 * (`server.allowedOrigins`, learned from GET /api/embed/config, plus the
 * widget's own origin). Events go to that exact origin, never to `*`: a page
 * elsewhere gets nothing. Anything else that looks like a Switchboard message
 * is ignored with a console warning, so an integrator sees why at once.
 */
import type { ApiClient } from '../api.js';
import type { Controller } from '../controller.js';
import type { AppState, Store } from '../state.js';
import { isSwitchboardMessage, type HostToWidget, type WidgetToHost } from './messages.js';

export interface BridgeTarget {
  /** The window that embeds us (window.parent). */
  parent: Pick<Window, 'postMessage'>;
  /** Our own origin. */
  origin: string;
  /** The embedding page's origin as the browser reports it (ancestorOrigins / referrer), if known. */
  ancestorOrigin: string | null;
}

/**
 * Whether a message event comes from the embedding page on an allowed origin.
 * Pure, so the rule is tested without a browser.
 */
export function acceptedOrigin(e: { origin: string; source: unknown }, parent: unknown, allowed: ReadonlySet<string>): boolean {
  return e.source === parent && e.source !== null && allowed.has(e.origin);
}

/** `server.allowedOrigins` (as origins) plus the widget's own origin. */
export function allowedSet(allowedOrigins: readonly string[], own: string): Set<string> {
  const set = new Set<string>([own]);
  for (const o of allowedOrigins) {
    try {
      set.add(new URL(o).origin);
    } catch {
      // Not a URL: the connector validates the config, so this cannot match anything anyway.
    }
  }
  return set;
}

export function startBridge(store: Store, ctl: Controller, api: ApiClient): () => void {
  const embedded = window.parent !== window;
  const target: BridgeTarget = { parent: window.parent, origin: location.origin, ancestorOrigin: ancestorOrigin() };
  let allowed: Set<string> | null = null;
  /** The embedding page's origin once known and allowed; nothing is posted before. */
  let pageOrigin: string | null = null;
  const early: MessageEvent[] = [];
  const warned = new Set<string>();

  const post = (message: WidgetToHost): void => {
    if (pageOrigin) target.parent.postMessage(message, pageOrigin);
  };
  const ready = (): void => {
    const s = store.get();
    post({ type: 'switchboard.ready', signedIn: !!s.session, agent: s.agent });
  };

  const handle = (e: MessageEvent): void => {
    if (!isSwitchboardMessage(e.data)) return;
    if (!allowed) {
      early.push(e); // the allowlist is still loading
      return;
    }
    if (!acceptedOrigin(e, target.parent, allowed)) {
      if (!warned.has(e.origin)) {
        warned.add(e.origin);
        console.warn(`Switchboard: ignored a message from ${e.origin || 'an unknown origin'}: only the embedding page on an origin in server.allowedOrigins is heard.`);
      }
      return;
    }
    if (pageOrigin !== e.origin) {
      pageOrigin = e.origin;
      ready();
    }
    void command(e.data as HostToWidget);
  };

  const command = async (m: HostToWidget): Promise<void> => {
    switch (m.type) {
      case 'switchboard.hello':
        return ready();
      case 'switchboard.dial': {
        const requestId = m.requestId;
        const outcome = typeof m.number === 'string' ? await ctl.dial(m.number) : { ok: false as const, message: 'expected a number' };
        return post({ type: 'switchboard.dial.result', ...(requestId === undefined ? {} : { requestId }), ...outcome });
      }
      case 'switchboard.pop.request': {
        const s = store.get();
        return post({ type: 'switchboard.pop', ...(m.requestId === undefined ? {} : { requestId: m.requestId }), agent: s.agent, offers: [...s.offers], activeCall: s.activeCall, wrapUp: s.wrapUp });
      }
      default:
        return;
    }
  };

  window.addEventListener('message', handle);
  let readyKey = '';
  const unsubscribe = store.subscribe((s, prev) => {
    // Signed in or out, or the agent became known: the page hears `ready` again (once per change).
    const key = `${!!s.session}:${s.agent?.username ?? ''}`;
    if (key !== readyKey) {
      readyKey = key;
      ready();
    }
    events(s, prev, post);
  });

  // Not embedded (a tab of its own, a popup): nobody else may drive it; say so to anyone who tries.
  if (!embedded) {
    allowed = allowedSet([], target.origin);
    return () => {
      window.removeEventListener('message', handle);
      unsubscribe();
    };
  }
  api.embedConfig().then(
    (cfg) => {
      allowed = allowedSet(cfg.allowedOrigins, target.origin);
      // The page is known from the browser: say hello first, so it need not ask.
      if (target.ancestorOrigin && allowed.has(target.ancestorOrigin) && !pageOrigin) {
        pageOrigin = target.ancestorOrigin;
        ready();
      }
      for (const e of early.splice(0)) handle(e);
    },
    () => {
      // The connector is unreachable: only our own origin is known to be safe.
      allowed = allowedSet([], target.origin);
      for (const e of early.splice(0)) handle(e);
    },
  );
  return () => {
    window.removeEventListener('message', handle);
    unsubscribe();
  };
}

/** Call events out, from the store's changes (so a reload's snapshot reports what is on screen again). */
function events(s: AppState, prev: AppState, post: (m: WidgetToHost) => void): void {
  if (s.offers !== prev.offers) {
    const before = new Set(prev.offers.map((o) => o.callId));
    const now = new Set(s.offers.map((o) => o.callId));
    for (const pop of s.offers) if (!before.has(pop.callId)) post({ type: 'switchboard.call.offered', pop });
    for (const pop of prev.offers) {
      if (now.has(pop.callId)) continue;
      if (s.activeCall?.callId !== pop.callId) post({ type: 'switchboard.call.withdrawn', callId: pop.callId });
    }
  }
  if (s.activeCall && s.activeCall.callId !== prev.activeCall?.callId) {
    post({ type: 'switchboard.call.connected', callId: s.activeCall.callId, connectedAt: s.activeCall.connectedAt, pop: s.activeCall.pop });
  }
  if (s.wrapUp && s.wrapUp.callId !== prev.wrapUp?.callId) post({ type: 'switchboard.call.ended', callId: s.wrapUp.callId, endedAt: s.wrapUp.endedAt, reason: s.wrapUp.endReason });
  if (s.agent && prev.agent && (s.agent.state !== prev.agent.state || s.agent.stateSince !== prev.agent.stateSince)) post({ type: 'switchboard.agent.state', agent: s.agent });

  const call = s.phone.call;
  const before = prev.phone.call;
  if (call && (call.id !== before?.id || call.state !== before.state)) post({ type: 'switchboard.phone.call', call: phoneCall(call) });
  if (s.phone.lastEnded && s.phone.lastEnded !== prev.phone.lastEnded) post({ type: 'switchboard.phone.call', call: phoneCall(s.phone.lastEnded) });
}

function phoneCall(c: NonNullable<AppState['phone']['call']>): Extract<WidgetToHost, { type: 'switchboard.phone.call' }>['call'] {
  return { id: c.id, state: c.state, direction: c.direction, remoteNumber: c.remoteNumber, remoteName: c.remoteName, linkedCallId: c.linkedCallId, answeredAt: c.answeredAt, endReason: c.endReason, failStatus: c.failStatus };
}

function ancestorOrigin(): string | null {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors.item(0);
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}
