/**
 * `POST /api/cti/events`: call events from PBXs that can send an HTTP request.
 * Each PBX authenticates with its own bearer token, or signs the body with its
 * own HMAC key and names itself in `X-Switchboard-Pbx`. Every request is
 * validated; a rejected one changes nothing.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../connector/errors.js';
import { parseOrThrow } from '../../connector/http/validate.js';
import type { HttpCtiAdapter } from './adapter.js';
import { checkBearer, checkSignature } from './auth.js';

const short = z.string().min(1).max(64);

export const ctiEventBody = z.strictObject({
  event: z.enum(['newCall', 'ringing', 'answer', 'hangup'], { error: 'expected newCall, ringing, answer or hangup' }),
  callId: z.string({ error: 'required' }).min(1, { error: 'required' }).max(200),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  direction: z.enum(['inbound', 'outbound'], { error: 'expected inbound or outbound' }).optional(),
  agent: short.optional(),
  extension: short.optional(),
  queue: short.optional(),
  cause: short.optional(),
  eventId: z.string().min(1).max(200).optional(),
  /** When the PBX saw it; informational. */
  timestamp: z.union([z.string().max(64), z.number()]).optional(),
});

export interface CtiPbx {
  adapter: HttpCtiAdapter;
  auth: 'bearer' | 'hmac';
  secret: string;
}

/** `pbxs` is asked on every request: HTTP PBXs can be added and removed at run time. */
export function ctiRoutes(current: () => readonly CtiPbx[]): Router {
  const r = Router();
  r.post('/api/cti/events', express.text({ type: () => true, limit: '64kb' }), (req, res) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const pbxs = current();
    // Which PBX: named for HMAC, found by its token for bearer.
    const named = req.header('x-switchboard-pbx');
    const pbx = named
      ? pbxs.find((p) => p.adapter.id === named && p.auth === 'hmac')
      : pbxs.find((p) => p.auth === 'bearer' && checkBearer(p.secret, req.header('authorization')).ok);
    if (!pbx) throw new AppError('UNAUTHORIZED', named ? `No HMAC-signed PBX "${named}".` : 'A PBX bearer token is required.');
    if (pbx.auth === 'hmac') {
      const ok = checkSignature(pbx.secret, { signature: req.header('x-switchboard-signature'), timestamp: req.header('x-switchboard-timestamp') }, raw);
      if (!ok.ok) throw new AppError('UNAUTHORIZED', `Signature refused: ${ok.reason}.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new AppError('INVALID_JSON');
    }
    const event = parseOrThrow(ctiEventBody, json, 'event');
    const out = pbx.adapter.receive(event);
    if (out.status === 'unknown-call') throw new AppError('CALL_NOT_FOUND', out.message);
    res.status(out.status === 'accepted' ? 202 : 200).json({ status: out.status, callId: event.callId });
  });
  return r;
}
