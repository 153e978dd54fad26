/**
 * How the Twilio adapter's commands become TwiML answers, beyond the shared
 * contract, against the fake Twilio: an entry typed in one Gather, hold
 * announcements in the queue's wait documents, a bridge that waits for the caller to
 * reach the queue, transfers, hangups through the REST API, REST failures, and the
 * ringing leg cancelled when the caller hangs up.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PbxEvent } from '../../adapters/events.js';
import { startRig, type Rig } from './helpers.js';

let rig: Rig;

beforeEach(async () => {
  rig = await startRig();
  await rig.adapter.connect();
});
afterEach(async () => {
  const problems = [...rig.fake.violations];
  await rig.adapter.disconnect();
  await rig.close();
  expect(problems).toEqual([]);
});

async function event<T extends PbxEvent['type']>(type: T, pred: (e: Extract<PbxEvent, { type: T }>) => boolean = () => true): Promise<Extract<PbxEvent, { type: T }>> {
  return rig.fake.until(() => rig.events.find((e): e is Extract<PbxEvent, { type: T }> => e.type === type && pred(e as Extract<PbxEvent, { type: T }>)), type);
}

async function answeredCall(): Promise<string> {
  const sid = await rig.fake.placeCall('+14155550123', '+18005550100');
  await rig.adapter.answer(sid);
  return sid;
}

const requests = (sid: string) => rig.fake.log.filter((e) => e.type === 'request' && e.sid === sid) as Array<Extract<(typeof rig.fake.log)[number], { type: 'request' }>>;

describe('keys', () => {
  it('after a key that asked for nothing, the next Gather takes the rest of the entry at once', async () => {
    const sid = await answeredCall();
    await rig.fake.pressDigits(sid, '1');
    await event('call.dtmf', (e) => e.digit === '1');
    // Nothing was queued in reply: the caller is typing an entry.
    await rig.fake.event('gather', (e) => e.sid === sid && e.attrs['numDigits'] === '20');
    await rig.fake.pressDigits(sid, '234#');
    await event('call.dtmf', (e) => e.digit === '#');
    expect(rig.events.filter((e) => e.type === 'call.dtmf').map((e) => (e as { digit: string }).digit)).toEqual(['1', '2', '3', '4', '#']);
    expect(requests(sid).some((r) => r.params['Digits'] === '234#')).toBe(true);
  });

  it('a prompt aborted before Twilio asked for it is never sent', async () => {
    const sid = await answeredCall();
    const ctl = new AbortController();
    const playing = rig.adapter.play(sid, { id: 'p', text: 'Never heard.' }, ctl.signal);
    ctl.abort();
    expect(await playing).toEqual({ completed: false });
    const heard = rig.adapter.play(sid, { id: 'q', text: 'Heard.' }, new AbortController().signal);
    expect(await heard).toEqual({ completed: true });
    expect(rig.fake.mustGet(sid).heard).toEqual(['say:Heard.']);
  });
});

describe('the queue', () => {
  it('announcements while on hold go in the wait documents and end at the next wait request', async () => {
    const sid = await answeredCall();
    const hold = new AbortController();
    await rig.adapter.hold(sid, hold.signal);
    await rig.fake.event('enqueued', (e) => e.sid === sid);
    const announced = await rig.adapter.play(sid, { id: 'queue.hold', text: 'Please hold.' }, new AbortController().signal);
    expect(announced).toEqual({ completed: true });
    const wait = requests(sid).find((r) => r.url.includes('/wait?') && r.body.includes('Please hold.'));
    expect(wait?.body).toContain('<Response><Say language="en-US">Please hold.</Say></Response>');
    hold.abort();
  });

  it('an agent who answers while the caller hears a prompt is connected once the caller reached the queue', async () => {
    const sid = await answeredCall();
    const prompt = rig.adapter.play(sid, { id: 'p', text: 'A long prompt. '.repeat(20) }, new AbortController().signal);
    await rig.fake.event('media', (e) => e.sid === sid && e.what.startsWith('say:A long'));
    const { legId } = await rig.adapter.ringAgent(sid, 'client:alice');
    rig.fake.answerLeg(rig.fake.legByTag(legId).sid);
    await event('agent.answered', (e) => e.legId === legId);
    await rig.adapter.bridge(sid, legId);
    expect(await prompt).toEqual({ completed: true });
    await rig.fake.event('bridged', (e) => e.caller === sid);
    const order = rig.fake.log.map((e) => e.type);
    expect(order.indexOf('enqueued')).toBeLessThan(order.indexOf('bridged'));
    await event('call.connected', (e) => e.legId === legId);
  });

  it('the caller hanging up while an agent rings cancels the leg at Twilio', async () => {
    const sid = await answeredCall();
    const { legId } = await rig.adapter.ringAgent(sid, 'sip:alice@pbx.example.com');
    const leg = rig.fake.legByTag(legId);
    rig.fake.hangup(sid);
    await event('agent.leg.ended', (e) => e.legId === legId);
    await rig.fake.event('ended', (e) => e.sid === leg.sid && e.status === 'canceled');
    expect(rig.fake.log.some((e) => e.type === 'rest' && e.path.endsWith(`/Calls/${leg.sid}.json`) && e.params['Status']?.[0] === 'canceled')).toBe(true);
  });
});

describe('transfer and hangup', () => {
  it('a blind transfer is <Dial> on the next document; the call then ends as transferred', async () => {
    const sid = await answeredCall();
    await expect(rig.adapter.transfer(sid, '555')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await rig.adapter.transfer(sid, '+14155550199');
    await event('call.ended', (e) => e.callId === sid && e.reason === 'transferred');
    await rig.fake.event('transferred', (e) => e.sid === sid && e.to === '+14155550199');
    await expect(rig.adapter.transfer(sid, '+14155550199')).rejects.toMatchObject({ code: 'CALL_GONE' });
  });

  it('from the queue, a transfer leaves it first (<Leave/>, then <Dial>)', async () => {
    const sid = await answeredCall();
    await rig.adapter.hold(sid, new AbortController().signal);
    await rig.adapter.transfer(sid, '+14155550199');
    await rig.fake.event('transferred', (e) => e.sid === sid);
    expect(requests(sid).some((r) => r.url.includes('/wait?') && r.body.includes('<Leave/>'))).toBe(true);
    await expect(rig.adapter.transfer(sid, 'not a number')).rejects.toMatchObject({ code: 'CALL_GONE' });
  });

  it('hangup ends the call through the REST API at once (Status=completed)', async () => {
    const sid = await answeredCall();
    await rig.adapter.hangup(sid);
    await event('call.ended', (e) => e.callId === sid && e.reason === 'system-hangup');
    expect(rig.fake.log.some((e) => e.type === 'rest' && e.path.endsWith(`/Calls/${sid}.json`) && e.params['Status']?.[0] === 'completed')).toBe(true);
    await rig.fake.event('ended', (e) => e.sid === sid);
  });
});

describe('REST failures', () => {
  it('refused credentials: ringAgent rejects PBX_REJECTED and health shows why; the next success clears it', async () => {
    const sid = await answeredCall();
    rig.fake.faults.restError = 401;
    await expect(rig.adapter.ringAgent(sid, 'client:alice')).rejects.toMatchObject({ name: 'AdapterError', code: 'PBX_REJECTED', httpStatus: 401 });
    expect(rig.adapter.health()).toMatchObject({ state: 'connected', lastError: expect.stringContaining('refused the credentials') });
    expect(rig.adapter.health().lastError).not.toContain('test-auth-token');
    rig.fake.faults.restError = 503;
    await expect(rig.adapter.ringAgent(sid, 'client:alice')).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
    rig.fake.faults.restError = null;
    await rig.adapter.ringAgent(sid, 'client:alice');
    expect(rig.adapter.health().lastError).toBeNull();
  });

  it('an endpoint Twilio cannot ring is INVALID_REQUEST, and no REST request is made', async () => {
    const sid = await answeredCall();
    await expect(rig.adapter.ringAgent(sid, 'PJSIP/alice bob')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(rig.fake.log.some((e) => e.type === 'rest')).toBe(false);
  });
});
