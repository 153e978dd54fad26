/**
 * The webhook routes Twilio calls, under `webhookPath` (default `/twilio/<id>`):
 *
 * | route                 | configured where                       | what                                   |
 * | --------------------- | -------------------------------------- | -------------------------------------- |
 * | `/voice`              | the number (or TwiML App) voice URL    | a new call                             |
 * | `/status`             | the number's status callback URL       | the caller's call ended                |
 * | `/next?d=<n>`         | our documents' `action`s               | document n ended (keys, queue left)    |
 * | `/wait?d=<n>`         | our `<Enqueue waitUrl>`                | what a queued caller hears next        |
 * | `/agent?leg=<id>`     | `Url` of the agent legs we create      | the agent answered                     |
 * | `/leg-status?leg=<id>`| `StatusCallback` of those legs         | an agent leg rang, ended               |
 *
 * Every request's `X-Twilio-Signature` is checked before anything else, over the
 * public URL Twilio requested (`publicUrl` + the path and query as received, so a
 * reverse proxy in front changes nothing) and the raw body: a bad or missing
 * signature is `403` and nothing is acted on. The router reads the raw body itself,
 * so it MUST be mounted before any body parser.
 */
import express, { Router, type Request, type Response } from 'express';
import { param, type Params } from './mapper.js';
import type { AdapterLog, TwilioAdapterOptions } from './options.js';
import { parseForm, SIGNATURE_HEADER, verifySignature } from './signature.js';

/** What the routes need from the adapter. */
export interface WebhookHost {
  readonly id: string;
  readonly opts: TwilioAdapterOptions;
  readonly log: AdapterLog;
  readonly accepting: boolean;
  onVoice(p: Params, res: Response): Promise<void> | void;
  onNext(p: Params, seq: number, res: Response): Promise<void> | void;
  onWait(p: Params, seq: number, res: Response): Promise<void> | void;
  onStatus(p: Params, res: Response): void;
  onAgentAnswered(p: Params, legId: string, res: Response): void;
  onLegStatus(p: Params, legId: string, res: Response): void;
}

type Handler = (p: Params, req: Request, res: Response) => Promise<void> | void;

const SEQ = /^[1-9][0-9]{0,9}$/;
const LEG = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function query(req: Request, name: string): string {
  const v = new URL(req.originalUrl, 'http://x').searchParams.get(name);
  return v ?? '';
}

/** A JSON body's top-level values as parameters (strings). */
function jsonParams(raw: Buffer): Map<string, string[]> | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.set(k, [String(v)]);
  }
  return out;
}

/**
 * The request's parameters, or null when its signature does not hold. Form posts
 * are signed with their parameters; JSON bodies with `bodySHA256` in the URL; a GET
 * (a number configured with HTTP GET) with its query, which is part of the URL.
 */
export function checkedParams(req: Request, authToken: string, publicUrl: string): Params | null {
  const url = `${publicUrl.replace(/\/+$/, '')}${req.originalUrl}`;
  const signature = req.get(SIGNATURE_HEADER);
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (req.method === 'POST' && /^application\/json\b/i.test(req.get('content-type') ?? '')) {
    if (!verifySignature(authToken, signature, url, { rawBody: raw })) return null;
    return jsonParams(raw);
  }
  const form = req.method === 'POST' ? parseForm(raw.toString('utf8')) : new Map<string, string[]>();
  if (!verifySignature(authToken, signature, url, { params: form })) return null;
  if (req.method !== 'POST') return parseForm(new URL(url).search);
  return form;
}

export function webhookRouter(h: WebhookHost): Router {
  const r = Router();
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const needSeq = (fn: (p: Params, seq: number, res: Response) => Promise<void> | void): Handler => (p, req, res) => {
    const d = query(req, 'd');
    if (!SEQ.test(d)) return void res.status(400).type('text/plain').send('expected d=<document number>');
    return fn(p, Number(d), res);
  };
  const needLeg = (fn: (p: Params, legId: string, res: Response) => void): Handler => (p, req, res) => {
    const leg = query(req, 'leg');
    if (!LEG.test(leg)) return void res.status(400).type('text/plain').send('expected leg=<id>');
    return fn(p, leg, res);
  };
  const routes: Record<string, Handler> = {
    '/voice': (p, _req, res) => h.onVoice(p, res),
    '/status': (p, _req, res) => h.onStatus(p, res),
    '/next': needSeq((p, seq, res) => h.onNext(p, seq, res)),
    '/wait': needSeq((p, seq, res) => h.onWait(p, seq, res)),
    '/agent': needLeg((p, leg, res) => h.onAgentAnswered(p, leg, res)),
    '/leg-status': needLeg((p, leg, res) => h.onLegStatus(p, leg, res)),
  };
  for (const [path, handler] of Object.entries(routes)) {
    r.all(`${h.opts.webhookPath}${path}`, raw, async (req, res) => {
      if (req.method !== 'POST' && req.method !== 'GET') return void res.status(405).set('Allow', 'POST, GET').end();
      const p = checkedParams(req, h.opts.authToken, h.opts.publicUrl);
      const account = p ? param(p, 'AccountSid') : '';
      if (!p || (account && account !== h.opts.accountSid)) {
        h.log.warn({ adapter: h.id, path, ip: req.socket.remoteAddress }, 'a Twilio webhook with a bad or missing X-Twilio-Signature was refused');
        return void res.status(403).type('text/plain').send('invalid X-Twilio-Signature');
      }
      // Not connected (starting, stopping): Twilio runs the number's fallback URL on a 5xx.
      if (!h.accepting) return void res.status(503).type('text/plain').send('Switchboard is not accepting calls');
      try {
        await handler(p, req, res);
      } catch (err) {
        h.log.error({ err, adapter: h.id, path }, 'handling a Twilio webhook failed');
        if (!res.headersSent) res.status(500).type('text/plain').send('internal error');
      }
    });
  }
  return r;
}
