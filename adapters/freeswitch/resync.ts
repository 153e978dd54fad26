/**
 * Resynchronizing after every (re)connection. FreeSWITCH keeps no events for a
 * closed socket, so what happened meanwhile is read back with `api show channels
 * as json` (mod_commands.c show: `{"row_count":N,"rows":[{"uuid":...,"direction":
 * ...,"cid_num":...,"dest":...,"application":...,"callstate":...}]}`, only
 * `{"row_count":0}` when there is none):
 *
 * - calls and legs we knew that are gone end now (a bridged agent gone hangs the
 *   caller up); a caller or leg answered meanwhile is reported;
 * - media queued before that no longer plays (the channel is back in `park`) ends;
 * - calls parked for Switchboard that we do not know (this process restarted, or
 *   the call arrived while we were away) are adopted: inbound, in `park`, and
 *   `uuid_getvar <uuid> switchboard_app` names our application;
 * - legs of ours nobody waits for (outbound, in `park`, with `switchboard_leg` set)
 *   are hung up.
 *
 * Only what existed before the snapshot is judged, so a call that started while it
 * was being taken is not mistaken for a vanished one.
 */
import { AdapterError } from '../errors.js';
import type { EslConnection } from './esl/connection.js';
import type { FreeSwitchAdapter } from './freeswitch-adapter.js';
import { killChannel } from './legs.js';
import { APP_VARIABLE, callEndReason, LEG_VARIABLE } from './mapper.js';
import { mediaLost } from './media.js';

/** One row of `show channels as json` (the columns we read; all strings). */
export interface ChannelRow {
  uuid: string;
  direction: string;
  cid_name: string;
  cid_num: string;
  dest: string;
  application: string;
  callstate: string;
}

/** `show channels as json` output -> rows. Throws on output that is not that shape. */
export function parseChannels(text: string): ChannelRow[] {
  const raw = JSON.parse(text) as { row_count?: unknown; rows?: unknown };
  if (typeof raw !== 'object' || raw === null || typeof raw.row_count !== 'number') throw new Error('not the output of show channels as json');
  if (raw.row_count === 0 || raw.rows === undefined) return [];
  if (!Array.isArray(raw.rows)) throw new Error('show channels: rows is not a list');
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
  return raw.rows.map((r: Record<string, unknown>) => ({
    uuid: str(r.uuid),
    direction: str(r.direction),
    cid_name: str(r.cid_name),
    cid_num: str(r.cid_num),
    dest: str(r.dest),
    application: str(r.application),
    callstate: str(r.callstate),
  }));
}

/** Answered, as `callstate` says it (switch_channel_callstate2str). */
const UP = new Set(['ACTIVE', 'HELD', 'UNHELD']);

export async function resync(h: FreeSwitchAdapter, conn: EslConnection): Promise<void> {
  const s = h.state;
  const before = s.currentSeq;
  const api = async (command: string): Promise<string> => {
    const r = await conn.api(command, h.opts.requestTimeoutMs);
    if (typeof r !== 'string') throw h.failure(r);
    return r;
  };
  let rows: ChannelRow[];
  try {
    rows = parseChannels(await api('show channels as json'));
  } catch (err) {
    if (err instanceof AdapterError) throw err;
    throw new AdapterError('PBX_REJECTED', `show channels as json: ${(err as Error).message}`, { adapterId: h.id, cause: err });
  }
  const present = new Map(rows.map((r) => [r.uuid, r]));
  const base = { adapterId: h.id, at: new Date().toISOString() };

  for (const leg of [...s.legs.values()]) {
    if (leg.seq > before || leg.ended) continue;
    const row = present.get(leg.id);
    if (!row) {
      if (leg.bridged) h.bridgedLegEnded(leg.id);
      else h.apply({ ...base, type: 'agent.leg.ended', callId: leg.callId, legId: leg.id, reason: leg.cancelled ? 'system-hangup' : 'failed' });
      continue;
    }
    leg.created = true;
    if (leg.cancelled) void killChannel(h, leg.id, 'ORIGINATOR_CANCEL');
    else if (!leg.answered && UP.has(row.callstate)) h.apply({ ...base, type: 'agent.answered', callId: leg.callId, legId: leg.id });
  }

  for (const call of [...s.calls.values()]) {
    if (call.seq > before || call.ended) continue;
    const row = present.get(call.id);
    if (!row) {
      h.apply({ ...base, type: 'call.ended', callId: call.id, reason: callEndReason(call.endRequest, null) });
      continue;
    }
    if (!call.answered && UP.has(row.callstate)) h.apply({ ...base, type: 'call.answered', callId: call.id });
    mediaLost(h, call, row.application, before);
  }

  for (const row of rows) {
    if (row.application !== 'park' || s.role(row.uuid) || s.isEnded(row.uuid)) continue;
    if (row.direction === 'inbound') {
      if ((await api(`uuid_getvar ${row.uuid} ${APP_VARIABLE}`).catch(() => '')).trim() !== h.opts.application) continue;
      if (s.role(row.uuid) || s.isEnded(row.uuid)) continue; // its CHANNEL_PARK came meanwhile
      h.log.info({ callId: row.uuid, ani: row.cid_num }, 'adopting a call parked for Switchboard');
      h.apply({ ...base, type: 'call.started', callId: row.uuid, ani: row.cid_num, callerName: row.cid_name || null, dnis: row.dest });
      if (UP.has(row.callstate)) h.apply({ ...base, type: 'call.answered', callId: row.uuid });
    } else if (row.direction === 'outbound') {
      const owner = (await api(`uuid_getvar ${row.uuid} ${LEG_VARIABLE}`).catch(() => '_undef_')).trim();
      // One of our legs from before a restart: nobody waits for it.
      if (owner && owner !== '_undef_' && !s.role(row.uuid)) void killChannel(h, row.uuid, 'ORIGINATOR_CANCEL');
    }
  }
}
