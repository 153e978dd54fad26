/**
 * Store errors that reach the REST error handler (express 5 passes rejected handler
 * promises to it) get coded answers: the database down is a 503 STORE_UNAVAILABLE to
 * retry, text PostgreSQL cannot keep a 400, a vanished contact a 422; anything else
 * stays a logged 500 with no detail.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../connector/http/error-handler.js';
import { ContactNotFoundError } from '../connector/store/errors.js';

let url: string;
let close: () => void;
const failures: Record<string, unknown> = {
  down: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  refused: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  nul: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }),
  contact: new ContactNotFoundError(42),
  other: Object.assign(new Error('duplicate key'), { code: '23505' }),
};

beforeAll(async () => {
  const app = express();
  app.get('/fail/:what', async (req) => {
    await Promise.resolve();
    throw failures[req.params.what];
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close?.());

describe('store errors over REST', () => {
  it.each([
    ['down', 503, 'STORE_UNAVAILABLE'],
    ['refused', 503, 'STORE_UNAVAILABLE'],
    ['nul', 400, 'VALIDATION_FAILED'],
    ['contact', 422, 'CONTACT_NOT_FOUND'],
    ['other', 500, 'INTERNAL'],
  ])('%s: %i %s', async (what, status, code) => {
    const r = await fetch(`${url}/fail/${what}`);
    expect(r.status).toBe(status);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toMatch(/5432|administrator|0x00|duplicate/);
  });
});
