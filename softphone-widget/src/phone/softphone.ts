/**
 * The SIP user agent of the leader tab: one WebSocket to the registrar, one
 * registration, incoming INVITEs handed to the controller.
 *
 * Reconnection and re-registration are owned here, not left to SIP.js: SIP.js's
 * own reconnection is off (`reconnectionAttempts: 0`) because after a registrar
 * restart it reconnects but does not re-register, and `Registerer.state` keeps
 * saying `Registered` throughout (FIELD-NOTES.md). So "registered" here means:
 * the registrar accepted a REGISTER sent on the current connection. Anything
 * else is reported as unreachable, at once, and retried with backoff.
 */
import { Inviter, Registerer, RegistererState, RequestPendingError, UserAgent, UserAgentState, type Invitation, type URI } from 'sip.js';
// Deep import: `Web.x` through the namespace would bundle all of SIP.js's web platform (SimpleUser ...).
import { defaultSessionDescriptionHandlerFactory } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler-factory-default.js';
import type { PhoneSettings } from '../../../connector/protocol.js';
import type { Registration, UnreachableReason } from './phone-state.js';
import { RetryLoop, onWake } from './retry.js';

export interface SoftphoneEvents {
  /** Registration changed; `reason` says why while unreachable. */
  registration(state: Registration, reason: UnreachableReason | null): void;
  /** The next automatic attempt runs at `at` (ms epoch); null: none scheduled. */
  retryScheduled(at: number | null): void;
  /** An INVITE arrived. The controller MUST answer or reject it. */
  invite(invitation: Invitation): void;
  /** The WebSocket came back: a call in progress SHOULD send a re-INVITE to restore its media path. */
  reconnected(): void;
}

/** How long a WebSocket connect may take before it counts as failed (seconds, SIP.js unit). */
const CONNECT_TIMEOUT_S = 5;

export class Softphone {
  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  private readonly retry: RetryLoop;
  private readonly unwake: () => void;
  private state: Registration = 'off';
  private stopping = false;
  private hadConnection = false;

  constructor(
    private readonly settings: PhoneSettings,
    private readonly events: SoftphoneEvents,
    /** getUserMedia for calls (the chosen microphone); SIP.js's default when absent. */
    mediaStreams?: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  ) {
    const uri = UserAgent.makeURI(settings.aor);
    if (!uri) throw new Error(`Not a SIP URI: ${settings.aor}`);
    this.ua = new UserAgent({
      uri,
      displayName: settings.displayName,
      authorizationUsername: settings.authorizationUsername,
      authorizationPassword: settings.password ?? undefined,
      transportOptions: { server: settings.wsUri, connectionTimeout: CONNECT_TIMEOUT_S },
      reconnectionAttempts: 0,
      logBuiltinEnabled: false,
      userAgentString: 'Switchboard widget (SIP.js 0.21)',
      ...(mediaStreams ? { sessionDescriptionHandlerFactory: defaultSessionDescriptionHandlerFactory(mediaStreams) } : {}),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: settings.iceServers.map((urls) => ({ urls })) },
        iceGatheringTimeout: 2_000,
      },
      delegate: {
        onConnect: () => this.connected(),
        onDisconnect: () => this.disconnected(),
        onInvite: (invitation) => this.events.invite(invitation),
      },
    });
    this.registerer = new Registerer(this.ua, { expires: settings.registerExpiresSec });
    // A refresh that failed (or an expiry) leaves SIP.js's state Unregistered.
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Unregistered && this.state === 'registered' && !this.stopping) {
        this.set('unreachable', 'timeout');
        this.retry.schedule();
      }
    });
    this.retry = new RetryLoop(() => this.attempt(), (at) => this.events.retryScheduled(at));
    this.unwake = onWake(() => {
      // Re-register even when SIP.js believes all is well: after sleep it often is not.
      if (!this.stopping) this.retry.now();
    });
  }

  start(): void {
    this.set('connecting', null);
    this.retry.now();
  }

  /** The session of an outgoing call to `target` (its INVITE is sent by `CallSession.dial`). */
  inviter(target: URI): Inviter {
    return new Inviter(this.ua, target);
  }

  /** Parses a SIP URI (null when it is not one). */
  static uri(s: string): URI | null {
    return UserAgent.makeURI(s) ?? null;
  }

  /** Connects and registers now, without waiting for the backoff. */
  retryNow(): void {
    if (!this.stopping) this.retry.now();
  }

  /** Unregisters (best effort, bounded) and closes the WebSocket. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.retry.stop();
    this.unwake();
    if (this.state === 'registered') {
      await Promise.race([this.registerer.unregister().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]);
    }
    await this.ua.stop().catch(() => undefined);
    this.set('off', null);
  }

  /** One attempt: connect if needed, then REGISTER. True when registered. */
  private async attempt(): Promise<boolean> {
    if (this.stopping) return false;
    if (!this.ua.isConnected()) {
      this.set(this.hadConnection ? 'unreachable' : 'connecting', this.hadConnection ? 'transport' : null);
      try {
        // start() once (it resolves at once when already started); then reconnect().
        await (this.ua.state === UserAgentState.Started ? this.ua.reconnect() : this.ua.start());
      } catch {
        this.set('unreachable', 'transport');
        return false;
      }
      return this.register();
    }
    return this.register();
  }

  private connected(): void {
    const wasConnected = this.hadConnection;
    this.hadConnection = true;
    if (wasConnected) this.events.reconnected();
  }

  private disconnected(): void {
    if (this.stopping) return;
    // Unexpected or not, no connection means no calls: say so now, retry with backoff.
    this.set('unreachable', 'transport');
    this.retry.schedule();
  }

  /** Sends a REGISTER on the current connection and waits for its final answer. */
  private register(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.registerer
        .register({
          requestDelegate: {
            onAccept: () => {
              this.set('registered', null);
              this.retry.succeeded();
              resolve(true);
            },
            onReject: (res) => {
              // 408 is SIP.js's own timeout (no answer from the registrar).
              this.set('unreachable', res.message.statusCode === 408 ? 'timeout' : 'rejected');
              resolve(false);
            },
          },
        })
        .catch((err: unknown) => {
          // A REGISTER still waiting for its answer: this attempt counts as failed, the loop retries.
          if (!(err instanceof RequestPendingError)) this.set('unreachable', 'transport');
          resolve(false);
        });
    });
  }

  private set(state: Registration, reason: UnreachableReason | null): void {
    if (state === this.state && (state !== 'unreachable' || reason === null)) return;
    this.state = state;
    this.events.registration(state, reason);
  }
}
