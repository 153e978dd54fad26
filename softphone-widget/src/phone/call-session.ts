/**
 * One SIP call as the widget sees it, incoming (a SIP.js Invitation) or
 * outgoing (an Inviter): answer or dial, hang up, hold and resume (re-INVITE),
 * mute, DTMF (SIP INFO), blind transfer (REFER), and the remote audio. Every
 * change is published as a fresh `PhoneCall` value.
 */
import { Inviter, SessionState, type Invitation, type Session, type URI } from 'sip.js';
import type { DtmfKey, PhoneCall } from './phone-state.js';
import { targetLabel } from './dial-target.js';

/** The parts of SIP.js's Web SessionDescriptionHandler used here (typed structurally). */
interface WebMediaHandler {
  readonly remoteMediaStream: MediaStream;
  readonly peerConnection: RTCPeerConnection | undefined;
  enableSenderTracks(enable: boolean): void;
  enableReceiverTracks(enable: boolean): void;
}

type WebSdhOptions = Session['sessionDescriptionHandlerOptionsReInvite'] & { hold?: boolean };

/** The header a PBX MAY set on the agent leg to name the connector's call (its pop). */
export const CALL_ID_HEADER = 'X-Switchboard-Call-Id';

/** SIP INFO DTMF body (application/dtmf-relay), the only DTMF that reaches a non-WebRTC peer (FIELD-NOTES.md). */
function dtmfRelay(key: DtmfKey): string {
  return `Signal=${key}\r\nDuration=160\r\n`;
}

/**
 * What a session needs of the browser's media. The remote audio is not here:
 * with call waiting several sessions share one audio element, and their owner
 * (CallSet) decides which `remoteStream` plays on it.
 */
export interface CallMedia {
  /** getUserMedia constraints for this call (the chosen microphone). */
  constraints(): MediaStreamConstraints;
}

/** How a blind transfer ended: `accepted` (the far end took the REFER; this leg hangs up) or refused. */
export type TransferOutcome = { ok: true } | { ok: false; statusCode: number | null };

export class CallSession {
  private value: PhoneCall;
  private endedBy: PhoneCall['endReason'] = null;
  private failStatus: number | null = null;

  private constructor(
    private readonly session: Invitation | Inviter,
    private readonly media: CallMedia,
    private readonly onChange: (call: PhoneCall) => void,
    initial: PhoneCall,
  ) {
    this.value = initial;
    session.stateChange.addListener((s) => this.stateChanged(s));
  }

  /** An incoming INVITE: rings until answered, declined or cancelled. */
  static incoming(invitation: Invitation, media: CallMedia, onChange: (call: PhoneCall) => void, linkedCallId: string | null): CallSession {
    const from = invitation.remoteIdentity;
    const call = new CallSession(invitation, media, onChange, {
      ...blankCall(invitation.id, 'in'),
      state: 'ringing',
      remoteNumber: from.uri.user ?? from.uri.host,
      remoteName: from.displayName || null,
      linkedCallId: invitation.request.getHeader(CALL_ID_HEADER) ?? linkedCallId,
    });
    invitation.delegate = {
      // Setting these handlers makes SIP.js leave the answer to us (FIELD-NOTES.md): accept.
      onBye: (bye) => {
        call.endedBy = 'remote';
        void bye.accept();
      },
      onInfo: (info) => void info.accept(),
      onCancel: () => {
        call.endedBy = 'cancelled';
      },
    };
    return call;
  }

  /** An outgoing call to `target`; `dial()` sends the INVITE. */
  static outgoing(inviter: Inviter, target: URI, media: CallMedia, onChange: (call: PhoneCall) => void): CallSession {
    const call = new CallSession(inviter, media, onChange, {
      ...blankCall(inviter.id, 'out'),
      state: 'dialing',
      remoteNumber: targetLabel(target.toString()),
    });
    inviter.delegate = {
      onBye: (bye) => {
        call.endedBy = 'remote';
        void bye.accept();
      },
      onInfo: (info) => void info.accept(),
    };
    return call;
  }

  get call(): PhoneCall {
    return this.value;
  }

  /** The far end's audio once established (SIP.js's Web handler fills it as tracks arrive), else null. */
  get remoteStream(): MediaStream | null {
    return this.value.state === 'established' ? (this.mediaHandler()?.remoteMediaStream ?? null) : null;
  }

  /** Sends the INVITE of an outgoing call. Resolves once it is sent; the answer arrives as state changes. */
  async dial(): Promise<void> {
    if (!(this.session instanceof Inviter) || this.value.state !== 'dialing') return;
    const inviter = this.session;
    await inviter
      .invite({
        sessionDescriptionHandlerOptions: { constraints: this.media.constraints() },
        requestDelegate: {
          onReject: (res) => {
            this.failStatus = res.message.statusCode ?? null;
            this.endedBy ??= 'failed';
          },
        },
      })
      .catch(() => {
        // No microphone, or the transport failed: the session terminates and says why.
        this.endedBy ??= 'failed';
        if (inviter.state !== SessionState.Terminated) void inviter.dispose().catch(() => undefined);
      });
  }

  async answer(): Promise<void> {
    if (this.value.state !== 'ringing' || this.session instanceof Inviter) return;
    this.update({ state: 'answering' });
    try {
      await this.session.accept({ sessionDescriptionHandlerOptions: { constraints: this.media.constraints() } });
    } catch {
      this.endedBy = 'failed';
      if (this.session.state !== SessionState.Terminated) this.update({ state: 'ringing' });
    }
  }

  /** Declines while ringing (603), cancels while dialing (CANCEL), hangs up (BYE) once answered. */
  async hangup(): Promise<void> {
    this.endedBy ??= 'local';
    const s = this.session;
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) await s.cancel().catch(() => undefined);
        else await s.reject({ statusCode: 603, reasonPhrase: 'Decline' }).catch(() => undefined);
        return;
      case SessionState.Established:
        await s.bye().catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /**
   * Hold or resume with a re-INVITE (a=sendonly / a=sendrecv); media tracks follow the
   * answer. Asked again while one is in flight (a quick Hold then Resume, a swap and a
   * swap back): the last wish is sent once the first is answered, and both calls
   * resolve after it.
   */
  hold(on: boolean): Promise<void> {
    this.wished = on;
    if (this.value.state !== 'established') return Promise.resolve();
    if (this.holding) {
      this.wantHeld = on;
      return this.holding;
    }
    if (this.value.held === on) return Promise.resolve();
    this.holding = (async () => {
      let want: boolean | null = on;
      while (want !== null && this.value.state === 'established' && this.value.held !== want) {
        this.wantHeld = null;
        await this.reinvite(want);
        want = this.wantHeld;
      }
      this.wantHeld = null;
    })().finally(() => {
      this.holding = null;
    });
    return this.holding;
  }

  /** A hold or resume asked for while another was in flight (see `hold`). */
  private wantHeld: boolean | null = null;
  /** The hold state asked for last, sent or not yet. */
  private wished: boolean | null = null;

  /**
   * Records a hold (true) or resume (false) as the latest wish before its re-INVITE can be
   * sent (the caller awaits something first): a later wish overrides it whatever order the
   * awaits finish in.
   */
  wish(on: boolean): void {
    this.wished = on;
  }

  /** Whether this call is on hold or is being put on hold (the latest wish). */
  get wantsHeld(): boolean {
    return this.wished ?? this.value.held;
  }
  private holding: Promise<void> | null = null;

  private async reinvite(on: boolean): Promise<void> {
    this.update({ holdPending: true });
    // `hold` is an option of SIP.js's Web SessionDescriptionHandler (offer a=sendonly / answer a=recvonly).
    const options: WebSdhOptions = { ...this.session.sessionDescriptionHandlerOptionsReInvite, hold: on };
    this.session.sessionDescriptionHandlerOptionsReInvite = options;
    await new Promise<void>((resolve) => {
      const failed = (): void => {
        this.session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: !on } as WebSdhOptions;
        this.update({ holdPending: false });
        resolve();
      };
      this.session
        .invite({
          requestDelegate: {
            onAccept: () => {
              this.update({ held: on, holdPending: false });
              this.applyTracks();
              resolve();
            },
            onReject: failed,
          },
        })
        .catch(failed);
    });
  }

  mute(on: boolean): void {
    if (this.value.state !== 'established') return;
    this.update({ muted: on });
    this.applyTracks();
  }

  async dtmf(key: DtmfKey): Promise<void> {
    if (this.value.state !== 'established') return;
    this.update({ dtmfSent: this.value.dtmfSent + key });
    await this.session
      .info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelay(key) } } })
      .catch(() => undefined);
  }

  /**
   * Blind transfer (RFC 3515): a REFER sends the far end to `target`. Once the
   * far end accepts it (202), this leg's part is done and it hangs up with a
   * BYE; a refusal leaves the call up and says so.
   */
  async transfer(target: URI): Promise<TransferOutcome> {
    if (this.value.state !== 'established' || this.value.transfer?.status === 'pending') return { ok: false, statusCode: null };
    this.update({ transfer: { target: target.toString(), status: 'pending', statusCode: null } });
    const outcome = await new Promise<TransferOutcome>((resolve) => {
      this.session
        .refer(target, {
          requestDelegate: {
            onAccept: () => resolve({ ok: true }),
            onReject: (res) => resolve({ ok: false, statusCode: res.message.statusCode ?? null }),
          },
          // The transferee's progress reports (NOTIFY with message/sipfrag): acknowledged, not needed.
          onNotify: (notification) => void notification.accept().catch(() => undefined),
        })
        .catch(() => resolve({ ok: false, statusCode: null }));
    });
    if (outcome.ok) {
      this.endedBy = 'transferred';
      await this.session.bye().catch(() => undefined);
    } else if (this.value.state === 'established') {
      this.update({ transfer: { target: target.toString(), status: 'failed', statusCode: outcome.statusCode } });
    }
    return outcome;
  }

  /** Forgets a refused transfer (the agent closed the message or tries another target). */
  clearTransfer(): void {
    if (this.value.transfer?.status === 'failed') this.update({ transfer: null });
  }

  /** After the WebSocket came back: a re-INVITE on the new connection restores the media path and the route. */
  async refresh(): Promise<void> {
    if (this.value.state !== 'established' || this.value.holdPending) return;
    await this.session.invite().catch(() => undefined);
  }

  private stateChanged(s: SessionState): void {
    if (s === SessionState.Established) {
      const media = this.mediaHandler();
      const track = media?.peerConnection?.getSenders().find((x) => x.track?.kind === 'audio')?.track ?? null;
      // The owner attaches `remoteStream` to the speaker when this call is the one the agent talks to.
      this.update({ state: 'established', answeredAt: new Date().toISOString(), microphone: track?.label || null });
    } else if (s === SessionState.Terminated) {
      const end = (): void => {
        const fallback: PhoneCall['endReason'] = this.value.answeredAt ? 'remote' : this.value.direction === 'out' ? 'failed' : 'cancelled';
        this.update({ state: 'ended', holdPending: false, endReason: this.endedBy ?? fallback, failStatus: this.failStatus });
      };
      // SIP.js terminates a rejected Inviter before it calls the request delegate's onReject
      // (sip.js api/inviter.js): wait a microtask, so the end carries the status (486, 404 ...).
      if (this.value.direction === 'out' && !this.value.answeredAt) queueMicrotask(end);
      else end();
    }
  }

  private applyTracks(): void {
    const media = this.mediaHandler();
    media?.enableReceiverTracks(!this.value.held);
    media?.enableSenderTracks(!this.value.held && !this.value.muted);
  }

  private mediaHandler(): WebMediaHandler | null {
    const sdh = this.session.sessionDescriptionHandler as unknown as Partial<WebMediaHandler> | undefined;
    return sdh && 'remoteMediaStream' in sdh ? (sdh as WebMediaHandler) : null;
  }

  private update(patch: Partial<PhoneCall>): void {
    this.value = { ...this.value, ...patch };
    this.onChange(this.value);
  }
}

function blankCall(id: string, direction: PhoneCall['direction']): PhoneCall {
  return {
    id,
    state: 'ringing',
    direction,
    remoteNumber: '',
    remoteName: null,
    linkedCallId: null,
    ringingSince: new Date().toISOString(),
    answeredAt: null,
    held: false,
    holdPending: false,
    muted: false,
    dtmfSent: '',
    transfer: null,
    microphone: null,
    endReason: null,
    failStatus: null,
  };
}
