/**
 * The widget's pure parts behind outbound calls, transfer and device choice:
 * what the agent typed as a SIP URI, and the remembered devices.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aorDomain, dialTarget, targetLabel } from '../softphone-widget/src/phone/dial-target.js';
import { DEVICES_KEY, callConstraints, loadDevicePrefs, saveDevicePref } from '../softphone-widget/src/phone/devices.js';
import { acceptedOrigin, allowedSet } from '../softphone-widget/src/embed/bridge.js';
import { isSwitchboardMessage } from '../softphone-widget/src/embed/messages.js';

describe('dialTarget', () => {
  const aor = 'sip:alice@switchboard.test';
  it.each([
    ['+1 (415) 555-0199', 'sip:+14155550199@switchboard.test'],
    ['415.555.0199', 'sip:4155550199@switchboard.test'],
    ['tel:+14155550199;phone-context=example.com', 'sip:+14155550199@switchboard.test'],
    ['2001', 'sip:2001@switchboard.test'],
    ['*72#', 'sip:*72%23@switchboard.test'],
    ['support', 'sip:support@switchboard.test'],
    ['sip:bob@pbx.example.com', 'sip:bob@pbx.example.com'],
    ['  +44 20 7946 0958  ', 'sip:+442079460958@switchboard.test'],
  ])('%s -> %s', (input, uri) => expect(dialTarget(input, aor)).toBe(uri));

  it.each(['', '   ', 'not a number!', '+1 415 abc', 'sip:', 'a b'])('refuses %j', (input) => expect(dialTarget(input, aor)).toBeNull());

  it('labels a target by its user part, and finds the domain of an AOR', () => {
    expect(targetLabel('sip:+14155550199@switchboard.test')).toBe('+14155550199');
    expect(targetLabel('sip:*72%23@x')).toBe('*72#');
    expect(aorDomain('sips:alice@example.com;transport=wss')).toBe('example.com');
    expect(aorDomain('nonsense')).toBeNull();
  });
});

class MemoryStorage {
  private readonly data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, String(v));
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
}

describe('device choices', () => {
  beforeEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('default to the system devices, are remembered one by one, and survive junk in storage', () => {
    expect(loadDevicePrefs()).toEqual({ microphone: '', speaker: '', ringer: '' });
    saveDevicePref('ringer', 'out-2');
    saveDevicePref('microphone', 'in-3');
    expect(loadDevicePrefs()).toEqual({ microphone: 'in-3', speaker: '', ringer: 'out-2' });
    localStorage.setItem(DEVICES_KEY, '{"microphone": 7, "speaker": "out-1"');
    expect(loadDevicePrefs()).toEqual({ microphone: '', speaker: '', ringer: '' });
    localStorage.setItem(DEVICES_KEY, '{"microphone": 7, "speaker": "out-1"}');
    expect(loadDevicePrefs()).toEqual({ microphone: '', speaker: 'out-1', ringer: '' });
    expect(callConstraints()).toEqual({ audio: true, video: false });
  });
});

describe('the embedding bridge', () => {
  const parent = { name: 'the embedding page' };
  const allowed = allowedSet(['https://crm.example.com', 'https://crm.example.com:8443/some/path', 'not a url'], 'https://sb.example.com');

  it('allows the configured origins (as origins) and its own', () => {
    expect([...allowed].sort()).toEqual(['https://crm.example.com', 'https://crm.example.com:8443', 'https://sb.example.com']);
  });

  it('hears only its parent window on an allowed origin', () => {
    expect(acceptedOrigin({ origin: 'https://crm.example.com', source: parent }, parent, allowed)).toBe(true);
    expect(acceptedOrigin({ origin: 'https://evil.example.com', source: parent }, parent, allowed)).toBe(false);
    expect(acceptedOrigin({ origin: 'https://crm.example.com', source: { other: 'window' } }, parent, allowed)).toBe(false);
    expect(acceptedOrigin({ origin: 'https://crm.example.com:444', source: parent }, parent, allowed)).toBe(false);
    expect(acceptedOrigin({ origin: 'null', source: parent }, parent, allowed)).toBe(false);
    expect(acceptedOrigin({ origin: 'https://crm.example.com', source: null }, null, allowed)).toBe(false);
  });

  it('knows its own messages by their type', () => {
    expect(isSwitchboardMessage({ type: 'switchboard.dial', number: '1' })).toBe(true);
    expect(isSwitchboardMessage({ type: 'webpackOk' })).toBe(false);
    expect(isSwitchboardMessage('switchboard.dial')).toBe(false);
    expect(isSwitchboardMessage(null)).toBe(false);
  });
});
