/**
 * The REST operations the fake ARI server implements, keyed as the Swagger files
 * declare them (`METHOD /path`). Each answers as the declaration says: the
 * response class on success, the declared error codes with `{"message": ...}`.
 * A request that is valid by the Swagger files but not modelled here gets 501.
 */
import { mediaDurationMs } from './media.js';
import { ariNow, ASTERISK_ID, type FakeBridge, type FakeChannel, type FakePbx, type FakePlayback, type FakeRecording } from './pbx.js';
import type { ValidRequest } from './swagger.js';

export interface OpResult {
  status: number;
  body?: unknown;
}

type Handler = (req: ValidRequest) => OpResult | Promise<OpResult>;

const err = (status: number, message: string): OpResult => ({ status, body: { message } });
const NO_CONTENT: OpResult = { status: 204 };

/** ARI hangup `reason` -> Q.850 cause (channels.json hangup; Asterisk's ari/resource_channels.c). */
const HANGUP_REASON: Record<string, number> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 19, rejected: 21, unallocated: 1,
  normal_unspecified: 31, number_incomplete: 28, codec_mismatch: 58, interworking: 127, failure: 38, answered_elsewhere: 26,
};

export function operations(pbx: FakePbx): Map<string, Handler> {
  const ops = new Map<string, Handler>();
  const chan = (req: ValidRequest): FakeChannel | null => pbx.channels.get(req.path.channelId ?? '') ?? null;
  /** 404 when gone, 409 when not in a Stasis application (the errors channels.json declares for control operations). */
  const controlled = (req: ValidRequest): FakeChannel | OpResult => {
    const ch = chan(req);
    if (!ch) return err(404, 'Channel not found');
    if (!ch.stasis) return err(409, 'Channel not in a Stasis application');
    return ch;
  };
  const isResult = (x: FakeChannel | OpResult): x is OpResult => 'status' in x;

  ops.set('GET /asterisk/info', () => ({
    status: 200,
    body: {
      build: { os: 'Linux', kernel: '6.1.0', options: '', machine: 'x86_64', date: '2025-05-01 10:00:00 UTC', user: 'fake' },
      system: { version: '22.10.1', entity_id: ASTERISK_ID },
      config: { name: 'fake-ari', default_language: 'en', setid: { user: 'asterisk', group: 'asterisk' } },
      status: { startup_time: ariNow(), last_reload_time: ariNow() },
    },
  }));
  ops.set('GET /asterisk/ping', () => ({ status: 200, body: { asterisk_id: ASTERISK_ID, ping: 'pong', timestamp: ariNow() } }));

  ops.set('GET /channels', () => ({ status: 200, body: [...pbx.channels.values()].map((c) => pbx.snap(c)) }));
  ops.set('GET /channels/{channelId}', (req) => {
    const ch = chan(req);
    return ch ? { status: 200, body: pbx.snap(ch) } : err(404, 'Channel not found');
  });

  const originate: Handler = (req) => {
    const q = req.query;
    const id = req.path.channelId ?? q.channelId;
    if (id && pbx.channels.has(id)) return err(409, 'Channel with given unique ID already exists.');
    if (q.app && (q.extension || q.context || q.priority || q.label)) return err(400, "'app' is mutually exclusive with 'context', 'extension', 'priority' and 'label'");
    if (!q.app) return { status: 501, body: { message: 'fake ARI: originate into the dialplan is not modelled' } };
    const endpoint = q.endpoint ?? '';
    const [tech, resource] = endpoint.split('/');
    if (!tech || !resource) return err(400, 'Endpoint must be in the format tech/resource');
    const epKey = `${tech}/${resource.split('@')[0]}`;
    if (pbx.endpoints && !pbx.endpoints.has(epKey) && !resource.includes('@')) return err(400, `Endpoint ${endpoint} not found`);
    if (q.originator && !pbx.channels.has(q.originator)) return err(400, 'Provided originator channel was not found');
    const callerNumber = (q.callerId ?? '').replace(/^.*<(.*)>$/, '$1');
    const ch = pbx.createChannel({ ...(id ? { id } : {}), endpoint: epKey, state: 'Down', callerNumber, exten: 's' });
    ch.originate = { app: q.app, args: q.appArgs ? q.appArgs.split(',') : [] };
    ch.apps.add(q.app); // originate subscribes the app before dialing (ari/resource_channels.c)
    const snapshot = pbx.snap(ch);
    setImmediate(() => {
      if (!pbx.channels.has(ch.snap.id)) return;
      const dial = (dialstatus: string): void =>
        pbx.emit('Dial', { peer: pbx.snap(ch), dialstring: resource, dialstatus }, pbx.channelApps(ch));
      dial('');
      pbx.setState(ch, 'Ringing');
      dial('RINGING');
      const timeout = q.timeout === undefined ? 30 : Number(q.timeout);
      if (timeout > 0) {
        const t = setTimeout(() => {
          if (ch.snap.state === 'Up' || !pbx.channels.has(ch.snap.id)) return;
          dial('NOANSWER');
          pbx.hangup(ch, 19);
        }, timeout * 1000);
        t.unref();
        ch.timers.add(t);
      }
    });
    return { status: 200, body: snapshot };
  };
  ops.set('POST /channels', originate);
  ops.set('POST /channels/{channelId}', originate);

  ops.set('DELETE /channels/{channelId}', (req) => {
    const ch = chan(req);
    if (!ch) return err(404, 'Channel not found');
    if (req.query.reason && req.query.reason_code) return err(400, 'Only one of reason and reason_code may be given');
    const cause = req.query.reason_code ? Number(req.query.reason_code) : HANGUP_REASON[req.query.reason ?? 'normal'] ?? 16;
    if (Number.isNaN(cause)) return err(400, 'Invalid reason for hangup provided');
    pbx.hangup(ch, cause, { soft: true });
    return NO_CONTENT;
  });

  ops.set('POST /channels/{channelId}/answer', (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    pbx.setState(ch, 'Up');
    return NO_CONTENT;
  });

  const play: Handler = async (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    const id = req.path.playbackId ?? req.query.playbackId ?? `pb-${pbx.nextId()}`;
    if (pbx.playbacks.has(id)) return err(409, 'A playback with this id already exists');
    const media = req.query.media ?? '';
    const pb: FakePlayback = {
      snap: { id, media_uri: media.split(',')[0] ?? media, target_uri: `channel:${ch.snap.id}`, language: req.query.lang ?? ch.snap.language, state: 'queued' },
      channelId: ch.snap.id,
      timer: null,
    };
    pbx.playbacks.set(id, pb);
    ch.playbacks.push(id);
    const reply = { status: 201, body: structuredClone(pb.snap) };
    if (ch.playbacks[0] === id) await startQueued(pb, media);
    return reply;
  };
  /** Resolves the media (an HTTP sound is fetched first, as res_http_media_cache does) and starts it. */
  const startQueued = async (pb: FakePlayback, media = pb.snap.media_uri): Promise<void> => {
    const uris = media.split(',');
    const local = uris.every((u) => !/^sound:https?:/.test(u));
    const measure = async (): Promise<number | null> => {
      let total = 0;
      for (const u of uris) {
        const ms = await mediaDurationMs(u, pbx.sounds);
        if (ms === null) return null;
        total += ms;
      }
      return total;
    };
    if (local) pbx.startPlayback(pb, await measure()); // files start before the 201 goes out
    else void measure().then((ms) => pbx.startPlayback(pb, ms)); // an HTTP fetch starts after it
  };
  pbx.onQueuedPlaybackReady = (pb) => void startQueued(pb);
  ops.set('POST /channels/{channelId}/play', play);
  ops.set('POST /channels/{channelId}/play/{playbackId}', play);

  ops.set('GET /playbacks/{playbackId}', (req) => {
    const pb = pbx.playbacks.get(req.path.playbackId ?? '');
    return pb ? { status: 200, body: structuredClone(pb.snap) } : err(404, 'The playback cannot be found');
  });
  ops.set('DELETE /playbacks/{playbackId}', (req) => {
    const id = req.path.playbackId ?? '';
    if (!pbx.playbacks.has(id)) return err(404, 'The playback cannot be found');
    pbx.finishPlayback(id, 'done');
    return NO_CONTENT;
  });

  ops.set('POST /channels/{channelId}/moh', (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    ch.moh = true;
    return NO_CONTENT;
  });
  ops.set('DELETE /channels/{channelId}/moh', (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    ch.moh = false;
    return NO_CONTENT;
  });

  ops.set('POST /channels/{channelId}/continue', (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    if (ch.bridgeId) pbx.leaveBridge(ch);
    const dp = ch.snap.dialplan;
    ch.snap.dialplan = { ...dp, context: req.query.context ?? dp.context, exten: req.query.extension ?? dp.exten, priority: Number(req.query.priority ?? 1), app_name: 'Dial', app_data: '' };
    pbx.leaveStasis(ch);
    pbx.continued.push({ channelId: ch.snap.id, context: ch.snap.dialplan.context, extension: ch.snap.dialplan.exten });
    return NO_CONTENT;
  });

  ops.set('POST /channels/{channelId}/record', (req) => {
    const ch = controlled(req);
    if (isResult(ch)) return ch;
    const q = req.query;
    const name = q.name ?? '';
    if (q.format !== 'wav' && q.format !== 'gsm') return err(422, 'The format specified is unknown on this system');
    if (pbx.recordings.has(name) || (pbx.stored.has(name) && (q.ifExists ?? 'fail') === 'fail')) return err(409, 'A recording with the same name already exists on the system');
    const rec: FakeRecording = {
      snap: { name, format: q.format, target_uri: `channel:${ch.snap.id}`, state: 'recording' },
      channelId: ch.snap.id,
      terminateOn: q.terminateOn ?? 'none',
      startedMs: Date.now(),
      timer: null,
    };
    const max = Number(q.maxDurationSeconds ?? 0);
    if (max > 0) {
      rec.timer = setTimeout(() => pbx.finishRecording(name, 'done'), max * 1000);
      rec.timer.unref();
    }
    pbx.recordings.set(name, rec);
    pbx.emit('RecordingStarted', { recording: structuredClone(rec.snap) }, pbx.channelApps(ch));
    return { status: 201, body: structuredClone(rec.snap) };
  });
  ops.set('POST /recordings/live/{recordingName}/stop', (req) => {
    const name = req.path.recordingName ?? '';
    if (!pbx.recordings.has(name)) return err(404, 'Recording not found');
    pbx.finishRecording(name, 'done');
    return NO_CONTENT;
  });

  ops.set('GET /bridges', () => ({ status: 200, body: [...pbx.bridges.values()].map((b) => structuredClone(b.snap)) }));
  const createBridge: Handler = (req) => {
    const id = req.path.bridgeId ?? req.query.bridgeId ?? `br-${pbx.nextId()}`;
    if (pbx.bridges.has(id)) return err(409, 'Bridge with the same bridgeId already exists');
    const types = (req.query.type ?? 'mixing').split(',');
    const b: FakeBridge = {
      snap: {
        id, technology: 'simple_bridge', bridge_type: types.includes('holding') ? 'holding' : 'mixing', bridge_class: 'stasis',
        creator: 'Stasis', name: req.query.name ?? '', channels: [], creationtime: ariNow(), video_mode: 'none',
      },
      apps: new Set(pbx.connectedApps),
    };
    pbx.bridges.set(id, b);
    return { status: 200, body: structuredClone(b.snap) };
  };
  ops.set('POST /bridges', createBridge);
  ops.set('POST /bridges/{bridgeId}', createBridge);
  ops.set('GET /bridges/{bridgeId}', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    return b ? { status: 200, body: structuredClone(b.snap) } : err(404, 'Bridge not found');
  });
  ops.set('DELETE /bridges/{bridgeId}', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return err(404, 'Bridge not found');
    pbx.destroyBridge(b);
    return NO_CONTENT;
  });
  ops.set('POST /bridges/{bridgeId}/addChannel', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return err(404, 'Bridge not found');
    const chans = (req.query.channel ?? '').split(',').map((id) => pbx.channels.get(id));
    if (chans.some((c) => !c)) return err(400, 'Channel not found');
    if (chans.some((c) => !c?.stasis)) return err(422, 'Channel not in Stasis application');
    for (const c of chans as FakeChannel[]) {
      c.moh = false;
      pbx.joinBridge(c, b);
    }
    return NO_CONTENT;
  });
  ops.set('POST /bridges/{bridgeId}/removeChannel', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return err(404, 'Bridge not found');
    const chans = (req.query.channel ?? '').split(',').map((id) => pbx.channels.get(id));
    if (chans.some((c) => !c)) return err(400, 'Channel not found');
    if (chans.some((c) => c?.bridgeId !== b.snap.id)) return err(422, 'Channel not in this bridge');
    for (const c of chans as FakeChannel[]) pbx.leaveBridge(c);
    return NO_CONTENT;
  });

  const application = (name: string): OpResult => {
    const subs = pbx.endpointSubs.get(name) ?? new Set<string>();
    const channelIds = [...pbx.channels.values()].filter((c) => c.apps.has(name)).map((c) => c.snap.id);
    return {
      status: 200,
      body: { name, channel_ids: channelIds, bridge_ids: [...pbx.bridges.values()].filter((b) => b.apps.has(name)).map((b) => b.snap.id), endpoint_ids: [...subs], device_names: [], events_allowed: [], events_disallowed: [] },
    };
  };
  ops.set('GET /applications/{applicationName}', (req) => {
    const name = req.path.applicationName ?? '';
    return pbx.connectedApps.has(name) ? application(name) : err(404, 'Application does not exist.');
  });
  const subscription = (subscribe: boolean): Handler => (req) => {
    const name = req.path.applicationName ?? '';
    if (!pbx.connectedApps.has(name)) return err(404, 'Application does not exist.');
    const sources = (req.query.eventSource ?? '').split(',');
    const subs = pbx.endpointSubs.get(name) ?? new Set<string>();
    for (const src of sources) {
      const m = /^endpoint:(.+)$/.exec(src);
      if (!m) return { status: 501, body: { message: `fake ARI: only endpoint: event sources are modelled, not ${src}` } };
      const ep = m[1] as string;
      if (!ep.includes('/') || (pbx.endpoints && !pbx.endpoints.has(ep))) return err(422, 'Event source does not exist.');
    }
    for (const src of sources) {
      const ep = src.slice('endpoint:'.length);
      if (subscribe) subs.add(ep);
      else subs.delete(ep);
    }
    pbx.endpointSubs.set(name, subs);
    return application(name);
  };
  ops.set('POST /applications/{applicationName}/subscription', subscription(true));
  ops.set('DELETE /applications/{applicationName}/subscription', subscription(false));

  ops.set('GET /endpoints', () => ({
    status: 200,
    body: [...(pbx.endpoints ?? new Set(['PJSIP/trunk']))].map((ep) => {
      const [technology = '', resource = ''] = ep.split('/');
      return { technology, resource, state: 'online', channel_ids: [...pbx.channels.values()].filter((c) => c.endpoint === ep).map((c) => c.snap.id) };
    }),
  }));

  return ops;
}

