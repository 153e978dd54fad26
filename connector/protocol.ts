/**
 * The socket.io protocol between the connector and the agent widget.
 *
 * This file is imported by both sides (the connector's `/agent` namespace and
 * `softphone-widget/src`), so the event maps cannot drift. It holds types only:
 * no runtime imports, so the widget bundle pulls nothing from the server.
 *
 * Event names follow the project vocabulary: lowercase, dot-namespaced, past
 * tense for things that happened (`call.offered`), imperative for requests
 * (`call.accept`).
 */

/** Agent presence. `on-call` and `after-call-work` are set by the connector, never by the agent. */
export type AgentState = 'available' | 'on-call' | 'after-call-work' | 'away';

/** States an agent may ask for. */
export type SettableAgentState = 'available' | 'away';

export interface AgentSnapshot {
  username: string;
  displayName: string;
  state: AgentState;
  /** In `away`: why (`break`, `lunch` ...; `missed-call` and `phone-unreachable` are set by the connector). */
  awayReason?: string;
  /** ISO time of the last state change. */
  stateSince: string;
  queues: string[];
  /** Present (false) while the agent's softphone is unregistered: the connector offers them no calls. */
  phoneReachable?: false;
  /** In `after-call-work` with a wrap-up limit (`routing.wrapUpSeconds`): the ISO time it ends by itself. */
  wrapUpEndsAt?: string;
  /** Calls the agent may be connected to at once (call waiting); present only when above 1. */
  maxCalls?: number;
  /** Calls the agent is connected to now (one active, the others on hold); present only when above 1. */
  calls?: number;
}

/** One step of the caller's way through the IVR. */
export interface IvrStep {
  /** Node of the flow, e.g. `main-menu`. */
  node: string;
  /** What happened there. */
  event:
    | 'entered'
    | 'key'
    | 'no-input'
    | 'invalid'
    | 'gathered'
    | 'branched'
    | 'language'
    | 'routed'
    | 'callback'
    | 'voicemail'
    | 'transferred'
    | 'hangup';
  /** The key pressed, for `key` and `invalid` (never for a sensitive gather). */
  key?: string;
  /** ISO time. */
  at: string;
  /** For `routed`, `callback` and `voicemail`: the queue. */
  queue?: string;
  /** For `gathered`: the attribute set. */
  attribute?: string;
  /** For `gathered`: the value, masked (`••••`) when the gather is sensitive; for `language`: the language; for `branched`: the next node. */
  value?: string;
  /** For `transferred`: the number. */
  to?: string;
}

export interface ContactSummary {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  /** The contact's number as written when it was entered. */
  phoneRaw: string;
  phoneE164: string | null;
  extension: string | null;
  accountId: number | null;
}

export interface AccountSummary {
  id: number;
  name: string;
  accountNumber: string;
  tier: 'standard' | 'priority';
}

export interface CaseSummary {
  number: string;
  subject: string;
  type: CaseType;
  status: CaseStatus;
  priority: CasePriority;
  createdAt: string;
}

/**
 * Result of looking the caller up by ANI. Computed once per call while the
 * caller is in the IVR; the pop reuses it.
 */
export type LookupResult =
  | { outcome: 'none'; reason: 'withheld' | 'invalid-number' | 'not-found' }
  | { outcome: 'one'; contact: ContactSummary; account: AccountSummary | null; openCases: CaseSummary[] }
  | {
      outcome: 'many';
      matches: Array<{ contact: ContactSummary; account: AccountSummary | null }>;
      /** Open cases across all matches, newest first, at most 5. */
      openCases: CaseSummary[];
    };

/**
 * STIR/SHAKEN attestation of the caller's number (RFC 8588 `attest`): A full,
 * B partial, C gateway. Only when the PBX reported it.
 */
export type Attestation = 'A' | 'B' | 'C';

/** Everything the agent needs to see about an offered call. */
export interface ScreenPop {
  callId: string;
  /** The calling number exactly as the PBX sent it (may be `anonymous` or empty). */
  aniRaw: string;
  /** E.164 form, or null when withheld or not a valid number. */
  aniE164: string | null;
  dnis: string;
  callerName: string | null;
  /** Caller-ID attestation, when the PBX provides it. */
  attestation?: Attestation;
  lookup: LookupResult;
  ivrPath: IvrStep[];
  /** What the IVR learned (gathered digits, language...); sensitive values arrive masked. */
  ivrAttributes: Record<string, string | number | boolean | null>;
  /** The caller's language in the IVR, e.g. `en` or `ja`. */
  language: string | null;
  queue: string;
  /** Case type suggested by the queue the caller chose. */
  suggestedCaseType: CaseType;
  /** ISO time the call arrived at the PBX. */
  arrivedAt: string;
  /** ISO time the call was offered to this agent. */
  offeredAt: string;
  /** Seconds from arrival to the offer. */
  waitedSeconds: number;
  /** ISO time after which the offer moves to the next agent. */
  offerExpiresAt: string;
}

export type CallEndReason =
  | 'caller-hangup'
  | 'agent-hangup'
  | 'system-hangup'
  | 'failed';

export type OfferWithdrawnReason = 'ring-timeout' | 'declined' | 'caller-hangup' | 'agent-unavailable';

export interface ActiveCall {
  callId: string;
  pop: ScreenPop;
  connectedAt: string;
  /** The agent put the call on hold (the caller hears music); absent: the agent talks to this caller. */
  held?: boolean;
}

export interface WrapUp {
  callId: string;
  pop: ScreenPop;
  connectedAt: string;
  endedAt: string;
  endReason: CallEndReason;
}

/**
 * The agent's softphone account (SIP over WebSocket, RFC 7118), sent to that
 * agent's own sockets only. Absent: desk-phone mode (the PBX rings a desk phone).
 */
export interface PhoneSettings {
  /** The registrar's WebSocket URL. */
  wsUri: string;
  /** The agent's address of record, e.g. `sip:alice@example.com`. */
  aor: string;
  authorizationUsername: string;
  /** Null when the registrar does not authenticate. */
  password: string | null;
  displayName: string;
  /** STUN/TURN URLs for ICE. */
  iceServers: string[];
  registerExpiresSec: number;
}

/** Sent on every (re)connection: the whole picture, so a reloaded widget is whole again. */
export interface SessionSnapshot {
  agent: AgentSnapshot;
  offers: ScreenPop[];
  activeCall: ActiveCall | null;
  wrapUp: WrapUp | null;
  /**
   * Call waiting (`maxCalls` above 1): the agent's other connected calls, on hold
   * (each with `held: true`), oldest first. Absent or empty: none.
   */
  heldCalls?: ActiveCall[];
  /** Call waiting: calls that ended while the agent stayed on another one, not logged yet, oldest first. */
  pendingWrapUps?: WrapUp[];
  /** The agent's softphone; absent or null in desk-phone mode. */
  phone?: PhoneSettings | null;
  /** Reasons the agent may give for going away (`routing.awayReasons`). */
  awayReasons?: string[];
}

export type CaseType = 'technical_support' | 'billing_question' | 'feature_request' | 'customer_info_change';
export type CasePriority = 'low' | 'medium' | 'high' | 'urgent';
export type CaseStatus = 'new' | 'open' | 'pending' | 'closed';

/** Error codes carried in acks and HTTP error bodies; see connector/errors.ts. */
export interface ErrorBody {
  code: string;
  message: string;
  /** Per-field problems for validation errors: path -> messages. */
  fields?: Record<string, string[]>;
}

export type Ack<T = Record<string, never>> = (result: ({ ok: true } & T) | { ok: false; error: ErrorBody }) => void;

export interface ServerToClientEvents {
  /** The full state on (re)connect; the client acks once it has rendered it. */
  'session.snapshot': (snapshot: SessionSnapshot, ack: () => void) => void;
  'agent.state.changed': (agent: AgentSnapshot) => void;
  /** A call is offered to this agent: the screen-pop. Acked on receipt (delivery is measured). */
  /** The ack function is absent in a cluster (a broadcast): the widget answers with `screenpop.delivered` instead. */
  'call.offered': (pop: ScreenPop, ack: () => void) => void;
  'call.offer.withdrawn': (e: { callId: string; reason: OfferWithdrawnReason }) => void;
  'call.connected': (e: { callId: string; connectedAt: string }) => void;
  'call.ended': (e: { callId: string; endedAt: string; reason: CallEndReason; talkSeconds: number }) => void;
  /** The caller is on hold (music): the agent asked, or answered another call (call waiting). */
  'call.held': (e: { callId: string }) => void;
  /** The agent talks to this caller again. */
  'call.resumed': (e: { callId: string }) => void;
  /** An escalated case is this agent's now, with its history (docs/routing.md). */
  'case.assigned': (a: CaseAssignment) => void;
}

/** A case given to an agent by routing (tier escalation): the case, its history, who escalated it and why. */
export interface CaseAssignment {
  case: import('./store/types.js').CaseRecord;
  events: Array<import('./store/types.js').CaseEvent>;
  escalatedBy: string | null;
  note: string | null;
}

export interface ClientToServerEvents {
  'agent.state.set': (req: { state: SettableAgentState; reason?: string }, ack: Ack<{ agent: AgentSnapshot }>) => void;
  'call.accept': (req: { callId: string }, ack: Ack) => void;
  'call.decline': (req: { callId: string }, ack: Ack) => void;
  'call.hangup': (req: { callId: string }, ack: Ack) => void;
  /** Puts a connected call on hold (the caller hears music on hold). */
  'call.hold': (req: { callId: string }, ack: Ack) => void;
  /** Takes a held call off hold; with call waiting, the call the agent was talking to goes on hold (a swap). */
  'call.resume': (req: { callId: string }, ack: Ack) => void;
  /** Ends after-call work without saving a case (saving a case with the callId ends it too). */
  'wrapup.finish': (req: { callId: string }, ack: Ack<{ agent: AgentSnapshot }>) => void;
  /** The widget has shown the pop (a cluster sends pops without an acknowledgement; see docs/scale-out.md). */
  'screenpop.delivered': (req: { callId: string }, ack: Ack) => void;
  /**
   * The widget's softphone registered (true) or lost its registration (false). The
   * connector offers no calls to an agent whose reporting widgets are all
   * unregistered or gone, until one reports `registered: true` again.
   */
  'phone.state.set': (req: { registered: boolean }, ack: Ack) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  username: string;
  /** Which login the socket belongs to, so a logout can close it. */
  tokenHash: string;
  /** The last `phone.state.set` from this socket; undefined: it never reported (desk-phone mode). */
  phoneRegistered?: boolean;
}

// ===========================================================================
// The `/supervisor` namespace (supervisors and admins): queues, agents and
// waiting calls live, and the last hour per minute. Separate event maps from
// the `/agent` ones above; see docs/supervisor.md.
// ===========================================================================

/** One queue now (also the rows of `GET /api/queues`). */
export interface QueueTile {
  id: string;
  name: string;
  /** Calls in the waiting line of this queue (a call ringing an agent is not waiting). */
  waiting: number;
  /** Seconds the oldest waiting call has been queued; 0 when none waits. */
  longestWaitSeconds: number;
  /** The queue's agents by state (an agent of several queues counts in each). */
  agents: { available: number; onCall: number; afterCallWork: number; away: number };
  /** Today (UTC): answered calls, and those an agent took within `serviceLevelSeconds` of arrival. */
  serviceLevel: { answered: number; withinThreshold: number; percent: number | null };
}

/** One agent as a supervisor sees them. */
export interface SupervisedAgent {
  username: string;
  displayName: string;
  state: AgentState;
  /** ISO time of the last state change. */
  since: string;
  queues: string[];
  /** The call the agent is on or wrapping up. */
  callId: string | null;
  /** Call waiting: every call the agent is connected to (absent when at most one). */
  callIds?: string[];
  /** The call ringing the agent. */
  offeredCallId: string | null;
  /** False while the agent's softphone is unregistered (no calls are offered then). */
  phoneReachable: boolean;
  /** Why the agent is away, when known. */
  awayReason?: string | null;
}

/** A call in the waiting line. Caller details masked; nothing the IVR gathered is sent. */
export interface WaitingCallView {
  callId: string;
  queue: string | null;
  /** Higher is served first. */
  priority: number;
  /** ISO time the call joined the line. */
  queuedAt: string;
  waitedSeconds: number;
  /** The caller's number, masked (`+14*******23`). */
  callerNumber: string;
  /** The caller's name as initials (`J. S.`), or null. */
  callerName: string | null;
}

/** Queues, agents and the waiting line now (the body of `GET /api/queues`). */
export interface QueueSnapshot {
  /** ISO time the snapshot was taken. */
  at: string;
  serviceLevelSeconds: number;
  queues: QueueTile[];
  agents: SupervisedAgent[];
  /** In the order they will be offered: priority, then queue time. */
  waitingCalls: WaitingCallView[];
}

/** One minute of the chart (UTC minute start). */
export interface HistoryMinute {
  /** ISO time the minute starts, e.g. `2026-11-20T14:03:00.000Z`. */
  minute: string;
  /** Calls that arrived in the minute. */
  arrived: number;
  /** Calls an agent answered in the minute. */
  answered: number;
  /** Calls whose caller hung up (in the IVR, in the queue or ringing) in the minute. */
  abandoned: number;
  /** Over calls whose wait (queued -> connected or ended) ended in the minute; null when none did. */
  avgWaitSeconds: number | null;
  longestWaitSeconds: number | null;
}

/** The last hour per minute, oldest first; the last minute is the current one (partial). */
export interface CallHistory {
  from: string;
  to: string;
  minutes: HistoryMinute[];
}

export interface SupervisorSnapshot {
  live: QueueSnapshot;
  history: CallHistory;
}

export interface SupervisorServerToClientEvents {
  /** The whole picture, on every (re)connection. */
  'supervisor.snapshot': (snapshot: SupervisorSnapshot) => void;
  /** Queues, agents or the waiting line changed (at most once per tick). */
  'queues.changed': (live: QueueSnapshot) => void;
  /** The history changed (a new minute, or calls counted). */
  'history.changed': (history: CallHistory) => void;
}

export interface SupervisorClientToServerEvents {
  /** Asks for the whole picture again (body `{}`). */
  'supervisor.refresh': (req: Record<string, never>, ack: Ack<{ snapshot: SupervisorSnapshot }>) => void;
}

export interface SupervisorSocketData {
  username: string;
  tokenHash: string;
}
