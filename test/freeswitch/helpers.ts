/** Shared set-up for the FreeSWITCH adapter tests: a fake Event Socket, a prompt renderer, an adapter on them. */
import type { AdapterHealth } from '../../adapters/adapter.js';
import type { PbxEvent } from '../../adapters/events.js';
import { FreeSwitchAdapter } from '../../adapters/freeswitch/freeswitch-adapter.js';
import type { FreeSwitchAdapterOptions } from '../../adapters/freeswitch/options.js';
import { startPromptServer, type PromptServer } from '../asterisk/fake-ari/media.js';
import { FakeEslServer } from './fake-esl/server.js';

export interface EslRig {
  fake: FakeEslServer;
  prompts: PromptServer;
  adapter: FreeSwitchAdapter;
  close(): Promise<void>;
}

export function adapterOptions(fake: FakeEslServer, prompts: PromptServer | null, over: Partial<FreeSwitchAdapterOptions> = {}): FreeSwitchAdapterOptions {
  return {
    id: 'fs-test',
    host: fake.host,
    port: fake.listenPort,
    password: fake.password,
    application: 'switchboard',
    requestTimeoutMs: 2_000,
    reconnect: { initialMs: 20, maxMs: 200 },
    probeIntervalMs: 0,
    originateTimeoutSec: 30,
    mohSound: 'local_stream://moh',
    recordingsDir: '/var/lib/freeswitch/recordings',
    transferContext: 'switchboard-transfer',
    ...over,
    prompts: { sounds: {}, urlTemplate: prompts ? `${prompts.baseUrl}{id}.wav?text={text}` : undefined, ...over.prompts },
  };
}

export async function startRig(over: Partial<FreeSwitchAdapterOptions> = {}, opts: { charsPerSecond?: number } = {}): Promise<EslRig> {
  const fake = await new FakeEslServer().start();
  const prompts = await startPromptServer(opts.charsPerSecond ?? 400);
  const adapter = new FreeSwitchAdapter(adapterOptions(fake, prompts, over));
  return {
    fake,
    prompts,
    adapter,
    async close() {
      await adapter.disconnect();
      await fake.close();
      await prompts.close();
    },
  };
}

type EventOf<T extends PbxEvent['type']> = Extract<PbxEvent, { type: T }>;

/** Records an adapter's events and states; waits on them (never on sleeps). */
export function recorder(adapter: FreeSwitchAdapter) {
  const events: PbxEvent[] = [];
  const states: AdapterHealth[] = [];
  const waiters = new Set<() => void>();
  const poke = (): void => waiters.forEach((w) => w());
  adapter.onEvent((e) => {
    events.push(e);
    poke();
  });
  adapter.onStateChange((h) => {
    states.push(h);
    poke();
  });
  const until = <T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = find();
        if (v === undefined) return;
        clearTimeout(t);
        waiters.delete(check);
        resolve(v);
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; events: ${events.map((e) => e.type).join(', ')}; states: ${states.map((s) => `${s.state}${s.lastError ? ` (${s.lastError})` : ''}`).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    events,
    states,
    next: <T extends PbxEvent['type']>(type: T, pred: (e: EventOf<T>) => boolean = () => true) =>
      until(() => events.find((e): e is EventOf<T> => e.type === type && pred(e as EventOf<T>)), type),
    state: (state: AdapterHealth['state'], from = 0) => until(() => states.slice(from).find((s) => s.state === state), `state ${state}`),
    count: (type: PbxEvent['type'], callId?: string) => events.filter((e) => e.type === type && (callId === undefined || e.callId === callId)).length,
  };
}
