/**
 * A Twilio adapter on its own express server (port 0) facing a fake Twilio that
 * sends it signed webhooks and serves its REST API.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { PbxEvent } from '../../adapters/events.js';
import type { TwilioAdapterOptions } from '../../adapters/twilio/options.js';
import { TwilioAdapter } from '../../adapters/twilio/twilio-adapter.js';
import { FakeTwilio, type Faults } from './fake-twilio/fake-twilio.js';

export const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const AUTH_TOKEN = 'test-auth-token-3f9a1c';
export const PUBLIC_URL = 'https://switchboard.example.test';
export const WEBHOOK_PATH = '/twilio/tw1';

export function adapterOptions(over: Partial<TwilioAdapterOptions> = {}): TwilioAdapterOptions {
  return {
    id: 'tw1',
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    publicUrl: PUBLIC_URL,
    webhookPath: WEBHOOK_PATH,
    apiBaseUrl: 'http://127.0.0.1:9',
    requestTimeoutMs: 2_000,
    ringTimeoutSec: 60,
    holdPauseSec: 5,
    gather: { timeoutSec: 1, entryMaxDigits: 20, entryTimeoutSec: 1 },
    prompts: { sounds: {}, tts: 'twilio' },
    ...over,
  };
}

export interface Rig {
  adapter: TwilioAdapter;
  fake: FakeTwilio;
  /** Where the adapter's server listens. */
  url: string;
  events: PbxEvent[];
  close(): Promise<void>;
}

export async function startRig(o: { faults?: Partial<Faults>; options?: Partial<TwilioAdapterOptions> } = {}): Promise<Rig> {
  const fake = await new FakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, webhookPath: WEBHOOK_PATH }).start();
  Object.assign(fake.faults, o.faults ?? {});
  const adapter = new TwilioAdapter(adapterOptions({ apiBaseUrl: fake.restUrl, ...o.options }));
  const events: PbxEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  const app = express();
  app.use(adapter.router());
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.target = url;
  return {
    adapter,
    fake,
    url,
    events,
    async close() {
      await fake.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
