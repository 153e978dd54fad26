/**
 * The composition of API, socket and store: turns server events into state and
 * the agent's clicks into requests. Views call these methods and never talk to
 * the network themselves.
 */
import type { ActiveCall, ScreenPop, SessionSnapshot, SettableAgentState, WrapUp } from '../../connector/protocol.js';
import type { CaseRecord } from '../../connector/store/types.js';
import { ApiClient, ApiError, NetworkError, type CreateCaseRequest } from './api.js';
import { setLang, t, type Lang } from './i18n/index.js';
import { enqueueCase, isQueuedCall, keepLocalWrapUp } from './outbox.js';
import { OutboxRunner } from './outbox-runner.js';
import { createPhone } from './phone-link.js';
import type { PhoneController, PhoneRefusal } from './phone/phone-controller.js';
import type { MessageKey } from './i18n/index.js';
import { announce } from './live.js';
import { announceName, callerName } from './caller.js';
import { deleteDraft, pruneDrafts } from './drafts.js';
import { noteServerNow } from './dom.js';
import { AgentConnection, type RequestName, type RequestOf, type ResultOf } from './socket.js';
import { initialState, loadSession, saveSession, without, type AppState, type StoredSession, type Store } from './state.js';
import { WITHDRAWN } from './labels.js';

/** How a dial request went (the embedding page hears it too). */
export type DialOutcome = { ok: true; via: 'softphone' } | { ok: true; via: 'desk'; callId: string; to: string } | { ok: false; message: string };

const REFUSAL: Record<PhoneRefusal, MessageKey> = {
  'invalid-number': 'dial.invalid',
  busy: 'dial.busy',
  'not-registered': 'dial.notRegistered',
  'other-tab': 'dial.otherTab',
  'no-phone': 'dial.noPhone',
  'no-call': 'dial.busy',
};

export class Controller {
  readonly api: ApiClient;
  /** The softphone; desk-phone mode until a snapshot brings SIP settings. */
  readonly phone: PhoneController;
  readonly outbox: OutboxRunner;
  private conn: AgentConnection | null = null;
  /** A click-to-dial request is in flight: the pop that arrives meanwhile is most likely its own. */
  private deskDialing = false;

  constructor(private readonly store: Store) {
    this.api = new ApiClient({
      getToken: () => this.store.get().session?.token ?? null,
      onUnauthorized: () => this.signedOut('Your session has ended. Please sign in again.'),
    });
    this.phone = createPhone(store, (registered) => void this.request('phone.state.set', { registered }));
    this.outbox = new OutboxRunner(store, this.api, () => void this.refreshRecent());
  }

  /** Resumes a stored session, if any. */
  start(): void {
    const session = loadSession();
    if (!session) return;
    this.begin(session);
    this.api.me().then(
      (agent) => this.store.update((s) => ({ agent: s.agent ?? agent })),
      () => undefined, // 401 signs out through onUnauthorized; a network error leaves socket.io retrying.
    );
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.api.login(username, password);
    const session: StoredSession = { token: r.token, expiresAt: r.expiresAt, username: r.agent.username, displayName: r.agent.displayName };
    saveSession(session);
    this.store.update({ agent: r.agent });
    this.begin(session);
  }

  logout(): void {
    const token = this.store.get().session?.token;
    this.signedOut(null);
    if (token) this.api.logout(token).catch(() => undefined);
  }

  private begin(session: StoredSession): void {
    this.store.update({ session, notice: null });
    this.outbox.refresh();
    this.connect(session.token);
    void this.refreshRecent();
  }

  private signedOut(message: string | null): void {
    this.conn?.close();
    this.conn = null;
    this.phone.stop();
    saveSession(null);
    this.store.update((s) => ({ ...initialState, lang: s.lang, notice: message ? { kind: 'info', text: message } : null }));
  }

  private connect(token: string): void {
    this.conn?.close();
    const conn = new AgentConnection(token, {
      onStatus: (connection) => {
        this.store.update({ connection });
        // The connector is back: send what was saved while it was away.
        if (connection === 'connected') this.outbox.kick();
      },
      onUnauthorized: () => this.signedOut('Your session has ended. Please sign in again.'),
      // The server closed us on purpose: find out whether the token still holds, then come back.
      onServerDisconnect: () => {
        this.api.me().then(
          () => conn.connect(),
          (e: unknown) => {
            if (!(e instanceof ApiError && e.status === 401)) window.setTimeout(() => conn.connect(), 2_000);
          },
        );
      },
    });
    this.conn = conn;
    const s = conn.socket;
    s.on('session.snapshot', (snapshot, ack) => {
      this.applySnapshot(snapshot);
      ack();
    });
    s.on('call.offered', (pop, ack) => {
      // One process acknowledges the emit; a cluster listens for screenpop.delivered.
      if (typeof ack === 'function') ack();
      else s.emit('screenpop.delivered', { callId: pop.callId }, () => {});
      noteServerNow(pop.offeredAt);
      this.store.update((st) => ({ offers: [...st.offers.filter((o) => o.callId !== pop.callId), pop], lastSaved: null }));
      if (!this.deskDialing && !this.store.get().outboundCalls.has(pop.callId)) announce(`Incoming call from ${announceName(pop)}`, true);
    });
    s.on('call.offer.withdrawn', ({ callId, reason }) => {
      const pop = this.store.get().offers.find((o) => o.callId === callId);
      this.dropOffer(callId);
      this.backToActive();
      if (pop && reason !== 'declined') this.info(`The call from ${callerName(pop)} ${WITHDRAWN[reason]}.`);
    });
    // An escalated case routed to this agent: say so, and show it first in the recent cases.
    s.on('case.assigned', ({ case: record, escalatedBy, note }) => {
      const from = escalatedBy ? ` by ${escalatedBy}` : '';
      this.info(`Case ${record.number} (${record.subject}) was escalated to you${from}${note ? `: ${note}` : '.'}`);
      announce(`Case ${record.number} escalated to you.`, true);
      this.store.update((st) => ({ recentCases: [record, ...(st.recentCases ?? []).filter((c) => c.number !== record.number)].slice(0, 10) }));
    });
    s.on('call.connected', ({ callId, connectedAt }) => {
      const st = this.store.get();
      const pop = st.offers.find((o) => o.callId === callId) ?? (st.activeCall?.callId === callId ? st.activeCall.pop : null);
      if (!pop) return this.resync();
      // Call waiting: the connector holds the call the agent was on first (call.held); if that was missed, hold it here.
      this.store.update((x) => ({
        activeCall: { callId, pop, connectedAt },
        heldCalls: x.activeCall && x.activeCall.callId !== callId ? [...x.heldCalls, { ...x.activeCall, held: true }] : x.heldCalls,
        offers: x.offers.filter((o) => o.callId !== callId),
        busyOffers: without(x.busyOffers, callId),
      }));
      announce(`Connected to ${callerName(pop)}`);
    });
    s.on('call.held', ({ callId }) => {
      void this.phone.linkedHold(callId, true);
      this.store.update((x) => (x.activeCall?.callId === callId ? { activeCall: null, hangingUp: false, heldCalls: [...x.heldCalls, { ...x.activeCall, held: true }] } : {}));
    });
    s.on('call.resumed', ({ callId }) => {
      void this.phone.linkedHold(callId, false);
      const held = this.store.get().heldCalls.find((c) => c.callId === callId);
      if (!held) return;
      const { held: _held, ...call } = held;
      this.store.update((x) => ({
        activeCall: call,
        heldCalls: [...x.heldCalls.filter((c) => c.callId !== callId), ...(x.activeCall ? [{ ...x.activeCall, held: true }] : [])],
      }));
      announce(`Back with ${callerName(call.pop)}`);
    });
    s.on('call.ended', ({ callId, endedAt, reason }) => {
      const st = this.store.get();
      const ended = st.activeCall?.callId === callId ? st.activeCall : st.heldCalls.find((c) => c.callId === callId);
      if (!ended) return this.dropOffer(callId);
      const { held: _held, ...call } = ended;
      const wrapUp: WrapUp = { ...call, endedAt, endReason: reason };
      this.store.update((x) => ({
        activeCall: x.activeCall?.callId === callId ? null : x.activeCall,
        heldCalls: x.heldCalls.filter((c) => c.callId !== callId),
        hangingUp: x.activeCall?.callId === callId ? false : x.hangingUp,
        // A form already open (call waiting): this one opens after it.
        ...(x.wrapUp && x.wrapUp.callId !== callId ? { pendingWrapUps: [...x.pendingWrapUps.filter((w) => w.callId !== callId), wrapUp] } : { wrapUp }),
      }));
      announce(this.store.get().wrapUp?.callId === callId ? 'Call ended. The case form is open.' : `Call with ${callerName(call.pop)} ended; its case form opens after this one.`);
    });
    s.on('agent.state.changed', (agent) => this.store.update({ agent }));
    conn.connect();
  }

  /** Replaces everything the server knows; keeps a local wrap-up the server no longer has, so no typing is lost. */
  private applySnapshot(snap: SessionSnapshot): void {
    const username = snap.agent.username;
    // A wrap-up whose case is already queued here MUST NOT reopen (a new draft would mean a second case).
    const open = (w: WrapUp | null | undefined): w is WrapUp => !!w && !isQueuedCall(username, w.callId);
    const connected = new Set([snap.activeCall?.callId, ...(snap.heldCalls ?? []).map((c) => c.callId)]);
    this.store.update((s) => {
      const local = s.wrapUp && !connected.has(s.wrapUp.callId) && keepLocalWrapUp(s.wrapUp.callId, snap.activeCall?.callId ?? null, username) ? s.wrapUp : null;
      // Every call still to log, once: the server's and the ones only this page had, the open form first.
      const queue: WrapUp[] = [];
      // Only this page's forms with a draft: one logged or closed in another tab is not brought back.
      const localPending = s.pendingWrapUps.filter((w) => keepLocalWrapUp(w.callId, snap.activeCall?.callId ?? null, username));
      for (const w of [local, open(snap.wrapUp) ? snap.wrapUp : null, ...(snap.pendingWrapUps ?? []), ...localPending]) {
        if (open(w) && !connected.has(w.callId) && !queue.some((q) => q.callId === w.callId)) queue.push(w);
      }
      return {
        agent: snap.agent,
        awayReasons: snap.awayReasons ?? [],
        offers: snap.offers,
        busyOffers: new Set<string>(),
        activeCall: snap.activeCall,
        heldCalls: snap.heldCalls ?? [],
        hangingUp: false,
        wrapUp: queue[0] ?? null,
        pendingWrapUps: queue.slice(1),
      };
    });
    pruneDrafts(this.store.get().wrapUp?.callId ?? null);
    this.phone.configure(snap.phone ?? null, username);
  }

  /** Reconnects to receive a fresh snapshot (after an event the widget cannot place). */
  private resync(): void {
    this.conn?.socket.disconnect().connect();
  }

  private dropOffer(callId: string): void {
    this.store.update((s) => ({ offers: s.offers.filter((o) => o.callId !== callId), busyOffers: without(s.busyOffers, callId) }));
  }

  private info(text: string): void {
    this.store.update({ notice: { kind: 'info', text } });
    announce(text);
  }

  private error(text: string): void {
    this.store.update({ notice: { kind: 'error', text } });
    announce(text);
  }

  setLang(next: Lang): void {
    setLang(next);
    this.store.update({ lang: next });
  }

  dismissNotice(): void {
    this.store.update({ notice: null });
  }

  dismissSaved(): void {
    this.store.update({ lastSaved: null });
  }

  toggleDevices(open?: boolean): void {
    this.store.update((s) => ({ devicesOpen: open ?? !s.devicesOpen }));
  }

  /**
   * Calls `number` (the dial pad, a click on a number, or the embedding page):
   * from the softphone in softphone mode, else through the connector's
   * click-to-dial (the PBX rings the agent's desk phone first, then the number).
   * Every refusal is shown to the agent and returned.
   */
  async dial(number: string): Promise<DialOutcome> {
    const n = number.trim();
    if (!n) return this.dialRefused(t('dial.invalid'));
    if (this.store.get().phone.mode === 'softphone') {
      const r = await this.phone.dial(n);
      return r.ok ? { ok: true, via: 'softphone' } : this.dialRefused(t(REFUSAL[r.reason]));
    }
    this.deskDialing = true;
    try {
      const placed = await this.api.dial(n);
      this.store.update((s) => ({ outboundCalls: new Set(s.outboundCalls).add(placed.callId) }));
      this.info(t('dial.deskPlaced', { number: placed.to }));
      return { ok: true, via: 'desk', ...placed };
    } catch (e) {
      return this.dialRefused(t('dial.failed', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      this.deskDialing = false;
    }
  }

  private dialRefused(message: string): DialOutcome {
    this.error(message);
    return { ok: false, message };
  }

  /** Blind transfer of the softphone's call; null when sent (the card follows it), else why not. */
  async transfer(target: string): Promise<string | null> {
    const r = await this.phone.transfer(target);
    return r.ok ? null : t(REFUSAL[r.reason]);
  }

  async setAgentState(state: SettableAgentState, reason?: string): Promise<void> {
    const res = await this.request('agent.state.set', reason ? { state, reason } : { state });
    if (res.ok) this.store.update({ agent: res.agent });
    else this.error(`Could not change your state: ${res.error.message}`);
  }

  async accept(pop: ScreenPop): Promise<void> {
    this.store.update((s) => ({ busyOffers: new Set(s.busyOffers).add(pop.callId) }));
    // The softphone's leg of this call (if it rings here) is answered together with the pop.
    void this.phone.linkedAnswer(pop.callId);
    const res = await this.request('call.accept', { callId: pop.callId });
    // On success the busy flag stays until call.connected arrives.
    if (!res.ok) {
      this.store.update((s) => ({ busyOffers: without(s.busyOffers, pop.callId) }));
      this.error(`Could not answer: ${res.error.message}`);
      this.backToActive();
    }
  }

  /**
   * Call waiting: answering a pop holds the softphone's other leg before the connector
   * confirms. When that call does not come (the answer failed, the offer was withdrawn),
   * the leg of the call the agent is still on is taken off hold again.
   */
  private backToActive(): void {
    const active = this.store.get().activeCall;
    if (active) void this.phone.linkedHold(active.callId, false);
  }

  async decline(pop: ScreenPop): Promise<void> {
    this.store.update((s) => ({ busyOffers: new Set(s.busyOffers).add(pop.callId) }));
    void this.phone.linkedHangup(pop.callId);
    const res = await this.request('call.decline', { callId: pop.callId });
    // On success the server's call.offer.withdrawn removes the card. Not here: when this
    // agent is the only one left, the same call is offered again before this ack arrives.
    if (res.ok) this.store.update((s) => ({ busyOffers: without(s.busyOffers, pop.callId) }));
    else {
      this.store.update((s) => ({ busyOffers: without(s.busyOffers, pop.callId) }));
      this.error(`Could not decline: ${res.error.message}`);
    }
  }

  async hangup(callId: string): Promise<void> {
    // The busy label belongs to the active call's button; a held call's hang-up shows no wait.
    if (this.store.get().activeCall?.callId === callId) this.store.update({ hangingUp: true });
    void this.phone.linkedHangup(callId);
    const res = await this.request('call.hangup', { callId });
    if (!res.ok) {
      this.store.update({ hangingUp: false });
      this.error(`Could not hang up: ${res.error.message}`);
    }
  }

  /** Ends after-call work without a case. */
  async finishWrapUp(callId: string): Promise<void> {
    const res = await this.request('wrapup.finish', { callId });
    if (!res.ok && (res.error.code === 'TIMEOUT' || res.error.code === 'NOT_CONNECTED')) {
      this.error(res.error.message);
      return;
    }
    // Any other refusal means the server has no wrap-up for this call: close the form anyway.
    if (res.ok) this.store.update({ agent: res.agent });
    deleteDraft(callId);
    this.store.update((s) => closeWrapUp(s, callId));
  }

  /** Puts a connected call on hold (the caller hears music); the connector's call.held updates the page. */
  async holdCall(callId: string): Promise<void> {
    const res = await this.request('call.hold', { callId });
    if (!res.ok) this.error(`Could not hold the call: ${res.error.message}`);
  }

  /** Back to a held call; the call the agent was on goes on hold (call waiting). */
  async resumeCall(callId: string): Promise<void> {
    const res = await this.request('call.resume', { callId });
    if (!res.ok) this.error(`Could not resume the call: ${res.error.message}`);
  }

  /**
   * Saves the wrap-up's case; null when the server could not be reached and the
   * case was queued in the browser instead. Throws ApiError for the form to show.
   * A 409 for a key whose earlier save did land (the reply was lost, then the
   * draft was edited) resolves to that earlier case instead of failing.
   */
  async saveCase(body: CreateCaseRequest, idempotencyKey: string, callerLabel: string): Promise<CaseRecord | null> {
    let record: CaseRecord;
    try {
      record = (await this.api.createCase(body, idempotencyKey)).record;
    } catch (e) {
      if (e instanceof NetworkError) return this.queueCase(body, idempotencyKey, callerLabel);
      const earlier = e instanceof ApiError && e.code === 'IDEMPOTENCY_KEY_REUSED' && body.callId ? await this.findCaseOfCall(body.callId) : null;
      if (!earlier) throw e;
      record = earlier;
    }
    if (body.callId) deleteDraft(body.callId);
    this.store.update((s) => ({
      lastSaved: { record, callerName: callerLabel },
      ...(body.callId ? closeWrapUp(s, body.callId) : {}),
      recentCases: [record, ...(s.recentCases ?? []).filter((c) => c.number !== record.number)].slice(0, 10),
    }));
    announce(`Case ${record.number} saved.`);
    void this.refreshRecent();
    return record;
  }

  /**
   * The connector is unreachable: the case goes to the browser's outbox (same
   * Idempotency-Key) and the form closes; the outbox sends it when the connector is back.
   */
  private queueCase(body: CreateCaseRequest, key: string, callerLabel: string): null {
    const username = this.store.get().session?.username;
    if (!username) throw new NetworkError(t('outbox.queued'));
    enqueueCase({ key, username, body, callerLabel });
    if (body.callId) deleteDraft(body.callId);
    if (body.callId) this.store.update((s) => closeWrapUp(s, body.callId!));
    this.outbox.refresh();
    this.info(t('outbox.queued'));
    this.outbox.kick();
    return null;
  }

  private async findCaseOfCall(callId: string): Promise<CaseRecord | null> {
    const username = this.store.get().session?.username;
    if (!username) return null;
    const cases = await this.api.listCases({ agent: username, limit: 50 }).catch(() => []);
    return cases.find((c) => c.callId === callId) ?? null;
  }

  async refreshRecent(): Promise<void> {
    const username = this.store.get().session?.username;
    if (!username) return;
    try {
      const cases = await this.api.listCases({ agent: username, limit: 10 });
      if (this.store.get().session?.username === username) this.store.update({ recentCases: cases });
    } catch {
      // Keep the list shown; the next save refreshes it.
    }
  }

  private request<E extends RequestName>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>> {
    if (!this.conn) return Promise.resolve({ ok: false, error: { code: 'NOT_CONNECTED', message: 'Not signed in.' } } as ResultOf<E>);
    return this.conn.request(event, payload);
  }
}

/** The state after the form of `callId` closed: the next call waiting to be logged opens (call waiting). */
function closeWrapUp(s: AppState, callId: string): Pick<AppState, 'wrapUp' | 'pendingWrapUps'> {
  const pending = s.pendingWrapUps.filter((w) => w.callId !== callId);
  if (s.wrapUp?.callId !== callId) return { wrapUp: s.wrapUp, pendingWrapUps: pending };
  return { wrapUp: pending[0] ?? null, pendingWrapUps: pending.slice(1) };
}
