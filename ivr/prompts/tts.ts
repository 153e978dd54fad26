/**
 * Prompt audio: text prompts rendered by a local text-to-speech engine
 * (espeak-ng, a Debian package) to 8 kHz mono 16-bit WAV, the format every PBX
 * plays without transcoding, cached on disk by a content hash and served over
 * HTTP (`connector/http/prompt-routes.ts`) for a PBX that fetches audio by URL
 * (Asterisk: `sound:http://...`).
 *
 * The cache key is a hash of (engine, voice, text): the same sentence in the same
 * voice is rendered once, ever; a changed prompt gets a new file and a new URL, so
 * a PBX's HTTP cache can never serve stale audio.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Prompt } from '../../adapters/adapter.js';
import { readWav, resample, writeWav } from './wav.js';

export const TTS_ENGINE = 'espeak-ng';
/** Telephone rate: what PBXs play natively (G.711 and friends). */
export const PROMPT_SAMPLE_RATE = 8_000;
/** A prompt hash: 128 bits of SHA-256, in hex. */
export const PROMPT_HASH_RE = /^[0-9a-f]{32}$/;

/** espeak-ng voices by flow language; another language is tried as its own espeak-ng voice name. */
const VOICES: Record<string, string> = { en: 'en-us', ja: 'ja' };

export function voiceFor(language: string | undefined): string {
  const lang = (language ?? 'en').toLowerCase();
  return VOICES[lang] ?? lang;
}

export function promptHash(engine: string, voice: string, text: string): string {
  return createHash('sha256').update(JSON.stringify([engine, voice, text])).digest('hex').slice(0, 32);
}

export type TtsErrorCode = 'TTS_UNAVAILABLE' | 'TTS_FAILED' | 'TTS_NO_TEXT';

export class TtsError extends Error {
  override readonly name = 'TtsError';
  constructor(
    readonly code: TtsErrorCode,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
  }
}

export interface PromptAudioOptions {
  /** Where rendered prompts are kept: `<dataDir>/prompts`. */
  dir: string;
  /** The espeak-ng executable (default `espeak-ng` on the PATH). */
  command?: string;
  /** Longest a render may take before it is killed (default 15 s). */
  timeoutMs?: number;
  log?: Pick<Logger, 'warn' | 'info'>;
  /** Process spawner; tests wrap it to count renders. */
  spawn?: typeof nodeSpawn;
}

interface Wanted {
  voice: string;
  text: string;
}

/** Prompts asked for by URL and not rendered yet are remembered, up to this many. */
const MAX_WANTED = 10_000;

export class PromptAudio {
  readonly dir: string;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly wanted = new Map<string, Wanted>();
  private readonly spawn: typeof nodeSpawn;
  private renders = 0;

  constructor(private readonly o: PromptAudioOptions) {
    this.dir = o.dir;
    this.spawn = o.spawn ?? nodeSpawn;
  }

  /** How many times the engine ran (cache hits do not count). */
  get renderCount(): number {
    return this.renders;
  }

  /** The voice and cache key of a prompt's text. */
  keyOf(prompt: Pick<Prompt, 'text' | 'language'>): { hash: string; voice: string; text: string } {
    const text = prompt.text.trim();
    if (!text) throw new TtsError('TTS_NO_TEXT', 'the prompt has no text to speak');
    const voice = voiceFor(prompt.language);
    return { hash: promptHash(TTS_ENGINE, voice, text), voice, text };
  }

  /**
   * Renders a prompt's text, or finds it in the cache. Resolves with its file;
   * concurrent calls for the same prompt share one render.
   */
  async render(prompt: Pick<Prompt, 'text' | 'language'>): Promise<{ hash: string; file: string }> {
    const { hash, voice, text } = this.keyOf(prompt);
    return { hash, file: await this.ensure(hash, { voice, text }) };
  }

  /**
   * The URL a PBX fetches the prompt's audio from: `<baseUrl>/prompts/<hash>.wav`.
   * The prompt MUST have text. Rendering starts now (when not cached), so the
   * file is usually ready by the time the PBX asks; if not, the request waits.
   */
  promptUrl(prompt: Pick<Prompt, 'text' | 'language'>, baseUrl: string): string {
    const { hash, voice, text } = this.keyOf(prompt);
    if (!existsSync(this.fileOf(hash))) {
      this.remember(hash, { voice, text });
      this.ensure(hash, { voice, text }).catch((err: unknown) => this.o.log?.warn({ err, hash }, 'prompt rendering failed'));
    }
    return `${baseUrl.replace(/\/+$/, '')}/prompts/${hash}.wav`;
  }

  /**
   * The file of a prompt hash, rendering it if it was asked for by URL; null for
   * a hash that was never asked for (or not a hash at all).
   */
  async fileFor(hash: string): Promise<string | null> {
    if (!PROMPT_HASH_RE.test(hash)) return null;
    const file = this.fileOf(hash);
    if (existsSync(file)) return file;
    const wanted = this.wanted.get(hash);
    return wanted ? this.ensure(hash, wanted) : null;
  }

  private fileOf(hash: string): string {
    return join(this.dir, `${hash}.wav`);
  }

  private remember(hash: string, w: Wanted): void {
    this.wanted.delete(hash);
    this.wanted.set(hash, w);
    if (this.wanted.size > MAX_WANTED) this.wanted.delete(this.wanted.keys().next().value as string);
  }

  private ensure(hash: string, w: Wanted): Promise<string> {
    const file = this.fileOf(hash);
    if (existsSync(file)) return Promise.resolve(file);
    let p = this.inflight.get(hash);
    if (!p) {
      p = this.renderToFile(hash, file, w).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, p);
    }
    return p;
  }

  private async renderToFile(hash: string, file: string, w: Wanted): Promise<string> {
    const raw = await this.speak(w);
    let wav: Buffer;
    try {
      wav = writeWav(resample(readWav(raw), PROMPT_SAMPLE_RATE));
    } catch (err) {
      throw new TtsError('TTS_FAILED', `${TTS_ENGINE} -v ${w.voice} wrote no usable WAV: ${(err as Error).message}`, { cause: err });
    }
    mkdirSync(this.dir, { recursive: true });
    // Write then rename: a concurrent reader (the HTTP route) never sees half a file.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, wav);
    await rename(tmp, file);
    this.wanted.delete(hash);
    return file;
  }

  /** Runs espeak-ng: text on standard input, a WAV (22050 Hz for its own voices) on standard output. */
  private speak(w: Wanted): Promise<Buffer> {
    const command = this.o.command ?? TTS_ENGINE;
    this.renders++;
    return new Promise((resolve, reject) => {
      const child = this.spawn(command, ['-v', w.voice, '--stdin', '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.timeoutMs ?? 15_000);
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new TtsError('TTS_UNAVAILABLE', `${command} is not installed: on Debian, apt-get install espeak-ng (npm run setup does it)`, { cause: e })
            : new TtsError('TTS_FAILED', `${command} could not start: ${e.message}`, { cause: e }),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code !== 0) {
          reject(new TtsError('TTS_FAILED', `${command} -v ${w.voice} ${signal ? `was killed (${signal})` : `exited with ${code}`}${stderr ? `: ${stderr}` : ''}`));
        } else resolve(Buffer.concat(out));
      });
      // A closed stdin (the process died at once) must not throw: 'close' reports it.
      child.stdin?.on('error', () => {});
      child.stdin?.end(`${w.text}\n`);
    });
  }
}
