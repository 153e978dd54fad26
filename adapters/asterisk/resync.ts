/**
 * Resynchronizing after the events socket (re)opens. Asterisk keeps no events for
 * a disconnected application, so whatever happened meanwhile is read back:
 * GET /channels and GET /bridges (channels.json, bridges.json). Calls and legs we
 * knew that are gone end now; a leg that answered meanwhile is reported; calls
 * still in our application that we do not know (this process restarted) are
 * adopted as new calls, unless they are already bridged (talking: left alone);
 * legs of ours nobody waits for are hung up; playbacks that ended unseen are
 * settled; observe-mode subscriptions are renewed.
 *
 * Only what existed before the snapshot is judged, so a call that started while
 * the snapshot was being taken is not mistaken for a vanished one.
 */
import { AdapterError } from '../errors.js';
import type { Channel } from './ari/types.gen.js';
import type { AsteriskAdapter } from './asterisk-adapter.js';
import { callEndReason, LEG_ARG } from './mapper.js';

const now = (): string => new Date().toISOString();

/** The application a channel is in, and its Stasis arguments (from its dialplan location). */
export function stasisOf(ch: Channel): { app: string; args: string[] } | null {
  if (ch.dialplan.app_name !== 'Stasis') return null;
  const [app = '', ...args] = ch.dialplan.app_data.split(',');
  return { app, args };
}

export async function resync(h: AsteriskAdapter): Promise<void> {
  const s = h.state;
  const before = s.currentSeq;
  const [channels, bridges] = await Promise.all([h.rest.call('GET /channels'), h.rest.call('GET /bridges')]);
  const present = new Map(channels.map((c) => [c.id, c]));
  const bridged = new Set(bridges.flatMap((b) => b.channels));
  const base = { adapterId: h.id, at: now() };
  const mine = (c: Channel): boolean => stasisOf(c)?.app === h.opts.application;

  for (const leg of [...s.legs.values()]) {
    if (leg.seq > before || leg.ended) continue;
    const ch = present.get(leg.id);
    if (!ch) {
      if (leg.bridged) {
        // The agent hung up while we were away: the caller goes too.
        const call = s.calls.get(leg.callId);
        s.legs.delete(leg.id);
        s.tombstone(leg.id);
        if (call && !call.ended) {
          call.endRequest ??= 'agent';
          void h.hangupChannel(call.id);
        }
      } else {
        h.apply({ ...base, type: 'agent.leg.ended', callId: leg.callId, legId: leg.id, reason: leg.cancelled ? 'system-hangup' : 'failed' });
      }
    } else if (!leg.answered && mine(ch)) {
      h.apply({ ...base, type: 'agent.answered', callId: leg.callId, legId: leg.id });
    }
  }

  for (const call of [...s.calls.values()]) {
    if (call.seq > before || call.ended) continue;
    // A click-to-dial whose customer leg was never dialed has no channel yet.
    if (call.dial && !call.dial.originated) continue;
    const ch = present.get(call.id);
    if (!ch || (!mine(ch) && (call.answered || !call.outbound))) {
      h.apply({ ...base, type: 'call.ended', callId: call.id, reason: callEndReason(call.endRequest, call.cause) });
    } else if (!call.answered && ch.state === 'Up') {
      h.apply({ ...base, type: 'call.answered', callId: call.id });
    }
  }

  for (const o of [...s.observed.values()]) {
    if (o.seq > before || present.has(o.id)) continue;
    h.apply({ ...base, type: 'observed.ended', callId: o.callId, legId: o.id, endpoint: o.endpoint, reason: o.answered ? 'agent-hangup' : 'no-answer' });
  }

  for (const ch of channels) {
    const stasis = stasisOf(ch);
    if (!stasis || stasis.app !== h.opts.application || s.role(ch.id) || s.isEnded(ch.id)) continue;
    if (stasis.args[0] === LEG_ARG) {
      // One of our legs from before a restart: nobody waits for it, unless it is talking.
      if (!bridged.has(ch.id)) void h.hangupChannel(ch.id);
      continue;
    }
    if (bridged.has(ch.id)) {
      h.log.warn({ channelId: ch.id }, 'a bridged call from before a restart is left to Asterisk');
      continue;
    }
    h.log.info({ channelId: ch.id, ani: ch.caller.number }, 'adopting a call still in the application');
    h.apply({ ...base, type: 'call.started', callId: ch.id, ani: ch.caller.number, callerName: ch.caller.name || null, dnis: ch.dialplan.exten });
    if (ch.state === 'Up') h.apply({ ...base, type: 'call.answered', callId: ch.id });
  }

  // Playbacks that finished while we were away.
  await Promise.all(
    [...s.playbacks.values()].map(async (pb) => {
      try {
        await h.rest.call('GET /playbacks/{playbackId}', { path: { playbackId: pb.id } });
      } catch (err) {
        if (err instanceof AdapterError && err.httpStatus === 404) pb.settle({ completed: !pb.stopped });
      }
    }),
  );

  // Our bridges that lost their call (empty, named by us).
  for (const b of bridges) {
    if (b.name.startsWith('switchboard-') && b.channels.length === 0 && ![...s.calls.values()].some((c) => c.bridgeId === b.id)) {
      void h.rest.call('DELETE /bridges/{bridgeId}', { path: { bridgeId: b.id } }).catch(() => {});
    }
  }

  await subscribeObserved(h);
}

/** Observe mode: subscribe the application to each watched endpoint (idempotent; a missing endpoint is logged). */
export async function subscribeObserved(h: AsteriskAdapter): Promise<void> {
  for (const ep of h.opts.observeEndpoints) {
    try {
      await h.rest.call('POST /applications/{applicationName}/subscription', {
        path: { applicationName: h.opts.application },
        query: { eventSource: `endpoint:${ep}` },
      });
    } catch (err) {
      h.log.warn({ err, endpoint: ep }, 'observe mode: subscribing to an endpoint failed');
    }
  }
}
