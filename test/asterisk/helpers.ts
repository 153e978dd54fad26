/** Shared set-up for the Asterisk adapter tests: a fake ARI server, a prompt renderer, an adapter on them. */
import { AsteriskAdapter } from '../../adapters/asterisk/asterisk-adapter.js';
import type { AsteriskAdapterOptions } from '../../adapters/asterisk/options.js';
import { startPromptServer, type PromptServer } from './fake-ari/media.js';
import { FakeAriServer } from './fake-ari/server.js';

export interface AriRig {
  fake: FakeAriServer;
  prompts: PromptServer;
  adapter: AsteriskAdapter;
  /** Problems the fake saw: requests the Swagger files reject, replies or events that break them. */
  problems(): string[];
  close(): Promise<void>;
}

export function adapterOptions(fake: FakeAriServer, prompts: PromptServer | null, over: Partial<AsteriskAdapterOptions> = {}): AsteriskAdapterOptions {
  return {
    id: 'pbx-test',
    url: fake.url,
    application: 'switchboard',
    credentials: { username: fake.username, password: fake.password, mode: 'basic' },
    requestTimeoutMs: 2_000,
    reconnect: { initialMs: 20, maxMs: 200 },
    pingIntervalMs: 10_000,
    originateTimeoutSec: 30,
    prompts: { sounds: {}, urlTemplate: prompts ? `${prompts.baseUrl}{id}.wav?text={text}` : undefined },
    observeEndpoints: [],
    ...over,
  };
}

export async function startRig(over: Partial<AsteriskAdapterOptions> = {}, opts: { charsPerSecond?: number } = {}): Promise<AriRig> {
  const fake = await new FakeAriServer().start();
  const prompts = await startPromptServer(opts.charsPerSecond ?? 400);
  const adapter = new AsteriskAdapter(adapterOptions(fake, prompts, over));
  return {
    fake,
    prompts,
    adapter,
    problems: () => [
      ...fake.invalid.map((i) => `invalid request ${i.method} ${i.path}: ${i.message}`),
      ...fake.badReplies.map((r) => `bad reply ${r}`),
      ...fake.pbx.violations.map((v) => `bad event ${v}`),
    ],
    async close() {
      await adapter.disconnect();
      await fake.close();
      await prompts.close();
    },
  };
}
