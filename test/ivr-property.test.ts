/**
 * No caller is ever stuck (issue 3, part 9): random keys (0-9 * #), pauses and
 * hangups, at random times of the year (holidays included) and with random caller
 * attributes, through every shipped flow in ivr/flows/, on the simulator PBX with
 * fake timers. Every call MUST end - queue, callback, voicemail, transfer, hangup
 * or caller-hangup, never `failed` - within a bounded simulated time once the
 * caller falls silent, with a bounded path, and leave no timer behind.
 *
 * Reproduce a failure with the seed fast-check prints: FC_SEED=<seed> npx vitest run test/ivr-property.test.ts
 * (FC_RUNS=<n> for a longer search).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttributeValue } from '../ivr/flow/context.js';
import { compile, startCall } from './helpers/ivr-harness.js';

const NUM_RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 200;
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 0x5b0a2d;
/** Once the caller falls silent the call MUST end within this much simulated time. */
const SILENT_BOUND_MS = 10 * 60_000;
const SILENT_STEP_MS = 5_000;
/** A path longer than this means the caller went round in circles. */
const MAX_PATH = 200;
const ENDINGS = ['queue', 'callback', 'voicemail', 'transfer', 'hangup', 'caller-hangup'];

type Action = { kind: 'key'; key: string } | { kind: 'wait'; ms: number } | { kind: 'hangup' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...'0123456789*#').map((key): Action => ({ kind: 'key', key })) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 800 }).map((ms): Action => ({ kind: 'wait', ms })) },
  { weight: 3, arbitrary: fc.integer({ min: 800, max: 20_000 }).map((ms): Action => ({ kind: 'wait', ms })) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'hangup' }) },
);

const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);
const DAY = 86_400_000;
/** Any moment of 2026, an afternoon (UTC: business hours in the Americas), or the days around the shipped holidays. */
const when = fc.oneof(
  fc.integer({ min: YEAR_START, max: YEAR_END - 1 }),
  fc.tuple(fc.integer({ min: 0, max: 364 }), fc.integer({ min: 13 * 3_600_000, max: 22 * 3_600_000 - 1 })).map(([d, ms]) => YEAR_START + d * DAY + ms),
  fc.integer({ min: Date.UTC(2026, 11, 23), max: Date.UTC(2026, 11, 27) - 1 }),
);

const caller = fc.record({
  match: fc.constantFrom('none', 'one', 'many'),
  vip: fc.boolean(),
  tier: fc.constantFrom(null, 'standard', 'priority'),
  accountsExist: fc.boolean(),
});

const scenario = fc.record({ at: when, caller, actions: fc.array(action, { maxLength: 40 }) });

const dir = new URL('../ivr/flows/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('no caller is ever stuck', () => {
  it('the shipped flows are all here', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of files) {
    it(`${file}: every call ends, in bounded time, with no timer left`, async () => {
      let accountsExist = false;
      const flow = compile(readFileSync(new URL(file, dir), 'utf8'), {
        accountExists: () => accountsExist,
        queues: new Set(['general', 'support', 'billing']),
      });
      const reached = new Set<string>();
      await fc.assert(
        fc.asyncProperty(scenario, async ({ at, caller: who, actions }) => {
          vi.clearAllTimers();
          vi.setSystemTime(at);
          accountsExist = who.accountsExist;
          const known = who.match !== 'none';
          const attributes: Record<string, AttributeValue> = {
            ani: '+14155550123',
            dnis: '+18005550100',
            'caller.match': who.match,
            'caller.known': known,
            'account.number': known ? 'ACC-1001' : null,
            'account.tier': known ? who.tier : null,
            'account.vip': known && who.vip,
          };
          const c = await startCall(flow, { attributes });
          const ended = () => c.outcome() !== null || c.sim.transcript(c.callId).ended;
          let hungUp = false;
          for (const a of actions) {
            if (ended()) break;
            if (a.kind === 'key') await c.press(a.key);
            else if (a.kind === 'wait') await c.wait(a.ms);
            else {
              hungUp = true;
              await c.hangup();
            }
          }
          // The caller now falls silent (or has gone): the flow alone MUST end the call.
          for (let t = 0; c.outcome() === null && t < SILENT_BOUND_MS; t += SILENT_STEP_MS) await c.wait(SILENT_STEP_MS);
          const out = c.outcome();
          if (out === null) throw new Error(`no outcome ${SILENT_BOUND_MS} ms after the last action; state ${JSON.stringify(c.session.state())}`);
          if (!ENDINGS.includes(out.outcome)) throw new Error(`outcome ${out.outcome}: ${String((out as { error?: unknown }).error)}`);
          // caller-hangup exactly when the caller hung up (the PBX ending a transfer or the flow's own hangup is not one),
          // except that a caller who hangs up to end a voicemail has left a voicemail.
          const endedByCaller = out.outcome === 'caller-hangup' || (out.outcome === 'voicemail' && hungUp);
          if (endedByCaller !== hungUp) throw new Error(`outcome ${out.outcome}, yet the caller ${hungUp ? 'hung up' : 'never hung up'}`);
          if (out.path.length > MAX_PATH) throw new Error(`path of ${out.path.length} steps`);
          if (vi.getTimerCount() !== 0) throw new Error(`${vi.getTimerCount()} timer(s) left after ${out.outcome}`);
          reached.add(`${out.outcome} at ${out.path.at(-1)?.node ?? '(answering)'}`);
        }),
        { numRuns: NUM_RUNS, seed: SEED },
      );
      // The generator reaches more than the silent path (a degenerate one would pass vacuously).
      expect(reached.size, [...reached].join(', ')).toBeGreaterThanOrEqual(4);
    });
  }
});
