/** HTTPS/WSS with a configured certificate, the plain-HTTP warning, CORS and framing by allowlist. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../connector/logger.js';
import { login } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });

function getTls(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: execFileSync('cat', [cert]) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('transport security', () => {
  it('serves HTTPS and WSS when a certificate is configured', async () => {
    const srv = await startTestServer({ config: { server: { tls: { certFile: cert, keyFile: key } } } });
    try {
      expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const h = await getTls(`${srv.url}/healthz`);
      expect(h.status).toBe(200);
      expect(JSON.parse(h.body).status).toBe('ok');
      // A socket over WSS, trusting our test certificate.
      const token = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${srv.url}/api/auth/login`, { method: 'POST', ca: execFileSync('cat', [cert]), headers: { 'content-type': 'application/json' } }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(JSON.parse(b).token));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ username: 'alice', password: 'alice-demo' }));
      });
      const socket = io(`${srv.url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false, ca: execFileSync('cat', [cert]).toString() } as never);
      await new Promise<void>((resolve, reject) => {
        socket.on('session.snapshot', (_s: unknown, ack: () => void) => {
          ack();
          resolve();
        });
        socket.on('connect_error', reject);
      });
      socket.close();
    } finally {
      await srv.close();
    }
  });

  it('warns when serving plain HTTP on a non-loopback address', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    // 0.0.0.0 listens on every address, loopback included, so the test can still reach it.
    const srv = await startTestServer({ config: { server: { host: '0.0.0.0' } }, log: createLogger('warn', sink) });
    await srv.close();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain(
      'serving plain HTTP on a non-loopback address: tokens and pops cross the network in clear, and browsers refuse the softphone microphone; configure server.tls',
    );
  });

  it('allows cross-origin calls and framing only for configured origins', async () => {
    const srv = await startTestServer({ config: { server: { allowedOrigins: ['https://crm.example.com'] } } });
    try {
      const base = srv.url.replace('0.0.0.0', '127.0.0.1');
      const ok = await fetch(`${base}/api/auth/login`, { method: 'OPTIONS', headers: { origin: 'https://crm.example.com', 'access-control-request-method': 'POST' } });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
      const other = await fetch(`${base}/healthz`, { headers: { origin: 'https://evil.example.net' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('content-security-policy')).toBe("frame-ancestors 'self' https://crm.example.com");
      expect(typeof (await login(base, 'alice'))).toBe('string');
    } finally {
      await srv.close();
    }
  });
});
