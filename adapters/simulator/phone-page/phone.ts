/**
 * The caller's page (`/phone/`): dial the connector's simulator, press keys on
 * a 12-key keypad (or the keyboard), read what the IVR says.
 */
import type { TranscriptEntry } from '../transcript.js';
import { SimulatorError, followCall, hangup, sendDigits, startCall } from './sim-client.js';
import { TranscriptView } from './transcript-view.js';

type CallState = 'idle' | 'dialing' | 'ringing' | 'ivr' | 'hold' | 'agent' | 'ended';

const KEYS: Array<[string, string]> = [
  ['1', ''], ['2', 'ABC'], ['3', 'DEF'],
  ['4', 'GHI'], ['5', 'JKL'], ['6', 'MNO'],
  ['7', 'PQRS'], ['8', 'TUV'], ['9', 'WXYZ'],
  ['*', ''], ['0', '+'], ['#', ''],
];

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
}

const form = byId<HTMLFormElement>('dial');
const from = byId<HTMLInputElement>('from');
const to = byId<HTMLInputElement>('to');
const callBtn = byId<HTMLButtonElement>('call');
const hangupBtn = byId<HTMLButtonElement>('hangup');
const stateEl = byId<HTMLElement>('call-state');
const errorEl = byId<HTMLElement>('error');
const keypad = byId<HTMLElement>('keypad');
const transcript = new TranscriptView(byId<HTMLOListElement>('transcript'));

let state: CallState = 'idle';
let callId: string | null = null;
let stopFollowing: (() => void) | null = null;
let agent = '';
let endText = '';
/** Keys are sent one request at a time, in order. */
let keyChain: Promise<void> = Promise.resolve();

const STATE_TEXT: Record<CallState, () => string> = {
  idle: () => 'Ready to call',
  dialing: () => 'Dialling…',
  ringing: () => 'Ringing…',
  ivr: () => 'In the menu',
  hold: () => 'On hold',
  agent: () => `Talking to ${agent || 'an agent'}`,
  ended: () => `Call ended${endText ? `: ${endText}` : ''}`,
};

const keyButtons = KEYS.map(([key, letters]) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'key';
  b.dataset['key'] = key;
  b.setAttribute('aria-label', key === '*' ? 'star' : key === '#' ? 'pound' : key);
  b.innerHTML = `<span class="digit"></span><span class="letters"></span>`;
  b.querySelector('.digit')!.textContent = key;
  b.querySelector('.letters')!.textContent = letters;
  b.addEventListener('click', () => press(key));
  keypad.append(b);
  return b;
});

function setState(next: CallState): void {
  state = next;
  document.body.dataset['callState'] = next;
  stateEl.textContent = STATE_TEXT[next]();
  const live = next === 'ringing' || next === 'ivr' || next === 'hold' || next === 'agent';
  callBtn.disabled = next !== 'idle' && next !== 'ended';
  hangupBtn.disabled = !live;
  from.disabled = to.disabled = callBtn.disabled;
  for (const b of keyButtons) b.disabled = !live;
}

function showError(text: string): void {
  errorEl.textContent = text;
}

function onEntry(e: TranscriptEntry): void {
  transcript.show(e);
  switch (e.type) {
    case 'call.answered':
      return setState('ivr');
    case 'hold.started':
      return setState('hold');
    case 'hold.stopped':
      return state === 'hold' ? setState('ivr') : undefined;
    case 'call.connected':
      agent = e.agent;
      return setState('agent');
    case 'call.ended':
      endText = e.reason.replace(/-/g, ' ');
      stopFollowing = null;
      return setState('ended');
    default:
      return;
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (callBtn.disabled) return;
  showError('');
  stopFollowing?.();
  transcript.clear();
  agent = '';
  endText = '';
  setState('dialing');
  startCall(from.value.trim(), to.value.trim()).then(
    (r) => {
      callId = r.callId;
      document.body.dataset['callId'] = r.callId;
      setState('ringing');
      stopFollowing = followCall(r.callId, onEntry, () => {
        if (state !== 'ended') {
          transcript.note('Lost the call’s event stream.');
          setState('ended');
        }
      });
    },
    (err: unknown) => {
      showError(err instanceof SimulatorError ? err.message : 'Could not start the call.');
      setState('idle');
    },
  );
});

hangupBtn.addEventListener('click', () => {
  if (!callId || hangupBtn.disabled) return;
  hangupBtn.disabled = true;
  hangup(callId).catch((err: unknown) => {
    hangupBtn.disabled = false;
    showError(err instanceof Error ? err.message : 'Could not hang up.');
  });
});

function press(key: string): void {
  const button = keyButtons.find((b) => b.dataset['key'] === key);
  if (!callId || !button || button.disabled) return;
  button.classList.add('is-pressed');
  window.setTimeout(() => button.classList.remove('is-pressed'), 150);
  const id = callId;
  keyChain = keyChain.then(() =>
    sendDigits(id, key).catch((err: unknown) => showError(err instanceof Error ? err.message : 'The key was not sent.')),
  );
}

// Typing a key anywhere but in the number fields presses it.
document.addEventListener('keydown', (e) => {
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return;
  if (/^[0-9*#]$/.test(e.key)) {
    e.preventDefault();
    press(e.key);
  }
});

setState('idle');
