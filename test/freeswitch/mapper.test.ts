/**
 * The pure ESL -> normalized event mapper, against fixture event sequences
 * (test/fixtures/esl-events, each read through the same event-json fix-ups as the
 * wire), and the hangup-cause mapping.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PbxEvent } from '../../adapters/events.js';
import { EslEvent, jsonEvent } from '../../adapters/freeswitch/esl/messages.js';
import { causeToEndReason, originateCause } from '../../adapters/freeswitch/hangup-cause.js';
import { dtmfDurationMs, eventTime, mapEslEvent, type ChannelRole, type MapperView } from '../../adapters/freeswitch/mapper.js';
import { AdapterState } from '../../adapters/freeswitch/state.js';

function fixture(name: string): EslEvent[] {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/esl-events/${name}`, import.meta.url), 'utf8')) as unknown[];
  return raw.map((obj) => {
    const m = jsonEvent(JSON.stringify(obj));
    if (m.type !== 'event') throw new Error(`${name}: ${m.type}`);
    return m.event;
  });
}

/** A view over a role table, updated by the events the mapper returns (what the adapter does, minus I/O). */
class Roles {
  readonly roles = new Map<string, ChannelRole>();
  readonly ended = new Set<string>();
  view(): MapperView {
    return { adapterId: 'fs1', application: 'switchboard', channel: (id) => this.roles.get(id), isEnded: (id) => this.ended.has(id) };
  }
  run(events: EslEvent[]): PbxEvent[] {
    const out: PbxEvent[] = [];
    for (const e of events) {
      for (const m of mapEslEvent(e, this.view())) {
        out.push(m);
        this.apply(m);
      }
    }
    return out;
  }
  private apply(m: PbxEvent): void {
    const id = 'legId' in m && m.type !== 'call.connected' ? m.legId : m.callId;
    const r = this.roles.get(id);
    if (m.type === 'call.started') this.roles.set(m.callId, { role: 'call', answered: false, ended: false, endRequest: null });
    else if (r && (m.type === 'call.answered' || m.type === 'agent.answered')) r.answered = true;
    else if (r && (m.type === 'call.ended' || m.type === 'agent.leg.ended')) {
      r.ended = true;
      this.ended.add(id);
    }
  }
}

const CALLER = '2a1b6c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const LEG = '7c5d4a57-0d8f-4f0e-9a53-3c6b7b0a9e11';
const leg = (): ChannelRole => ({ role: 'leg', callId: CALLER, endpoint: 'user/alice@pbx.example', answered: false, bridged: false, ended: false, cancelled: false });

describe('the ESL mapper on fixture sequences', () => {
  it('an inbound call: started (ANI verbatim, DNIS the destination number), answered, one digit, ended by the caller', () => {
    const out = new Roles().run(fixture('inbound-call.json'));
    expect(out).toEqual([
      { type: 'call.started', adapterId: 'fs1', at: '2025-05-01T10:00:00.175Z', callId: CALLER, ani: '+14155550123', callerName: null, dnis: '+18005550100' },
      { type: 'call.answered', adapterId: 'fs1', at: '2025-05-01T10:00:00.212Z', callId: CALLER },
      { type: 'call.dtmf', adapterId: 'fs1', at: '2025-05-01T10:00:00.286Z', callId: CALLER, digit: '1', durationMs: 120 },
      { type: 'call.ended', adapterId: 'fs1', at: '2025-05-01T10:00:00.360Z', callId: CALLER, reason: 'caller-hangup' },
    ]);
  });

  it('replayed twice, the second pass maps to nothing (duplicates are harmless)', () => {
    const roles = new Roles();
    const events = fixture('inbound-call.json');
    roles.run(events);
    expect(roles.run(events)).toEqual([]);
  });

  it('an agent leg: CHANNEL_ANSWER alone is not the answer; its CHANNEL_PARK (after &park()) is', () => {
    const roles = new Roles();
    roles.roles.set(LEG, leg());
    const events = fixture('agent-leg-answered.json');
    expect(roles.run(events.slice(0, 2))).toEqual([]);
    expect(roles.run(events)).toEqual([{ type: 'agent.answered', adapterId: 'fs1', at: expect.any(String), callId: CALLER, legId: LEG }]);
  });

  it('a rejected leg ends busy (CALL_REJECTED), once; cancelled by us it ends system-hangup', () => {
    const roles = new Roles();
    roles.roles.set(LEG, leg());
    expect(roles.run(fixture('agent-leg-rejected.json'))).toEqual([{ type: 'agent.leg.ended', adapterId: 'fs1', at: expect.any(String), callId: CALLER, legId: LEG, reason: 'busy' }]);
    const cancelled = new Roles();
    cancelled.roles.set(LEG, { ...leg(), cancelled: true } as ChannelRole);
    expect(cancelled.run(fixture('agent-leg-rejected.json'))).toMatchObject([{ type: 'agent.leg.ended', reason: 'system-hangup' }]);
  });

  it('a bridged leg hanging up maps to nothing (the adapter ends the call); a call hung up at our request says why', () => {
    const roles = new Roles();
    roles.roles.set(LEG, { ...leg(), answered: true, bridged: true } as ChannelRole);
    expect(roles.run(fixture('agent-leg-rejected.json'))).toEqual([]);
    const ours = new Roles();
    const events = fixture('inbound-call.json');
    ours.run(events.slice(0, 3));
    (ours.roles.get(CALLER) as { endRequest: string | null }).endRequest = 'system';
    expect(ours.run(events.slice(3)).at(-1)).toMatchObject({ type: 'call.ended', reason: 'system-hangup' });
  });

  it('the agent\'s phone holding or resuming its bridged leg: agent.leg.held; not for a leg not bridged, nor the caller', () => {
    const holdOf = (name: string, id: string): EslEvent => {
      const m = jsonEvent(JSON.stringify({ 'Event-Name': name, 'Unique-ID': id, 'Event-Date-Timestamp': '1763800000000000', 'Core-UUID': 'c', 'Event-Sequence': String(Math.random()).slice(2) }));
      if (m.type !== 'event') throw new Error(m.type);
      return m.event;
    };
    const roles = new Roles();
    roles.roles.set(LEG, { ...leg(), answered: true, bridged: true } as ChannelRole);
    expect(roles.run([holdOf('CHANNEL_HOLD', LEG), holdOf('CHANNEL_UNHOLD', LEG)])).toMatchObject([
      { type: 'agent.leg.held', callId: CALLER, legId: LEG, held: true },
      { type: 'agent.leg.held', callId: CALLER, legId: LEG, held: false },
    ]);
    const ringing = new Roles();
    ringing.roles.set(LEG, leg());
    ringing.roles.set(CALLER, { role: 'call', answered: true, ended: false, endRequest: null } as ChannelRole);
    expect(ringing.run([holdOf('CHANNEL_HOLD', LEG), holdOf('CHANNEL_HOLD', CALLER)])).toEqual([]);
  });

  it('calls parked without switchboard_app, or for another application, are not ours', () => {
    expect(new Roles().run(fixture('foreign-calls.json'))).toEqual([]);
  });

  it('the dialplan answered before parking: started and answered at once', () => {
    const [, park] = fixture('inbound-call.json');
    const answered = new EslEvent({ ...park!.headers, 'Answer-State': 'answered' }, null);
    expect(new Roles().run([answered]).map((e) => e.type)).toEqual(['call.started', 'call.answered']);
  });
});

describe('event fields', () => {
  it('Event-Date-Timestamp (microseconds) -> ISO; DTMF-Duration (8 kHz samples) -> ms', () => {
    const e = fixture('inbound-call.json')[0]!;
    expect(eventTime(e)).toBe('2025-05-01T10:00:00.138Z');
    expect(eventTime(new EslEvent({ 'Event-Name': 'X' }, null), () => new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect([dtmfDurationMs('2000'), dtmfDurationMs('960'), dtmfDurationMs(undefined), dtmfDurationMs('x')]).toEqual([250, 120, null, null]);
  });

  it('drops an event seen twice (same Core-UUID and Event-Sequence), never one without a sequence', () => {
    const state = new AdapterState('fs1', 'switchboard');
    const [a, b] = fixture('inbound-call.json');
    expect([state.isDuplicate(a!), state.isDuplicate(b!), state.isDuplicate(a!)]).toEqual([false, false, true]);
    const bare = new EslEvent({ 'Event-Name': 'DTMF' }, null);
    expect([state.isDuplicate(bare), state.isDuplicate(bare)]).toEqual([false, false]);
  });
});

describe('hangup causes (FreeSWITCH hangup cause table names)', () => {
  it.each([
    ['NORMAL_CLEARING', 'caller', 'caller-hangup'],
    ['NORMAL_CLEARING', 'agent', 'agent-hangup'],
    [null, 'caller', 'caller-hangup'],
    ['USER_BUSY', 'agent', 'busy'],
    ['CALL_REJECTED', 'agent', 'busy'],
    ['NO_ANSWER', 'agent', 'no-answer'],
    ['NO_USER_RESPONSE', 'agent', 'no-answer'],
    ['USER_NOT_REGISTERED', 'agent', 'no-answer'],
    ['ALLOTTED_TIMEOUT', 'agent', 'no-answer'],
    ['LOSE_RACE', 'agent', 'no-answer'],
    ['ORIGINATOR_CANCEL', 'agent', 'system-hangup'],
    ['MANAGER_REQUEST', 'caller', 'system-hangup'],
    ['BLIND_TRANSFER', 'caller', 'transferred'],
    ['UNALLOCATED_NUMBER', 'agent', 'failed'],
    ['NORMAL_TEMPORARY_FAILURE', 'agent', 'failed'],
    ['MEDIA_TIMEOUT', 'caller', 'failed'],
    ['GATEWAY_DOWN', 'agent', 'failed'],
    ['SOMETHING_NEW', 'agent', 'failed'],
  ] as const)('%s (%s) -> %s', (cause, party, reason) => {
    expect(causeToEndReason(cause, party)).toBe(reason);
  });

  it('reads the cause of a failed originate job', () => {
    expect([originateCause('-ERR USER_BUSY\n'), originateCause('+OK 7c5d\n'), originateCause('-ERR Cannot create')]).toEqual(['USER_BUSY', null, null]);
  });
});
