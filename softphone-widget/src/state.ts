/**
 * The widget's single state object and its store. Views read slices of it and
 * re-render a region only when that slice's reference changed, so every update
 * MUST replace the objects it changes (never mutate in place).
 */
import type { ActiveCall, AgentSnapshot, ScreenPop, WrapUp } from '../../connector/protocol.js';
import type { CaseRecord } from '../../connector/store/types.js';
import type { Lang } from './i18n/index.js';
import type { QueuedCase } from './outbox.js';
import { initialPhoneState, type PhoneState } from './phone/phone-state.js';

export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export interface StoredSession {
  token: string;
  expiresAt: string;
  username: string;
  displayName: string;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface AppState {
  /** Null: signed out, the login form shows. */
  session: StoredSession | null;
  agent: AgentSnapshot | null;
  connection: ConnectionStatus;
  /** Calls ringing for this agent, oldest first. */
  offers: readonly ScreenPop[];
  /** Call ids with an Answer/Decline request in flight. */
  busyOffers: ReadonlySet<string>;
  /** The call the agent talks to. */
  activeCall: ActiveCall | null;
  /** Connected calls on hold (call waiting, or the agent pressed Hold), oldest first. */
  heldCalls: readonly ActiveCall[];
  /** A hang-up of the active call is in flight. */
  hangingUp: boolean;
  /** The call whose case form is open. */
  wrapUp: WrapUp | null;
  /** Call waiting: further ended calls to log, opened one after another once `wrapUp` is done. */
  pendingWrapUps: readonly WrapUp[];
  /** The case saved last, shown until the next call or until dismissed. */
  lastSaved: { record: CaseRecord; callerName: string } | null;
  /** Null until loaded. */
  recentCases: readonly CaseRecord[] | null;
  notice: Notice | null;
  /** The softphone (or desk-phone mode). */
  phone: PhoneState;
  /** Cases saved while the server was unreachable, waiting to be sent (this agent's). */
  outbox: readonly QueuedCase[];
  /** The audio devices panel is open. */
  devicesOpen: boolean;
  /** Calls this agent placed with click-to-dial (their pops are not answered here). */
  outboundCalls: ReadonlySet<string>;
  lang: Lang;
  /** Reasons this agent may give for going away (from the session snapshot). */
  awayReasons: readonly string[];
}

export const initialState: AppState = {
  session: null,
  agent: null,
  connection: 'offline',
  offers: [],
  busyOffers: new Set(),
  activeCall: null,
  heldCalls: [],
  hangingUp: false,
  wrapUp: null,
  pendingWrapUps: [],
  lastSaved: null,
  recentCases: null,
  notice: null,
  phone: initialPhoneState,
  outbox: [],
  devicesOpen: false,
  outboundCalls: new Set(),
  lang: 'en',
  awayReasons: [],
};

export type Listener = (state: AppState, previous: AppState) => void;

export class Store {
  private state: AppState;
  private readonly listeners = new Set<Listener>();

  constructor(initial: AppState) {
    this.state = initial;
  }

  get(): AppState {
    return this.state;
  }

  /** Applies a patch and notifies listeners synchronously (so "rendered" means rendered). */
  update(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
    const previous = this.state;
    const delta = typeof patch === 'function' ? patch(previous) : patch;
    this.state = { ...previous, ...delta };
    for (const listener of [...this.listeners]) listener(this.state, previous);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const SESSION_KEY = 'switchboard.session.v1';


export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof s.token !== 'string' || typeof s.username !== 'string') return null;
    if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) return null;
    return { token: s.token, expiresAt: s.expiresAt ?? '', username: s.username, displayName: s.displayName ?? s.username };
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession | null): void {
  try {
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage full or disabled: the session lasts until the page closes.
  }
}

/** `set` without `id` (the same set when it had no `id`: no needless re-render). */
export function without(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set;
  const next = new Set(set);
  next.delete(id);
  return next;
}
