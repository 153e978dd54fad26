/**
 * Text prompts rendered by espeak-ng to 8 kHz mono 16-bit WAV, cached by content
 * hash, served at `GET /prompts/:hash.wav`. espeak-ng is a Debian package that
 * `scripts/setup.sh` installs: when it is missing these tests fail and say so.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, notFound } from '../connector/http/error-handler.js';
import { promptRoutes } from '../connector/http/prompt-routes.js';
import { createLogger } from '../connector/logger.js';
import { PromptAudio, voiceFor } from '../ivr/prompts/tts.js';
import { readWav, resample, writeWav } from '../ivr/prompts/wav.js';
import { startTestServer } from './helpers/server.js';

function espeakInstalled(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The fields of a canonical 44-byte PCM WAV header. */
function header(buf: Buffer) {
  return {
    riff: buf.toString('ascii', 0, 4),
    riffSize: buf.readUInt32LE(4),
    wave: buf.toString('ascii', 8, 12),
    fmt: buf.toString('ascii', 12, 16),
    format: buf.readUInt16LE(20),
    channels: buf.readUInt16LE(22),
    sampleRate: buf.readUInt32LE(24),
    byteRate: buf.readUInt32LE(28),
    blockAlign: buf.readUInt16LE(32),
    bits: buf.readUInt16LE(34),
    data: buf.toString('ascii', 36, 40),
    dataSize: buf.readUInt32LE(40),
  };
}

const seconds = (buf: Buffer): number => header(buf).dataSize / 16_000;

function tone(hz: number, rate: number, ms: number, amplitude = 10_000): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}
const rms = (s: Int16Array, from = 0, to = s.length): number => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (s[i] as number) ** 2;
  return Math.sqrt(sum / (to - from));
};

describe('prompt WAV resampling', () => {
  it('keeps a 1 kHz tone (same pitch, same loudness) going from 22050 Hz to 8000 Hz', () => {
    const out = resample({ sampleRate: 22_050, samples: tone(1_000, 22_050, 500) }, 8_000);
    expect(out.sampleRate).toBe(8_000);
    expect(out.samples.length).toBe(4_000);
    const inner = [200, 3_800] as const; // away from the edges
    expect(rms(out.samples, ...inner)).toBeGreaterThan(0.95 * (10_000 / Math.SQRT2));
    expect(rms(out.samples, ...inner)).toBeLessThan(1.05 * (10_000 / Math.SQRT2));
    let crossings = 0;
    for (let i = inner[0] + 1; i < inner[1]; i++) if (((out.samples[i - 1] as number) < 0) !== ((out.samples[i] as number) < 0)) crossings++;
    expect(crossings).toBeGreaterThan(895); // 2 per cycle, 1000 Hz over 0.45 s = 900
    expect(crossings).toBeLessThan(905);
  });

  it('filters out what 8 kHz cannot carry: a 6 kHz tone does not fold back as a 2 kHz one', () => {
    const out = resample({ sampleRate: 22_050, samples: tone(6_000, 22_050, 500) }, 8_000);
    expect(rms(out.samples, 200, 3_800)).toBeLessThan(0.05 * (10_000 / Math.SQRT2));
  });

  it('writes a WAV that reads back the same', () => {
    const samples = Int16Array.from([0, 1, -1, 32_767, -32_768, 1234]);
    expect(readWav(writeWav({ sampleRate: 8_000, samples }))).toEqual({ sampleRate: 8_000, samples });
  });

  it('maps flow languages to espeak-ng voices', () => {
    expect([voiceFor('en'), voiceFor('ja'), voiceFor(undefined), voiceFor('fr')]).toEqual(['en-us', 'ja', 'en-us', 'fr']);
  });
});

/**
 * A test that needs espeak-ng: without it, it fails (each one, so the count shows
 * it) with the fix in the message, never skips.
 */
const installed = espeakInstalled();
function itTts(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    if (!installed) throw new Error('espeak-ng is not installed: run `bash scripts/setup.sh` (or `apt-get install espeak-ng`)');
    await fn();
  });
}

describe('prompts rendered by espeak-ng', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-prompts-'));
  let spawns = 0;
  const audio = new PromptAudio({
    dir,
    spawn: ((...args: Parameters<typeof spawn>) => {
      spawns++;
      return spawn(...args);
    }) as typeof spawn,
  });
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const app = express();
    app.use(promptRoutes(audio));
    app.use(notFound);
    app.use(errorHandler(createLogger('silent')));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  itTts('"Thank you for calling." in English: an 8 kHz mono 16-bit WAV of about a second and a half', async () => {
    const { file, hash } = await audio.render({ text: 'Thank you for calling.', language: 'en' });
    expect(file).toBe(join(dir, `${hash}.wav`));
    const buf = readFileSync(file);
    expect(header(buf)).toEqual({
      riff: 'RIFF',
      riffSize: buf.length - 8,
      wave: 'WAVE',
      fmt: 'fmt ',
      format: 1,
      channels: 1,
      sampleRate: 8_000,
      byteRate: 16_000,
      blockAlign: 2,
      bits: 16,
      data: 'data',
      dataSize: buf.length - 44,
    });
    expect(seconds(buf)).toBeGreaterThan(0.8);
    expect(seconds(buf)).toBeLessThan(3.5);
    // Speech, not silence.
    expect(rms(readWav(buf).samples)).toBeGreaterThan(300);
  });

  itTts('a Japanese prompt in the ja voice', async () => {
    const { file } = await audio.render({ text: 'ありがとうございます。', language: 'ja' });
    const buf = readFileSync(file);
    expect(header(buf)).toMatchObject({ riff: 'RIFF', wave: 'WAVE', format: 1, channels: 1, sampleRate: 8_000, bits: 16 });
    expect(seconds(buf)).toBeGreaterThan(0.5);
    expect(seconds(buf)).toBeLessThan(6);
    expect(rms(readWav(buf).samples)).toBeGreaterThan(300);
  });

  itTts('the second request is a cache hit: no second espeak-ng process', async () => {
    const before = spawns;
    const a = await audio.render({ text: 'Thank you for calling.', language: 'en' });
    expect(spawns).toBe(before);
    // Another voice is another prompt.
    const b = await audio.render({ text: 'Thank you for calling.', language: 'en-GB' });
    expect(b.hash).not.toBe(a.hash);
    expect(spawns).toBe(before + 1);
  });

  itTts('concurrent requests for a new prompt render it once', async () => {
    const before = spawns;
    const prompt = { text: 'For support, press 1.', language: 'en' };
    const files = await Promise.all([audio.render(prompt), audio.render(prompt), audio.render(prompt), audio.render(prompt)]);
    expect(new Set(files.map((f) => f.file)).size).toBe(1);
    expect(spawns).toBe(before + 1);
    // No temporary file left behind.
    expect(readdirSync(dir).filter((f) => !/^[0-9a-f]{32}\.wav$/.test(f))).toEqual([]);
  });

  itTts('GET /prompts/:hash.wav serves it as audio/wav; promptUrl gives the URL and the route renders on demand', async () => {
    const url = audio.promptUrl({ text: 'Thank you for calling.', language: 'en' }, `${base}/`);
    expect(url).toMatch(new RegExp(`^${base}/prompts/[0-9a-f]{32}\\.wav$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync((await audio.render({ text: 'Thank you for calling.', language: 'en' })).file))).toBe(true);

    // A prompt nobody rendered yet: the URL works at once (the request waits for the render).
    const fresh = audio.promptUrl({ text: 'That is not a valid choice.', language: 'en' }, base);
    const r2 = await fetch(fresh);
    expect(r2.status).toBe(200);
    expect(header(Buffer.from(await r2.arrayBuffer())).sampleRate).toBe(8_000);
  });

  itTts('404 for an unknown hash and for anything that is not a hash (no path traversal)', async () => {
    for (const path of [
      `/prompts/${'0'.repeat(32)}.wav`,
      '/prompts/..%2F..%2F..%2Fetc%2Fpasswd',
      '/prompts/..%2Fpackage.json',
      `/prompts/${'a'.repeat(32)}.wav%00.txt`,
      '/prompts/../package.json',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect((await res.json()) as unknown, path).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  itTts('a missing engine is a clear error, and 503 PROMPT_UNAVAILABLE on the route', async () => {
    const broken = new PromptAudio({ dir: mkdtempSync(join(tmpdir(), 'sb-prompts-')), command: 'espeak-ng-not-installed', log: createLogger('silent') });
    await expect(broken.render({ text: 'Hello.', language: 'en' })).rejects.toMatchObject({ code: 'TTS_UNAVAILABLE', message: /not installed/ });
    const app = express();
    app.use(promptRoutes(broken));
    app.use(errorHandler(createLogger('silent')));
    const s = createServer(app);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const url = broken.promptUrl({ text: 'Hello again.', language: 'en' }, `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
      const res = await fetch(url);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'PROMPT_UNAVAILABLE' } });
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  itTts('the connector serves them: <dataDir>/prompts, through Switchboard.prompts', async () => {
    const t = await startTestServer();
    try {
      const url = t.sb.prompts.promptUrl({ text: 'Thank you for calling.', language: 'en' }, t.url);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(readdirSync(join(t.dataDir, 'prompts'))).toEqual([url.slice(url.lastIndexOf('/') + 1)]);
      expect((await fetch(`${t.url}/prompts/${'f'.repeat(32)}.wav`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
