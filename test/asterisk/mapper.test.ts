/**
 * The pure ARI -> normalized event mapper, against fixture event sequences
 * (test/fixtures/ari-events, each event validated against events.json first),
 * and the hangup-cause mapping.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PbxEvent } from '../../adapters/events.js';
import type { AriEvent } from '../../adapters/asterisk/ari/types.gen.js';
import { causeToEndReason, Q850 } from '../../adapters/asterisk/hangup-cause.js';
import { isoTime, mapAriEvent, type ChannelRole, type MapperView } from '../../adapters/asterisk/mapper.js';
import { AdapterState } from '../../adapters/asterisk/state.js';
import { AriSwagger } from './fake-ari/swagger.js';

const swagger = new AriSwagger();

function fixture(name: string): AriEvent[] {
  const events = JSON.parse(readFileSync(new URL(`../fixtures/ari-events/${name}`, import.meta.url), 'utf8')) as AriEvent[];
  for (const e of events) expect(swagger.validate(e, 'Event'), `${name}: ${e.type}`).toEqual([]);
  return events;
}

/** A view over a role table, updated by the events the mapper returns (what the adapter does, minus I/O). */
class Roles {
  readonly roles = new Map<string, ChannelRole>();
  readonly ended = new Set<string>();
  constructor(private readonly watched: string[] = []) {}
  view(): MapperView {
    return {
      adapterId: 'pbx1',
      channel: (id) => this.roles.get(id),
      isEnded: (id) => this.ended.has(id),
      watchedEndpoint: (name) => this.watched.find((w) => name.startsWith(`${w}-`)),
    };
  }
  run(events: AriEvent[]): PbxEvent[] {
    const out: PbxEvent[] = [];
    for (const e of events) {
      if (e.type === 'ChannelHangupRequest') {
        const r = this.roles.get(e.channel.id);
        if (r && 'cause' in r) r.cause = e.cause ?? null;
      }
      for (const m of mapAriEvent(e, this.view())) {
        out.push(m);
        this.apply(m);
      }
    }
    return out;
  }
  private apply(m: PbxEvent): void {
    const r = this.roles.get('legId' in m && m.type !== 'call.connected' ? m.legId : m.callId);
    if (m.type === 'call.started') this.roles.set(m.callId, { role: 'call', answered: false, ended: false, endRequest: null, cause: null, outbound: false });
    else if (m.type === 'observed.ringing') this.roles.set(m.legId, { role: 'observed', callId: m.callId, endpoint: m.endpoint, answered: false, ended: false });
    else if (r && (m.type === 'call.answered' || m.type === 'agent.answered' || m.type === 'observed.answered')) r.answered = true;
    else if (r && (m.type === 'call.ended' || m.type === 'agent.leg.ended' || m.type === 'observed.ended')) {
      r.ended = true;
      this.ended.add('legId' in m ? m.legId : m.callId);
    }
  }
}

const CALLER = '1746093600.41';
const LEG = '7c5d4a57-0d8f-4f0e-9a53-3c6b7b0a9e11';

describe('the ARI mapper on fixture sequences', () => {
  it('an inbound call: started (ANI verbatim, DNIS the dialplan extension), answered, one digit, ended by the caller', () => {
    const out = new Roles().run(fixture('inbound-call.json'));
    expect(out).toEqual([
      { type: 'call.started', adapterId: 'pbx1', at: '2025-05-01T10:00:00.112Z', callId: CALLER, ani: '+14155550123', callerName: null, dnis: '+18005550100' },
      { type: 'call.answered', adapterId: 'pbx1', at: '2025-05-01T10:00:00.140Z', callId: CALLER },
      { type: 'call.dtmf', adapterId: 'pbx1', at: '2025-05-01T10:00:01.870Z', callId: CALLER, digit: '1', durationMs: 120 },
      { type: 'call.ended', adapterId: 'pbx1', at: '2025-05-01T10:00:09.004Z', callId: CALLER, reason: 'caller-hangup' },
    ]);
  });

  it('replayed twice, the second pass maps to nothing (duplicates are harmless)', () => {
    const roles = new Roles();
    const events = fixture('inbound-call.json');
    roles.run(events);
    expect(roles.run(events)).toEqual([]);
  });

  it('an agent leg: agent.answered only at its StasisStart (Up alone is not in the application yet)', () => {
    const roles = new Roles();
    roles.roles.set(LEG, { role: 'leg', callId: CALLER, endpoint: 'PJSIP/alice', answered: false, bridged: false, ended: false, cancelled: false, cause: null });
    expect(roles.run(fixture('agent-leg-answered.json'))).toEqual([
      { type: 'agent.answered', adapterId: 'pbx1', at: '2025-05-01T10:00:04.503Z', callId: CALLER, legId: LEG },
    ]);
  });

  it('an agent leg rejected (603 -> cause 21) ends as busy; one we cancelled ends as system-hangup', () => {
    const leg = (cancelled: boolean): Roles => {
      const r = new Roles();
      r.roles.set(LEG, { role: 'leg', callId: CALLER, endpoint: 'PJSIP/alice', answered: false, bridged: false, ended: false, cancelled, cause: null });
      return r;
    };
    expect(leg(false).run(fixture('agent-leg-rejected.json'))).toEqual([
      { type: 'agent.leg.ended', adapterId: 'pbx1', at: '2025-05-01T10:00:03.302Z', callId: CALLER, legId: LEG, reason: 'busy' },
    ]);
    expect(leg(true).run(fixture('agent-leg-rejected.json')).map((e) => 'reason' in e && e.reason)).toEqual(['system-hangup']);
  });

  it('a leg of ours that this process does not know (after a restart) is not a new call', () => {
    const start = fixture('agent-leg-answered.json').at(-1) as AriEvent;
    expect(new Roles().run([start])).toEqual([]);
  });

  it('observe mode: app_queue ringing a watched phone pops once with the caller, answers, ends', () => {
    const out = new Roles(['PJSIP/bob']).run(fixture('observed-queue-call.json'));
    expect(out.map((e) => e.type)).toEqual(['observed.ringing', 'observed.answered', 'observed.ended']);
    expect(out[0]).toMatchObject({ callId: '1746093700.55', legId: '1746093700.57', endpoint: 'PJSIP/bob', ani: '+12125550100', callerName: 'Grace Hopper', dnis: '+18005550100' });
    expect(out[2]).toMatchObject({ reason: 'agent-hangup' });
    expect(new Roles(['PJSIP/alice']).run(fixture('observed-queue-call.json'))).toEqual([]);
  });
});

describe('the ARI mapper, event by event', () => {
  const callRole = (over: Partial<Extract<ChannelRole, { role: 'call' }>> = {}): Roles => {
    const r = new Roles();
    r.roles.set(CALLER, { role: 'call', answered: true, ended: false, endRequest: null, cause: null, outbound: false, ...over });
    return r;
  };
  const [, , , dtmf, , , stasisEnd, destroyed] = fixture('inbound-call.json') as AriEvent[];

  it('drops a digit that is not DTMF (ARI allows E), and digits of unknown channels', () => {
    expect(callRole().run([{ ...(dtmf as Extract<AriEvent, { type: 'ChannelDtmfReceived' }>), digit: 'E' }])).toEqual([]);
    expect(new Roles().run([dtmf as AriEvent])).toEqual([]);
  });

  it('the end reason follows who asked: our transfer, our hangup, a bridged agent', () => {
    expect(callRole({ endRequest: 'transfer' }).run([stasisEnd as AriEvent])).toMatchObject([{ reason: 'transferred' }]);
    expect(callRole({ endRequest: 'system' }).run([stasisEnd as AriEvent])).toMatchObject([{ reason: 'system-hangup' }]);
    expect(callRole({ endRequest: 'agent' }).run([destroyed as AriEvent])).toMatchObject([{ reason: 'agent-hangup' }]);
  });

  it('the agent\'s phone holding or resuming its bridged leg: agent.leg.held; not for a leg not bridged, nor the caller', () => {
    const leg = (bridged: boolean): ChannelRole => ({ role: 'leg', callId: CALLER, endpoint: 'PJSIP/alice', answered: true, bridged, ended: false, cancelled: false, cause: null });
    const channel = (destroyed as Extract<AriEvent, { type: 'ChannelDestroyed' }>).channel;
    const hold = (type: 'ChannelHold' | 'ChannelUnhold', id: string): AriEvent => ({ type, application: 'switchboard', timestamp: '2026-11-22T10:00:00.000+0000', channel: { ...channel, id } }) as AriEvent;
    for (const e of [hold('ChannelHold', 'leg-1'), hold('ChannelUnhold', 'leg-1')]) expect(swagger.validate(e, 'Event')).toEqual([]);
    const roles = callRole();
    roles.roles.set('leg-1', leg(true));
    expect(roles.run([hold('ChannelHold', 'leg-1'), hold('ChannelUnhold', 'leg-1')])).toMatchObject([
      { type: 'agent.leg.held', callId: CALLER, legId: 'leg-1', held: true },
      { type: 'agent.leg.held', callId: CALLER, legId: 'leg-1', held: false },
    ]);
    const notBridged = callRole();
    notBridged.roles.set('leg-1', leg(false));
    expect(notBridged.run([hold('ChannelHold', 'leg-1'), hold('ChannelHold', CALLER)])).toEqual([]);
  });

  it('ChannelDestroyed before StasisEnd (reordered) ends the call once, with its cause', () => {
    const roles = callRole();
    const busy = { ...(destroyed as Extract<AriEvent, { type: 'ChannelDestroyed' }>), cause: Q850.USER_BUSY };
    expect(roles.run([busy, stasisEnd as AriEvent])).toMatchObject([{ type: 'call.ended', reason: 'busy' }]);
  });

  it('ARI timestamps become ISO 8601 UTC', () => {
    expect(isoTime('2025-05-01T10:00:00.123+0000')).toBe('2025-05-01T10:00:00.123Z');
    expect(isoTime('2016-12-20T13:45:28.895-0600')).toBe('2016-12-20T19:45:28.895Z');
    expect(isoTime(undefined, () => new Date('2025-01-01T00:00:00Z'))).toBe('2025-01-01T00:00:00.000Z');
  });

  it('AdapterState drops an exact duplicate delivery but not the same digit pressed again', () => {
    const s = new AdapterState('pbx1', new Set());
    const d = dtmf as AriEvent;
    expect(s.isDuplicate(d)).toBe(false);
    expect(s.isDuplicate(structuredClone(d))).toBe(true);
    expect(s.isDuplicate({ ...d, timestamp: '2025-05-01T10:00:02.101+0000' } as AriEvent)).toBe(false);
  });
});

describe('hangup causes (Q.850, include/asterisk/causes.h) -> end reasons', () => {
  it.each([
    [0, 'caller', 'caller-hangup'],
    [16, 'caller', 'caller-hangup'],
    [16, 'agent', 'agent-hangup'],
    [31, 'agent', 'agent-hangup'],
    [17, 'agent', 'busy'],
    [21, 'agent', 'busy'],
    [18, 'agent', 'no-answer'],
    [19, 'agent', 'no-answer'],
    [26, 'agent', 'no-answer'],
    [1, 'agent', 'failed'],
    [34, 'agent', 'failed'],
    [38, 'caller', 'failed'],
    [127, 'agent', 'failed'],
  ] as const)('cause %i on the %s side -> %s', (cause, party, reason) => {
    expect(causeToEndReason(cause, party)).toBe(reason);
  });
});
