/**
 * Ringing: a ringtone made with Web Audio (no audio file to load or to fail)
 * and a desktop notification when the agent allowed them, so a call is noticed
 * in a background tab too. The tone plays on the ringer device the agent chose
 * (through a hidden audio element routed with setSinkId), or the default output.
 */
import { applySink } from './devices.js';

/** North American ring cadence: 440 + 480 Hz, 2 s on, 4 s off. */
const TONES = [440, 480];
const ON_S = 2;
const PERIOD_S = 6;

export class Ringer {
  private ctx: AudioContext | null = null;
  private stopTone: (() => void) | null = null;
  private notification: Notification | null = null;
  private element: HTMLAudioElement | null = null;
  private sinkId = '';

  /** Starts ringing (idempotent). `title`/`body` go to the desktop notification; `sinkId` is the ringer device ('' = default). */
  start(title: string, body: string, sinkId = ''): void {
    this.sinkId = sinkId;
    if (!this.stopTone) this.stopTone = this.tone();
    this.notify(title, body);
  }

  /** The ringer device changed: a tone ringing now moves there too. */
  setSink(sinkId: string): void {
    this.sinkId = sinkId;
    if (this.element) void applySink(this.element, sinkId);
  }

  stop(): void {
    this.stopTone?.();
    this.stopTone = null;
    this.notification?.close();
    this.notification = null;
  }

  private tone(): (() => void) | null {
    try {
      this.ctx ??= new AudioContext();
      const ctx = this.ctx;
      void ctx.resume().catch(() => undefined);
      const gain = ctx.createGain();
      gain.gain.value = 0;
      gain.connect(this.output(ctx));
      const oscillators = TONES.map((f) => {
        const o = ctx.createOscillator();
        o.frequency.value = f;
        o.connect(gain);
        o.start();
        return o;
      });
      // Schedule the cadence a minute ahead; a call rings for far less.
      const t0 = ctx.currentTime + 0.05;
      for (let t = t0; t < t0 + 60; t += PERIOD_S) {
        gain.gain.setValueAtTime(0.08, t);
        gain.gain.setValueAtTime(0, t + ON_S);
      }
      return () => {
        gain.gain.cancelScheduledValues(0);
        gain.gain.value = 0;
        for (const o of oscillators) o.stop();
        gain.disconnect();
        this.element?.pause();
      };
    } catch {
      return null; // No audio output: the notification and the on-screen card remain.
    }
  }

  /**
   * Where the tone goes: the context's default output, or a MediaStream played
   * by an audio element on the chosen ringer device (AudioContext.setSinkId is
   * not in every browser; HTMLMediaElement.setSinkId is).
   */
  private output(ctx: AudioContext): AudioNode {
    if (!this.sinkId) return ctx.destination;
    const dest = ctx.createMediaStreamDestination();
    const el = (this.element ??= document.body.appendChild(Object.assign(document.createElement('audio'), { hidden: true })));
    el.dataset['audio'] = 'ringer';
    el.srcObject = dest.stream;
    void applySink(el, this.sinkId).then(() => el.play().catch(() => undefined));
    return dest;
  }

  private notify(title: string, body: string): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || this.notification) return;
    try {
      const n = new Notification(title, { body, tag: 'switchboard-incoming', requireInteraction: true });
      n.onclick = () => {
        window.focus();
        n.close();
      };
      this.notification = n;
    } catch {
      // Some browsers only allow notifications from a service worker: the card remains.
    }
  }
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission (MUST be called from a click: browsers ignore it otherwise). */
export async function requestNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}
