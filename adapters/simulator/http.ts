/**
 * The simulator's control API, for people (the `/phone` page) and tests:
 * a caller dials, presses keys, hangs up, and follows what the IVR says.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../connector/errors.js';
import { parseOrThrow } from '../../connector/http/validate.js';
import type { SimulatorAdapter } from './simulator-adapter.js';

export const startBody = z.strictObject({
  // A PBX may present anything as the caller id (withheld callers send `anonymous`),
  // so `from` is any short string; normalization decides what it means.
  from: z.string({ error: 'required' }).max(64, { error: 'at most 64 characters' }),
  to: z.string({ error: 'required' }).min(1, { error: 'required' }).max(64, { error: 'at most 64 characters' }),
  /** Which simulator, when several are configured; the first by default. */
  adapterId: z.string().max(64).optional(),
  /** STIR/SHAKEN attestation the simulated carrier reports for `from` (A, B or C); none by default. */
  attestation: z.enum(['A', 'B', 'C'], { error: 'expected A, B or C' }).optional(),
});

export const digitsBody = z.strictObject({
  digits: z
    .string({ error: 'required' })
    .regex(/^[0-9*#A-D]{1,32}$/, { error: 'expected 1-32 DTMF keys: 0-9, *, #, A-D' }),
});

export function simulatorRoutes(sims: readonly SimulatorAdapter[]): Router {
  const r = Router();
  const find = (callId: string): SimulatorAdapter => {
    const sim = sims.find((s) => s.hasCall(callId));
    if (!sim) throw new AppError('CALL_NOT_FOUND', `No simulated call ${callId}.`);
    return sim;
  };
  const param = (v: unknown): string => (typeof v === 'string' ? v : '');

  r.post('/api/simulator/calls', (req, res) => {
    const body = parseOrThrow(startBody, req.body, 'call');
    const sim = body.adapterId ? sims.find((s) => s.id === body.adapterId) : sims[0];
    if (!sim) throw new AppError('VALIDATION_FAILED', 'No such simulator.', { fields: { adapterId: ['no simulator with this id'] } });
    const callId = sim.startCall(body.from, body.to, body.attestation ? { attestation: body.attestation } : {});
    res.status(201).location(`/api/simulator/calls/${callId}`).json({ callId });
  });

  r.post('/api/simulator/calls/:callId/digits', (req, res) => {
    const callId = param(req.params.callId);
    const sim = find(callId);
    const { digits } = parseOrThrow(digitsBody, req.body, 'digits');
    sim.sendDigits(callId, digits);
    res.status(202).json({ callId, digits });
  });

  r.post('/api/simulator/calls/:callId/hangup', (req, res) => {
    const callId = param(req.params.callId);
    const sim = find(callId);
    if (!sim.transcript(callId).ended) sim.callerHangup(callId);
    res.status(202).json({ callId });
  });

  r.get('/api/simulator/calls/:callId', (req, res) => {
    const callId = param(req.params.callId);
    res.json({ callId, transcript: find(callId).transcript(callId).entries });
  });

  // Server-Sent Events: the history, then live entries; closes after the call ends.
  r.get('/api/simulator/calls/:callId/events', (req, res: Response) => {
    const callId = param(req.params.callId);
    const transcript = find(callId).transcript(callId);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    const stop = transcript.follow((entry) => {
      if (closed) return;
      res.write(`data: ${JSON.stringify(entry)}\n\n`);
      if (entry.type === 'call.ended') {
        closed = true;
        queueMicrotask(() => res.end());
      }
    });
    req.on('close', () => {
      closed = true;
      stop();
    });
  });

  return r;
}
