/**
 * What the connector does with each way the IVR can end a call: callback and
 * voicemail open a case (voicemail also when the caller hangs up to finish),
 * a transfer and the IVR's own goodbye are recorded as such, not as abandoned.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const flowsDir = mkdtempSync(join(tmpdir(), 'sb-flows-'));
writeFileSync(
  join(flowsDir, 'main.yaml'),
  `name: main
start: menu
nodes:
  menu:
    kind: menu
    prompt: { en: "1 callback, 2 voicemail, 3 transfer, 4 goodbye." }
    options: { "1": callback, "2": voicemail, "3": transfer, "4": goodbye }
    noInput: { timeoutMs: 5000 }
    invalid: { prompt: { en: "No." } }
    fallback: general
  callback: { kind: callback, prompt: { en: "We will call you back." }, queue: billing }
  voicemail: { kind: voicemail, prompt: { en: "After the tone." }, maxSeconds: 60, queue: support }
  transfer: { kind: transfer, prompt: { en: "Transferring." }, to: "+442079460123" }
  goodbye: { kind: hangup, prompt: { en: "Goodbye." } }
  general: { kind: queue, queue: general }
`,
);

let srv: TestServer;
let token: string;
beforeAll(async () => {
  srv = await startTestServer({ config: { ivr: { flowsDir } } });
  token = await login(srv.url, 'alice');
});
afterAll(async () => {
  await srv?.close();
});

async function call(keys: string): Promise<string> {
  const { callId } = (await api(srv.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
  await api(srv.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: keys } });
  return callId as string;
}
const outcome = (callId: string) => srv.sb.callCenter.getCall(callId)?.outcome;
const caseOf = async (callId: string) => (await api(srv.url, 'GET', '/api/cases?agent=ivr&limit=50', { token })).body.cases.find((c: { callId: string }) => c.callId === callId);

describe('IVR outcomes in the connector', () => {
  it('a callback request opens a case for the queue and ends the call', async () => {
    const callId = await call('1');
    await expect.poll(() => outcome(callId), { timeout: 5_000 }).toBe('callback');
    const c = await caseOf(callId);
    expect(c).toMatchObject({
      subject: 'Callback request from +14155550123',
      type: 'billing_question',
      disposition: 'callback-requested',
      origin: 'phone',
      agent: 'ivr',
      queue: 'billing',
      ani: '+14155550123',
    });
    expect(c.contactId).toEqual(expect.any(Number));
    expect(c.description).toContain('+14155550123');
    expect(srv.sb.simulators[0]!.transcript(callId).entries.at(-1)).toMatchObject({ type: 'call.ended' });
  });

  it('a voicemail the caller ends by hanging up is kept and opens a case', async () => {
    const callId = await call('2');
    const sim = srv.sb.simulators[0]!;
    await expect.poll(() => sim.transcript(callId).entries.some((e) => e.type === 'recording.started'), { timeout: 5_000 }).toBe(true);
    await api(srv.url, 'POST', `/api/simulator/calls/${callId}/hangup`);
    await expect.poll(() => outcome(callId)).toBe('voicemail');
    const c = await caseOf(callId);
    expect(c).toMatchObject({ subject: 'Voicemail from +14155550123', type: 'technical_support', queue: 'support' });
    expect(c.description).toContain(`voicemail-${callId}`);
  });

  it('a transfer is recorded as transferred, the IVR goodbye as completed in the IVR', async () => {
    const t = await call('3');
    const g = await call('4');
    await expect.poll(() => outcome(t), { timeout: 5_000 }).toBe('transferred');
    await expect.poll(() => outcome(g), { timeout: 5_000 }).toBe('completed-in-ivr');
    expect(srv.sb.simulators[0]!.transcript(t).entries.filter((e) => e.type === 'call.transferred')).toMatchObject([{ to: '+442079460123' }]);
    const metrics = (await api(srv.url, 'GET', '/metrics')).body as string;
    for (const o of ['callback', 'voicemail', 'transferred', 'completed-in-ivr']) expect(metrics).toMatch(new RegExp(`switchboard_calls_total\\{outcome="${o}"\\} 1`));
  });
});
