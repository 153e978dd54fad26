/**
 * The HTTP(S) server: HTTPS and WSS when a certificate is configured; plain
 * HTTP otherwise, with a clear warning when that is on an address other machines
 * reach (tokens would cross the network in clear, and browsers refuse the
 * microphone to a softphone on a plain-HTTP page that is not localhost).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function createWebServer(server: Config['server'], app: RequestListener, log: Logger): { http: Server; scheme: 'http' | 'https' } {
  if (server.tls) {
    const read = (file: string, key: 'certFile' | 'keyFile'): Buffer => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ConfigError([`server.tls.${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`], { cause: err });
      }
    };
    return { http: createHttps({ cert: read(server.tls.certFile, 'certFile'), key: read(server.tls.keyFile, 'keyFile') }, app), scheme: 'https' };
  }
  if (!LOOPBACK.test(server.host)) {
    log.warn(
      { host: server.host },
      'serving plain HTTP on a non-loopback address: tokens and pops cross the network in clear, and browsers refuse the softphone microphone; configure server.tls',
    );
  }
  return { http: createHttp(app), scheme: 'http' };
}
