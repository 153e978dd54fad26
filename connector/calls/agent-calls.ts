/**
 * What an agent's widget may ask of the call center (the `/agent` namespace's
 * view of it). One process: the CallCenter itself. A cluster: a facade that
 * runs each request on the node owning the agent's call (connector/cluster).
 */
import type { AgentSnapshot, SessionSnapshot, SettableAgentState } from '../protocol.js';

export interface SnapshotResult {
  snapshot: SessionSnapshot;
  /** The widget acknowledged the snapshot: its pending pop counts as delivered. */
  onDelivered: () => void;
}

export interface AgentCalls {
  hasAgent(username: string): boolean;
  snapshot(username: string): SnapshotResult | Promise<SnapshotResult>;
  /** Returns the agent's state after the change, as the node that made it sees it. */
  setState(username: string, state: SettableAgentState, reason?: string): AgentSnapshot | Promise<AgentSnapshot>;
  accept(username: string, callId: string): void | Promise<void>;
  decline(username: string, callId: string): void | Promise<void>;
  hangup(username: string, callId: string): Promise<void>;
  /** Puts a connected call on hold (music for the caller). */
  hold(username: string, callId: string): void | Promise<void>;
  /** Takes a call off hold; the agent's other calls go on hold (call waiting). */
  resume(username: string, callId: string): void | Promise<void>;
  /** Ends after-call work (for `callId`, or whatever call with null); returns the agent's state after it. */
  finishWrapUpFor(username: string, callId: string | null): AgentSnapshot | Promise<AgentSnapshot>;
  setPhoneReachable(username: string, reachable: boolean): void | Promise<void>;
  /** The agent's widget shows the pop for `callId` (`screenpop.delivered`). */
  popDelivered(username: string, callId: string): void | Promise<void>;
}
