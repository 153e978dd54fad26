/**
 * The webhook routes as an attacker or a confused proxy sees them: every request's
 * X-Twilio-Signature is checked over the public URL and the body before anything
 * happens; a bad or missing one is 403 and nothing is acted on. Also the JSON-body
 * and GET variants, a replayed callback, calls unknown after a restart, and 503
 * while the adapter is not accepting calls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bodySha256, computeSignature } from '../../adapters/twilio/signature.js';
import { twilioSign } from './fake-twilio/sign.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, startRig, WEBHOOK_PATH, type Rig } from './helpers.js';

const CALL = `CA${'1'.repeat(32)}`;
const voiceParams = (over: Record<string, string> = {}): Record<string, string> => ({
  AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: CALL, CallStatus: 'ringing', Direction: 'inbound', From: '+14155550123', To: '+18005550100', ...over,
});

let rig: Rig;

/** POSTs form parameters to `path` (with its query), signed over `signedUrl` (default: the public URL) with `token`. */
async function post(path: string, params: Record<string, string>, o: { token?: string; signedUrl?: string; signedParams?: Record<string, string>; signature?: string | null } = {}) {
  const signedUrl = o.signedUrl ?? `${PUBLIC_URL}${path}`;
  const sig = o.signature === undefined ? twilioSign(o.token ?? AUTH_TOKEN, signedUrl, o.signedParams ?? params) : o.signature;
  const res = await fetch(`${rig.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sig === null ? {} : { 'x-twilio-signature': sig }) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

/** One macrotask turn: events the request caused were emitted (on microtasks) before its answer anyway. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

beforeEach(async () => {
  rig = await startRig();
  await rig.adapter.connect();
});
afterEach(async () => {
  await rig.adapter.disconnect();
  await rig.close();
});

describe('X-Twilio-Signature on every webhook', () => {
  it('a signed voice webhook starts a call and is answered with TwiML', async () => {
    const r = await post(`${WEBHOOK_PATH}/voice`, voiceParams());
    expect(r.status).toBe(200);
    expect(r.body).toContain('<Gather input="dtmf"');
    await settle();
    expect(rig.events).toEqual([expect.objectContaining({ type: 'call.started', callId: CALL, ani: '+14155550123', dnis: '+18005550100' })]);
  });

  it('403 and nothing acted on: missing, wrong token, tampered parameter, tampered URL, local URL, another account', async () => {
    const p = voiceParams();
    const cases: Array<[string, Promise<{ status: number; body: string }>]> = [
      ['no signature', post(`${WEBHOOK_PATH}/voice`, p, { signature: null })],
      ['empty signature', post(`${WEBHOOK_PATH}/voice`, p, { signature: '' })],
      ['another token', post(`${WEBHOOK_PATH}/voice`, p, { token: 'some-other-token' })],
      ['a parameter changed after signing', post(`${WEBHOOK_PATH}/voice`, { ...p, From: '+19005550000' }, { signedParams: p })],
      ['a parameter added after signing', post(`${WEBHOOK_PATH}/voice`, { ...p, Digits: '1' }, { signedParams: p })],
      ['signed for another path', post(`${WEBHOOK_PATH}/voice`, p, { signedUrl: `${PUBLIC_URL}${WEBHOOK_PATH}/status` })],
      ['signed without the query it came with', post(`${WEBHOOK_PATH}/voice?x=1`, p, { signedUrl: `${PUBLIC_URL}${WEBHOOK_PATH}/voice` })],
      ['signed for another host', post(`${WEBHOOK_PATH}/voice`, p, { signedUrl: `https://evil.example${WEBHOOK_PATH}/voice` })],
      ['signed over the local URL behind the proxy', post(`${WEBHOOK_PATH}/voice`, p, { signedUrl: `${rig.url}${WEBHOOK_PATH}/voice` })],
      ['signed by Twilio for another account', post(`${WEBHOOK_PATH}/voice`, { ...p, AccountSid: `AC${'9'.repeat(32)}` })],
    ];
    for (const [what, res] of cases) {
      const r = await res;
      expect(r.status, what).toBe(403);
      expect(r.body, what).not.toContain('<Response');
    }
    // The status callback and the document callbacks are guarded the same way.
    expect((await post(`${WEBHOOK_PATH}/status`, { ...p, CallStatus: 'completed' }, { signature: 'x' })).status).toBe(403);
    expect((await post(`${WEBHOOK_PATH}/next?d=1`, { ...p, Digits: '1' }, { token: 'nope' })).status).toBe(403);
    expect((await post(`${WEBHOOK_PATH}/agent?leg=00000000-0000-4000-8000-000000000000`, p, { signature: null })).status).toBe(403);
    await settle();
    expect(rig.events).toEqual([]);
  });

  it('a document callback replayed after it was used is refused (409) and not acted on', async () => {
    await post(`${WEBHOOK_PATH}/voice`, voiceParams());
    const gather = voiceParams({ CallStatus: 'in-progress', Digits: '7' });
    expect((await post(`${WEBHOOK_PATH}/next?d=1`, gather)).status).toBe(200);
    await settle();
    expect(rig.events.filter((e) => e.type === 'call.dtmf')).toHaveLength(1);
    const replay = await post(`${WEBHOOK_PATH}/next?d=1`, gather);
    expect(replay.status).toBe(409);
    // A document number that was never sent, signed or not, is the same.
    expect((await post(`${WEBHOOK_PATH}/next?d=99`, gather)).status).toBe(409);
    await settle();
    expect(rig.events.filter((e) => e.type === 'call.dtmf')).toHaveLength(1);
  });

  it('the JSON-body variant: bodySHA256 in the URL, the body hashed; a changed body is refused', async () => {
    await post(`${WEBHOOK_PATH}/voice`, voiceParams());
    const body = JSON.stringify({ AccountSid: ACCOUNT_SID, CallSid: CALL, CallStatus: 'completed' });
    const path = `${WEBHOOK_PATH}/status?bodySHA256=${bodySha256(body)}`;
    const send = (b: string, sig: string): Promise<Response> =>
      fetch(`${rig.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': sig }, body: b });
    const sig = computeSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`);
    expect((await send(body.replace('completed', 'in-progress'), sig)).status).toBe(403);
    expect((await send(body, computeSignature('nope', `${PUBLIC_URL}${path}`))).status).toBe(403);
    await settle();
    expect(rig.events.map((e) => e.type)).toEqual(['call.started']);
    expect((await send(body, sig)).status).toBe(204);
    await settle();
    expect(rig.events.map((e) => e.type)).toEqual(['call.started', 'call.ended']);
  });

  it('a number configured with HTTP GET: the parameters are in the signed URL', async () => {
    const query = new URLSearchParams(voiceParams()).toString();
    const path = `${WEBHOOK_PATH}/voice?${query}`;
    const ok = await fetch(`${rig.url}${path}`, { headers: { 'x-twilio-signature': computeSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`) } });
    expect(ok.status).toBe(200);
    const tampered = await fetch(`${rig.url}${path.replace('%2B14155550123', '%2B19005550000')}`, { headers: { 'x-twilio-signature': computeSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`) } });
    expect(tampered.status).toBe(403);
    await settle();
    expect(rig.events).toEqual([expect.objectContaining({ type: 'call.started', ani: '+14155550123' })]);
  });
});

describe('calls Switchboard does not know, and not accepting', () => {
  it('a callback for a call from before a restart adopts it; its wait document leaves the queue first', async () => {
    const wait = await post(`${WEBHOOK_PATH}/wait?d=3`, voiceParams({ CallStatus: 'in-progress', QueueSid: 'QU1' }));
    expect(wait.body).toContain('<Leave/>');
    const next = await post(`${WEBHOOK_PATH}/next?d=3`, voiceParams({ CallStatus: 'in-progress', QueueResult: 'leave' }));
    expect(next.status).toBe(200);
    expect(next.body).toContain('<Gather');
    await settle();
    expect(rig.events).toEqual([expect.objectContaining({ type: 'call.started', callId: CALL })]);
    // Not a connected call whose agent left, nor a transfer that ended: those are over.
    const other = `CA${'2'.repeat(32)}`;
    for (const extra of [{ QueueResult: 'bridged' }, { DialCallStatus: 'completed' }] as Array<Record<string, string>>) {
      const r = await post(`${WEBHOOK_PATH}/next?d=2`, voiceParams({ CallSid: other, CallStatus: 'in-progress', ...extra }));
      expect(r.body).toContain('<Hangup/>');
    }
    await settle();
    expect(rig.events).toHaveLength(1);
  });

  it('a call that ended is never brought back by a late callback', async () => {
    await post(`${WEBHOOK_PATH}/voice`, voiceParams());
    expect((await post(`${WEBHOOK_PATH}/status`, voiceParams({ CallStatus: 'completed' }))).status).toBe(204);
    const late = await post(`${WEBHOOK_PATH}/next?d=1`, voiceParams({ CallStatus: 'in-progress' }));
    expect(late.body).toContain('<Hangup/>');
    await settle();
    expect(rig.events.map((e) => e.type)).toEqual(['call.started', 'call.ended']);
    expect(rig.events[1]).toMatchObject({ reason: 'caller-hangup' });
  });

  it('503 while disconnected (Twilio then runs the fallback URL), after the signature check', async () => {
    await rig.adapter.disconnect();
    expect((await post(`${WEBHOOK_PATH}/voice`, voiceParams())).status).toBe(503);
    expect((await post(`${WEBHOOK_PATH}/voice`, voiceParams(), { signature: null })).status).toBe(403);
    await settle();
    expect(rig.events).toEqual([]);
  });

  it('bad document numbers and leg ids are 400; other methods 405', async () => {
    expect((await post(`${WEBHOOK_PATH}/next?d=abc`, voiceParams())).status).toBe(400);
    expect((await post(`${WEBHOOK_PATH}/agent?leg=../../x`, voiceParams())).status).toBe(400);
    const put = await fetch(`${rig.url}${WEBHOOK_PATH}/voice`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });
});
