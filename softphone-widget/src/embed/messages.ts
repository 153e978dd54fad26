/**
 * The postMessage API between the widget (in an iframe) and the CRM page that
 * embeds it. Types only, shared by the widget's bridge and the loader
 * (`<switchboard-widget>`), so the two cannot drift.
 *
 * Every message is an object with `type` starting with `switchboard.`. The
 * widget accepts messages only from its parent window on an origin in the
 * connector's `server.allowedOrigins` (GET /api/embed/config), and posts only
 * to that exact origin; a page on any other origin gets nothing (and cannot
 * frame the widget at all: CSP frame-ancestors).
 */
import type { ActiveCall, AgentSnapshot, CallEndReason, ScreenPop, WrapUp } from '../../../connector/protocol.js';
import type { PhoneCall } from '../phone/phone-state.js';

/** Page -> widget. `requestId` (any string) comes back on the answer. */
export type HostToWidget =
  /** Asks for `switchboard.ready` (the widget also sends it unasked once it knows the page). */
  | { type: 'switchboard.hello' }
  /** Click-to-dial: the softphone calls (or, on a desk phone, the PBX rings the desk phone first). */
  | { type: 'switchboard.dial'; number: string; requestId?: string }
  /** Screen-pop request: the calls on screen now (ringing pops, the call, the wrap-up). */
  | { type: 'switchboard.pop.request'; requestId?: string };

export interface WidgetCalls {
  agent: AgentSnapshot | null;
  offers: ScreenPop[];
  activeCall: ActiveCall | null;
  wrapUp: WrapUp | null;
}

/** Widget -> page. */
export type WidgetToHost =
  | { type: 'switchboard.ready'; signedIn: boolean; agent: AgentSnapshot | null }
  | { type: 'switchboard.dial.result'; requestId?: string; ok: true; via: 'softphone' | 'desk'; callId?: string }
  | { type: 'switchboard.dial.result'; requestId?: string; ok: false; message: string }
  | ({ type: 'switchboard.pop'; requestId?: string } & WidgetCalls)
  | { type: 'switchboard.call.offered'; pop: ScreenPop }
  /** The pop went away without being answered here (the caller hung up, it rang out, it was declined or went to another agent). */
  | { type: 'switchboard.call.withdrawn'; callId: string }
  | { type: 'switchboard.call.connected'; callId: string; connectedAt: string; pop: ScreenPop }
  | { type: 'switchboard.call.ended'; callId: string; endedAt: string; reason: CallEndReason }
  | { type: 'switchboard.agent.state'; agent: AgentSnapshot }
  /** The softphone's own call (incoming or dialed), on every change of its state. */
  | { type: 'switchboard.phone.call'; call: Pick<PhoneCall, 'id' | 'state' | 'direction' | 'remoteNumber' | 'remoteName' | 'linkedCallId' | 'answeredAt' | 'endReason' | 'failStatus'> };

export function isSwitchboardMessage(data: unknown): data is { type: string } {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string' && (data as { type: string }).type.startsWith('switchboard.');
}
