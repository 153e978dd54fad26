/**
 * The Twilio adapter: drives calls on Twilio Programmable Voice through webhooks
 * and TwiML. Twilio asks, we answer: every request from Twilio (the voice webhook of
 * a number, the callbacks of the documents we send, status callbacks) carries a
 * signature we check first (webhooks.ts), then the call's state moves on here and
 * the request is answered with the call's next TwiML document (documents.ts).
 *
 * Commands do not reach Twilio when they are made. They are queued per `CallSid`
 * and the next webhook from that call is answered with them; every document ends in
 * a callback, so the next webhook always comes (within `gather.timeoutSec` while
 * nothing happens). A webhook is held open only until the application reacted to
 * it (two macrotask turns: the events it caused were delivered and any command they
 * led to is queued), then answered. Three things cannot wait for a webhook and use
 * the REST API instead: ringing an agent (a new call), cancelling that ring, and
 * hanging up a call that is connected (it sends no webhooks while bridged).
 */
import type { Response, Router } from 'express';
import type { AdapterHealth, PbxAdapter, PbxEventListener, PlaybackResult, Prompt, StateListener } from '../adapter.js';
import { AdapterError, isCallGone } from '../errors.js';
import type { EndReason, PbxEvent } from '../events.js';
import { AdapterStatus } from '../adapter-status.js';
import { Listeners } from '../listeners.js';
import { callDocument, waitDocument, type DocSettings, type DocUrls } from './documents.js';
import { agentAnswered, bridge, cancelAgentLeg, endLegsOf, legStatus, ringAgent, transfer } from './legs.js';
import { hold, play } from './media.js';
import { CALL_SID, callerEndReason, callerOf, isEnded, keysOf, param, type Params } from './mapper.js';
import { SILENT_LOG, type AdapterLog, type TwilioAdapterOptions } from './options.js';
import { TwilioRestClient } from './rest-client.js';
import { allPlays, newCaller, Tombstones, type CallerState, type LegState, type SentDoc } from './state.js';
import { renderTwiml, type Verb } from './twiml.js';
import { webhookRouter } from './webhooks.js';

type Emitted = DistributiveOmit<PbxEvent, 'adapterId' | 'at'>;

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TwilioAdapter implements PbxAdapter {
  readonly kind = 'twilio';
  readonly id: string;
  readonly log: AdapterLog;
  readonly rest: TwilioRestClient;
  readonly calls = new Map<string, CallerState>();
  readonly legs = new Map<string, LegState>();
  private readonly gone = new Tombstones();
  private readonly events = new Listeners<PbxEvent>((err) => this.log.error({ err }, 'a PBX event listener threw'));
  private readonly status: AdapterStatus;
  private running = false;
  private routes: Router | null = null;
  private readonly urls: DocUrls;
  private readonly settings: DocSettings;

  constructor(readonly opts: TwilioAdapterOptions) {
    this.id = opts.id;
    this.log = opts.log ?? SILENT_LOG;
    this.rest = new TwilioRestClient({ adapterId: opts.id, baseUrl: opts.apiBaseUrl, accountSid: opts.accountSid, authToken: opts.authToken, timeoutMs: opts.requestTimeoutMs });
    this.status = new AdapterStatus(opts.id, this.kind, (err) => this.log.error({ err }, 'a state listener threw'));
    this.urls = { next: (seq) => this.url(`/next?d=${seq}`), wait: (seq) => this.url(`/wait?d=${seq}`) };
    this.settings = { gather: opts.gather, holdMusicUrl: opts.holdMusicUrl, holdPauseSec: opts.holdPauseSec };
  }

  /** The public URL of one of our webhook routes, as Twilio requests (and signs) it. */
  url(path: string): string {
    return `${this.opts.publicUrl.replace(/\/+$/, '')}${this.opts.webhookPath}${path}`;
  }

  /** The express router of this adapter's webhooks. Mount it before any body parser (it reads and signs the raw body). */
  router(): Router {
    return (this.routes ??= webhookRouter(this));
  }

  // ---- lifecycle ------------------------------------------------------------

  /** Twilio connects to us: "connected" means the webhooks are accepted. */
  async connect(): Promise<void> {
    this.running = true;
    this.status.set('connected', this.status.lastError);
  }

  /** Stops accepting webhooks (they get 503: Twilio then runs the number's fallback URL). Calls are left to Twilio. */
  async disconnect(): Promise<void> {
    this.running = false;
    for (const call of this.calls.values()) {
      if (call.held) call.held.res.status(503).type('text/plain').send('Switchboard is not accepting calls');
      call.held = null;
      for (const h of allPlays(call)) h.settle({ completed: false });
      for (const w of [...call.queueWaiters]) w();
    }
    for (const leg of this.legs.values()) {
      if (leg.keepAlive) clearTimeout(leg.keepAlive);
      if (leg.held) leg.held.status(503).type('text/plain').send('Switchboard is not accepting calls');
      leg.held = null;
    }
    this.calls.clear();
    this.legs.clear();
    this.status.set('disconnected');
  }

  get accepting(): boolean {
    return this.running;
  }

  health(): AdapterHealth {
    return this.status.health();
  }

  onEvent(listener: PbxEventListener): () => void {
    return this.events.add(listener);
  }

  onStateChange(listener: StateListener): () => void {
    return this.status.onChange(listener);
  }

  /** A REST request failed for a reason other than a call being gone: shown in health's lastError. */
  restFailed(err: unknown): void {
    if (isCallGone(err)) return;
    this.log.warn({ err, adapter: this.id }, 'Twilio REST request failed');
    if (this.running) this.status.set('connected', `Twilio REST API: ${(err as Error).message}`);
  }

  restSucceeded(): void {
    if (this.running && this.status.lastError) this.status.set('connected');
  }

  // ---- webhooks (after the signature check) --------------------------------------

  sendTwiml(res: Response, verbs: readonly Verb[]): void {
    if (res.headersSent) return;
    res.status(200).type('text/xml').send(renderTwiml(verbs));
  }

  /** The number's voice webhook: a new call. */
  async onVoice(p: Params, res: Response): Promise<void> {
    const sid = param(p, 'CallSid');
    if (!CALL_SID.test(sid)) return void res.status(400).type('text/plain').send('expected a CallSid');
    if (this.gone.has(sid)) return this.sendTwiml(res, [{ verb: 'Hangup' }]);
    const call = this.calls.get(sid) ?? this.startCall(sid, p);
    call.doc = null;
    await this.answerLater(call, res, 'call');
  }

  /** The callback that ends document `seq` (a Gather's action, the Enqueue action, a Dial action). */
  async onNext(p: Params, seq: number, res: Response): Promise<void> {
    const sid = param(p, 'CallSid');
    let call = this.calls.get(sid);
    if (!call) {
      // Over, or over for us: a connected call whose agent left (QueueResult=bridged), a transfer that ended.
      const done = isEnded(param(p, 'CallStatus')) || param(p, 'DialCallStatus') !== '' || ['bridged', 'hangup'].includes(param(p, 'QueueResult'));
      if (!CALL_SID.test(sid) || this.gone.has(sid) || done) return this.sendTwiml(res, [{ verb: 'Hangup' }]);
      // A caller from before a restart (in the IVR or waiting): adopted, the call starts over (call.started, the IVR).
      this.log.info({ adapter: this.id, callId: sid }, 'adopting a Twilio call Switchboard did not know');
      call = this.startCall(sid, p);
    } else {
      const doc = call.doc;
      // Not the callback of the document Twilio runs now (a replay, a duplicate): nothing is acted on.
      if (!doc || doc.seq !== seq) return void res.status(409).type('text/plain').send('not the current document of this call');
      call.doc = null;
      if (!this.applyCallback(call, doc, p, res)) return;
    }
    await this.answerLater(call, res, 'call');
  }

  /** The Enqueue waitUrl of document `seq`: the caller waits in their Twilio queue and asks what to hear. */
  async onWait(p: Params, seq: number, res: Response): Promise<void> {
    const sid = param(p, 'CallSid');
    const call = this.calls.get(sid);
    // Unknown (Switchboard restarted): leave the queue; the Enqueue action then adopts the call.
    if (!call) return this.sendTwiml(res, [{ verb: this.gone.has(sid) ? 'Hangup' : 'Leave' }]);
    if (call.doc?.kind !== 'enqueue' || call.doc.seq !== seq) return void res.status(409).type('text/plain').send('not the current document of this call');
    for (const h of call.waitPlays) h.settle({ completed: true });
    call.waitPlays = [];
    if (!call.inQueue) {
      call.inQueue = true;
      for (const w of [...call.queueWaiters]) w();
    }
    await this.answerLater(call, res, 'wait');
  }

  /** The number's status callback: the caller's call ended. */
  onStatus(p: Params, res: Response): void {
    res.status(204).end();
    const call = this.calls.get(param(p, 'CallSid'));
    const status = param(p, 'CallStatus');
    if (call && isEnded(status)) this.endCall(call, callerEndReason(status, call.endRequest));
  }

  onAgentAnswered(p: Params, legId: string, res: Response): void {
    agentAnswered(this, p, legId, res);
  }

  onLegStatus(p: Params, legId: string, res: Response): void {
    res.status(204).end();
    legStatus(this, p, legId);
  }

  private startCall(sid: string, p: Params): CallerState {
    const call = newCaller(sid, callerOf(p));
    this.calls.set(sid, call);
    this.emit({ type: 'call.started', callId: sid, ani: call.ani, callerName: call.callerName, dnis: call.dnis });
    return call;
  }

  /** What the callback of `doc` tells: keys, the end of its prompts, the caller leaving the queue. False: answered, stop. */
  private applyCallback(call: CallerState, doc: SentDoc, p: Params, res: Response): boolean {
    switch (doc.kind) {
      case 'prompts':
      case 'listen':
      case 'entry': {
        const keys = keysOf(p);
        // Keys first, then the prompts' end: a key that cut a prompt reaches the IVR as barge-in.
        for (const digit of keys) this.emit({ type: 'call.dtmf', callId: call.sid, digit, durationMs: null });
        for (const h of doc.plays) h.settle({ completed: keys.length === 0 });
        call.entry = keys.length > 0;
        return true;
      }
      case 'enqueue': {
        call.inQueue = false;
        call.entry = false;
        for (const h of call.waitPlays) h.settle({ completed: false });
        call.waitPlays = [];
        const result = param(p, 'QueueResult');
        if (result === 'hangup' || isEnded(param(p, 'CallStatus'))) {
          this.sendTwiml(res, [{ verb: 'Hangup' }]);
          this.endCall(call, callerEndReason('completed', call.endRequest));
          return false;
        }
        if (result === 'bridged') {
          // The agent left a connected call: either side hanging up ends the other.
          call.endRequest ??= 'agent';
          call.queue.unshift({ kind: 'hangup' });
        } else if (result !== 'leave') {
          this.log.warn({ adapter: this.id, callId: call.sid, result }, 'the caller left the Twilio queue');
        }
        return true;
      }
      default:
        // A hangup or transfer document: the call is over for us already.
        this.sendTwiml(res, [{ verb: 'Hangup' }]);
        return false;
    }
  }

  /**
   * Holds the caller's webhook until the application reacted to it (the events it
   * caused are delivered on microtasks; the commands they lead to are queued by the
   * second macrotask turn), then answers with the next document.
   */
  private async answerLater(call: CallerState, res: Response, context: 'call' | 'wait'): Promise<void> {
    if (call.held && call.held.res !== res) call.held.res.status(409).type('text/plain').send('superseded by a later request');
    call.held = { res, context };
    res.once('close', () => {
      if (call.held?.res === res && !res.writableEnded) {
        call.held = null;
        this.log.warn({ adapter: this.id, callId: call.sid }, 'Twilio stopped waiting for TwiML');
      }
    });
    await macrotask();
    await macrotask();
    this.flush(call);
  }

  /** Answers the held webhook with the next document. */
  private flush(call: CallerState): void {
    const held = call.held;
    if (!held) return;
    call.held = null;
    if (call.ended) return this.sendTwiml(held.res, [{ verb: 'Hangup' }]);
    if (held.context === 'wait') {
      const w = waitDocument(call, this.settings);
      call.waitPlays = w.plays;
      this.sendTwiml(held.res, w.verbs);
      if (w.hangup) this.endCall(call, callerEndReason('completed', call.endRequest ?? 'system'));
      return;
    }
    const d = callDocument(call, ++call.seq, this.urls, this.settings);
    call.doc = d.doc;
    this.sendTwiml(held.res, d.verbs);
    if (d.doc.kind === 'hangup') this.endCall(call, callerEndReason('completed', call.endRequest ?? 'system'));
    if (d.transfer) {
      call.endRequest = 'transfer';
      d.transfer.sent();
      this.endCall(call, 'transferred');
    }
  }

  /** The call is over: its prompts end, its waiters wake, its legs go. Call ids are never reused. */
  endCall(call: CallerState, reason: EndReason): void {
    if (call.ended) return;
    call.ended = true;
    this.calls.delete(call.sid);
    this.gone.add(call.sid);
    this.emit({ type: 'call.ended', callId: call.sid, reason });
    for (const h of allPlays(call)) h.settle({ completed: false });
    for (const q of call.queue) if (q.kind === 'transfer') q.sent(new AdapterError('CALL_GONE', `call ${call.sid} ended`, { adapterId: this.id }));
    call.queue = [];
    call.doc = null;
    call.waitPlays = [];
    for (const w of [...call.queueWaiters]) w();
    if (call.held) this.sendTwiml(call.held.res, [{ verb: 'Hangup' }]);
    call.held = null;
    endLegsOf(this, call, reason);
  }

  emit(e: Emitted): void {
    const event = { ...e, adapterId: this.id, at: new Date().toISOString() } as PbxEvent;
    queueMicrotask(() => this.events.emit(event));
  }

  // ---- call control ------------------------------------------------------------

  liveCall(callId: string): CallerState {
    const call = this.calls.get(callId);
    if (!call || call.ended) throw new AdapterError('CALL_GONE', `no call ${callId}`, { adapterId: this.id, httpStatus: 404 });
    return call;
  }

  /** Twilio answers an inbound call with the first verb we send; nothing to ask for. */
  async answer(callId: string): Promise<void> {
    const call = this.liveCall(callId);
    if (call.answered) return;
    call.answered = true;
    this.emit({ type: 'call.answered', callId });
  }

  play(callId: string, prompt: Prompt, signal: AbortSignal): Promise<PlaybackResult> {
    return play(this, callId, prompt, signal);
  }

  hold(callId: string, signal: AbortSignal): Promise<void> {
    return hold(this, callId, signal);
  }

  ringAgent(callId: string, endpoint: string): Promise<{ legId: string }> {
    return ringAgent(this, callId, endpoint);
  }

  cancelAgentLeg(legId: string): Promise<void> {
    return cancelAgentLeg(this, legId);
  }

  bridge(callId: string, legId: string): Promise<void> {
    return bridge(this, callId, legId);
  }

  /**
   * Hangs up: `<Hangup/>` is queued first in line, and the REST API ends the call at
   * once (`Status=completed`). Without the REST API the queued `<Hangup/>` still ends
   * it at its next webhook, except on a connected call, which sends none: that fails.
   */
  async hangup(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.ended) return;
    call.endRequest ??= 'system';
    if (call.queue[0]?.kind !== 'hangup') call.queue.unshift({ kind: 'hangup' });
    // A webhook held right now is answered <Hangup/> within two macrotask turns.
    if (call.held) return;
    try {
      await this.rest.endCall(call.sid, 'completed');
      this.restSucceeded();
    } catch (err) {
      this.restFailed(err);
      if (call.ended || !call.bridgedLeg) return;
      throw err;
    }
    this.endCall(call, callerEndReason('completed', call.endRequest));
  }

  /** Blind transfer: `<Dial><Number>` on the caller's next document; the call then ends for Switchboard. */
  transfer(callId: string, to: string): Promise<void> {
    return transfer(this, callId, to);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
