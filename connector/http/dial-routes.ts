/**
 * `POST /api/calls/dial` (click-to-dial): `{ "number": "+14155550123" }` with the
 * agent's bearer token rings the agent's phone, then the number. 202 with the
 * call id once the agent's phone rings; the call then shows in the widget like an
 * inbound one (pop, connected, ended, case form).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionStoreLike } from '../auth/session-store.js';
import type { ClickToDial } from '../calls/click-to-dial.js';
import { requireAgent } from './auth-routes.js';
import { parseOrThrow } from './validate.js';

const DialBody = z.strictObject({
  number: z.string().trim().min(2, { error: 'expected a phone number' }).max(40, { error: 'expected a phone number' }),
  /** Which adapter places the call (default: the first one that can). */
  adapterId: z.string().min(1).max(64).optional(),
});

export function dialRoutes(deps: { dialer: ClickToDial; sessions: SessionStoreLike }): Router {
  const r = Router();
  r.post('/api/calls/dial', requireAgent(deps.sessions), async (req, res) => {
    const body = parseOrThrow(DialBody, req.body, 'dial request');
    const placed = await deps.dialer.dial(res.locals.username as string, body.number, body.adapterId);
    res.status(202).json(placed);
  });
  return r;
}
