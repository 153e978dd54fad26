/**
 * What the call center tells agents. The socket.io `/agent` namespace
 * implements it; tests can implement it with plain arrays.
 */
import type { AgentSnapshot, CallEndReason, CaseAssignment, OfferWithdrawnReason, ScreenPop } from '../protocol.js';

export interface AgentNotifier {
  /**
   * Pushes a pop to one agent's widgets (never to anyone else). `onDelivered`
   * MUST be called when a widget acknowledged it; a pop to an agent with no
   * widget connected stays pending and goes out in the next session snapshot.
   */
  offered(username: string, pop: ScreenPop, onDelivered: () => void, stillOffered?: () => boolean): void;
  offerWithdrawn(username: string, callId: string, reason: OfferWithdrawnReason): void;
  callConnected(username: string, callId: string, connectedAt: string): void;
  callEnded(username: string, e: { callId: string; endedAt: string; reason: CallEndReason; talkSeconds: number }): void;
  agentState(username: string, agent: AgentSnapshot): void;
  /** The agent's caller is on hold (`held`) or talks to the agent again. */
  callHold?(username: string, callId: string, held: boolean): void;
  /** An escalated case was given to this agent. */
  caseAssigned?(username: string, assignment: CaseAssignment): void;
}
