/**
 * The agent's audio devices: the microphone calls send, the speaker (or
 * headset) calls play on, and a separate ringer device (a loudspeaker, so a
 * call is heard with the headset off). Chosen in the widget, remembered in
 * localStorage (shared by the agent's tabs), applied with getUserMedia
 * constraints and `HTMLMediaElement.setSinkId`.
 *
 * An empty id means the system default. A chosen device that went away (a
 * headset unplugged) falls back to the default: a microphone that is not
 * found is asked for again without a device, and a failed setSinkId leaves the
 * default output.
 */

export type DeviceKind = 'microphone' | 'speaker' | 'ringer';

export interface DevicePrefs {
  microphone: string;
  speaker: string;
  ringer: string;
}

export interface DeviceOption {
  id: string;
  label: string;
}

export interface DeviceLists {
  microphones: DeviceOption[];
  /** Audio outputs, for the speaker and the ringer. */
  outputs: DeviceOption[];
  /** True while the browser hides device names (no microphone permission yet). */
  labelsHidden: boolean;
  /** False when the browser cannot route audio to a chosen output (no setSinkId). */
  canChooseOutput: boolean;
}

export const DEVICES_KEY = 'switchboard.devices.v1';
const NO_PREFS: DevicePrefs = { microphone: '', speaker: '', ringer: '' };

export function loadDevicePrefs(): DevicePrefs {
  try {
    const raw = localStorage.getItem(DEVICES_KEY);
    if (!raw) return { ...NO_PREFS };
    const p = JSON.parse(raw) as Partial<Record<DeviceKind, unknown>>;
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    return { microphone: str(p.microphone), speaker: str(p.speaker), ringer: str(p.ringer) };
  } catch {
    return { ...NO_PREFS };
  }
}

export function saveDevicePref(kind: DeviceKind, id: string): DevicePrefs {
  const next = { ...loadDevicePrefs(), [kind]: id };
  try {
    localStorage.setItem(DEVICES_KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the choice lasts until the page closes (callers keep it in memory too).
  }
  return next;
}

/** getUserMedia constraints for a call: audio only (which microphone is `microphoneStreams`' business). */
export function callConstraints(): MediaStreamConstraints {
  return { audio: true, video: false };
}

/**
 * getUserMedia for SIP.js's session description handler (its `MediaStreamFactory`):
 * the chosen microphone, asked for `exact` (Chromium does not honour an `ideal`
 * deviceId), and the default microphone when the chosen one is gone (unplugged).
 */
export function microphoneStreams(microphone: () => string): (constraints: MediaStreamConstraints) => Promise<MediaStream> {
  return async (constraints) => {
    if (!constraints.audio && !constraints.video) return new MediaStream();
    const id = microphone();
    if (!id || !constraints.audio) return navigator.mediaDevices.getUserMedia(constraints);
    const audio = typeof constraints.audio === 'object' ? constraints.audio : {};
    try {
      return await navigator.mediaDevices.getUserMedia({ ...constraints, audio: { ...audio, deviceId: { exact: id } } });
    } catch (err) {
      const gone = err instanceof DOMException && (err.name === 'OverconstrainedError' || err.name === 'NotFoundError');
      if (!gone) throw err;
      return navigator.mediaDevices.getUserMedia(constraints);
    }
  };
}

export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && typeof HTMLMediaElement.prototype.setSinkId === 'function';
}

/** Routes `el` to the output `id` ('' = default). Resolves false when the browser refused. */
export async function applySink(el: HTMLMediaElement, id: string): Promise<boolean> {
  if (!canChooseOutput() || el.sinkId === id) return true;
  try {
    await el.setSinkId(id);
    return true;
  } catch {
    return false;
  }
}

/** The devices the browser offers (the "default" pseudo-devices left out: '' stands for them). */
export async function listDevices(): Promise<DeviceLists> {
  const all = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  const of = (kind: MediaDeviceKind): DeviceOption[] =>
    all
      .filter((d) => d.kind === kind && d.deviceId !== '' && d.deviceId !== 'default' && d.deviceId !== 'communications')
      .map((d, i) => ({ id: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Output'} ${i + 1}` }));
  return {
    microphones: of('audioinput'),
    outputs: of('audiooutput'),
    labelsHidden: all.some((d) => d.kind === 'audioinput' && d.label === ''),
    canChooseOutput: canChooseOutput(),
  };
}

/** Asks for the microphone once so the browser shows device names (MUST be called from a click). */
export async function unlockLabels(): Promise<boolean> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    for (const track of stream.getTracks()) track.stop();
    return true;
  } catch {
    return false;
  }
}
