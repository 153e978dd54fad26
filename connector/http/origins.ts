/**
 * Cross-origin rules from `server.allowedOrigins`: only those origins may call
 * the API from a browser (CORS) or embed the widget in a frame (CSP
 * frame-ancestors). Same-origin use needs no entry.
 */
import { Router, type RequestHandler } from 'express';

export function corsAndFraming(allowed: readonly string[]): RequestHandler {
  const origins = new Set(allowed.map((o) => new URL(o).origin));
  const frameAncestors = ["'self'", ...origins].join(' ');
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', `frame-ancestors ${frameAncestors}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/**
 * `GET /api/embed/config`: the origins allowed to embed the widget, for the
 * widget itself (it posts call events only to an embedding page on one of
 * them, and ignores messages from anywhere else). Public: the same list is in
 * every response's CSP header.
 */
export function embedRoutes(allowed: readonly string[]): Router {
  const allowedOrigins = [...new Set(allowed.map((o) => new URL(o).origin))];
  const r = Router();
  r.get('/api/embed/config', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ allowedOrigins });
  });
  return r;
}
