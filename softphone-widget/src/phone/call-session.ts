/**
 * One incoming SIP call (a SIP.js Invitation) as the widget sees it: answer,
 * hang up, hold and resume (re-INVITE), mute, DTMF (SIP INFO), and the remote
 * audio. Every change is published as a fresh `PhoneCall` value.
 */
import { SessionState, type Invitation, type Session } from 'sip.js';
import type { DtmfKey, PhoneCall } from './phone-state.js';

/** The parts of SIP.js's Web SessionDescriptionHandler used here (typed structurally). */
interface WebMediaHandler {
  readonly remoteMediaStream: MediaStream;
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

export class CallSession {
  private value: PhoneCall;
  private endedBy: PhoneCall['endReason'] = null;

  constructor(
    private readonly invitation: Invitation,
    private readonly audio: HTMLAudioElement,
    private readonly onChange: (call: PhoneCall) => void,
    linkedCallId: string | null,
  ) {
    const from = invitation.remoteIdentity;
    this.value = {
      id: invitation.id,
      state: 'ringing',
      remoteNumber: from.uri.user ?? from.uri.host,
      remoteName: from.displayName || null,
      linkedCallId: invitation.request.getHeader(CALL_ID_HEADER) ?? linkedCallId,
      ringingSince: new Date().toISOString(),
      answeredAt: null,
      held: false,
      holdPending: false,
      muted: false,
      dtmfSent: '',
      endReason: null,
    };
    invitation.delegate = {
      // Setting these handlers makes SIP.js leave the answer to us (FIELD-NOTES.md): accept.
      onBye: (bye) => {
        this.endedBy = 'remote';
        void bye.accept();
      },
      onInfo: (info) => void info.accept(),
      onCancel: () => {
        this.endedBy = 'cancelled';
      },
    };
    invitation.stateChange.addListener((s) => this.stateChanged(s));
  }

  get call(): PhoneCall {
    return this.value;
  }

  get session(): Session {
    return this.invitation;
  }

  async answer(): Promise<void> {
    if (this.value.state !== 'ringing') return;
    this.update({ state: 'answering' });
    try {
      await this.invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    } catch {
      this.endedBy = 'failed';
      if (this.invitation.state !== SessionState.Terminated) this.update({ state: 'ringing' });
    }
  }

  /** Declines while ringing (603), hangs up (BYE) once answered. */
  async hangup(): Promise<void> {
    this.endedBy ??= 'local';
    switch (this.invitation.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        await this.invitation.reject({ statusCode: 603, reasonPhrase: 'Decline' }).catch(() => undefined);
        return;
      case SessionState.Established:
        await this.invitation.bye().catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /** Hold or resume with a re-INVITE (a=sendonly / a=sendrecv); media tracks follow the answer. */
  async hold(on: boolean): Promise<void> {
    if (this.value.state !== 'established' || this.value.held === on || this.value.holdPending) return;
    this.update({ holdPending: true });
    // `hold` is an option of SIP.js's Web SessionDescriptionHandler (offer a=sendonly / answer a=recvonly).
    const options: WebSdhOptions = { ...this.invitation.sessionDescriptionHandlerOptionsReInvite, hold: on };
    this.invitation.sessionDescriptionHandlerOptionsReInvite = options;
    await new Promise<void>((resolve) => {
      this.invitation
        .invite({
          requestDelegate: {
            onAccept: () => {
              this.update({ held: on, holdPending: false });
              this.applyTracks();
              resolve();
            },
            onReject: () => {
              this.invitation.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: !on } as WebSdhOptions;
              this.update({ holdPending: false });
              resolve();
            },
          },
        })
        .catch(() => {
          this.invitation.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: !on } as WebSdhOptions;
          this.update({ holdPending: false });
          resolve();
        });
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
    await this.invitation
      .info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelay(key) } } })
      .catch(() => undefined);
  }

  /** After the WebSocket came back: a re-INVITE on the new connection restores the media path and the route. */
  async refresh(): Promise<void> {
    if (this.value.state !== 'established' || this.value.holdPending) return;
    await this.invitation.invite().catch(() => undefined);
  }

  private stateChanged(s: SessionState): void {
    if (s === SessionState.Established) {
      this.update({ state: 'established', answeredAt: new Date().toISOString() });
      const media = this.media();
      if (media) {
        this.audio.srcObject = media.remoteMediaStream;
        this.audio.play().catch(() => undefined);
      }
    } else if (s === SessionState.Terminated) {
      this.audio.srcObject = null;
      this.update({ state: 'ended', holdPending: false, endReason: this.endedBy ?? (this.value.answeredAt ? 'remote' : 'cancelled') });
    }
  }

  private applyTracks(): void {
    const media = this.media();
    media?.enableReceiverTracks(!this.value.held);
    media?.enableSenderTracks(!this.value.held && !this.value.muted);
  }

  private media(): WebMediaHandler | null {
    const sdh = this.invitation.sessionDescriptionHandler as unknown as Partial<WebMediaHandler> | undefined;
    return sdh && 'remoteMediaStream' in sdh ? (sdh as WebMediaHandler) : null;
  }

  private update(patch: Partial<PhoneCall>): void {
    this.value = { ...this.value, ...patch };
    this.onChange(this.value);
  }
}
