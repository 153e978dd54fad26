/**
 * Media for the fake ARI server: how long a media URI plays, the way Asterisk
 * resolves it. `sound:NAME` is a file in the sounds directory (here: a table of
 * durations); `sound:http(s)://...` is fetched like res_http_media_cache does
 * (GET, 2xx, an extension from the URL tail, the Content-Type, or the URL path)
 * and measured from its WAV header. Also a tiny HTTP "TTS" that renders prompt
 * text to silent WAV audio, for tests that play HTTP-served prompts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Durations (ms) of the `sound:` files the fake "has installed". */
export const DEFAULT_SOUNDS: Record<string, number> = {
  'hello-world': 1_200,
  beep: 250,
  'pls-hold-while-try': 1_600,
  'queue-periodic-announce': 3_000,
  'vm-goodbye': 800,
};

/** A media URI's duration in ms, or null when Asterisk could not play it (PlaybackFinished state "failed"). */
export async function mediaDurationMs(uri: string, sounds: ReadonlyMap<string, number>): Promise<number | null> {
  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon);
  const rest = uri.slice(colon + 1);
  switch (scheme) {
    case 'sound':
      return /^https?:\/\//.test(rest) ? httpSoundMs(rest) : (sounds.get(rest) ?? null);
    case 'tone':
      return 500;
    case 'digits':
    case 'characters':
      return 300 * rest.length;
    case 'number':
      return 600;
    default:
      return null;
  }
}

async function httpSoundMs(url: string): Promise<number | null> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  } catch {
    return null;
  }
  if (res.status < 200 || res.status > 299) return null;
  const path = new URL(url).pathname;
  const ext = /\.(\w+)$/.exec(url)?.[1] ?? (/^audio\/(x-)?wav/.test(res.headers.get('content-type') ?? '') ? 'wav' : /\.(\w+)$/.exec(path)?.[1]);
  if (ext !== 'wav') return null;
  return wavDurationMs(Buffer.from(await res.arrayBuffer()));
}

/** Duration of a PCM WAV file from its `fmt ` byte rate and `data` size. */
export function wavDurationMs(buf: Buffer): number | null {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
  let byteRate = 0;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') byteRate = buf.readUInt32LE(off + 16);
    if (id === 'data') return byteRate > 0 ? Math.round((size / byteRate) * 1000) : null;
    off += 8 + size + (size % 2);
  }
  return null;
}

/** Silent 8 kHz 16-bit mono PCM WAV of `ms` milliseconds. */
export function silentWav(ms: number): Buffer {
  const rate = 8_000;
  const dataSize = Math.round((rate * ms) / 1000) * 2;
  const buf = Buffer.alloc(44 + dataSize);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataSize, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataSize, 40);
  return buf;
}

export interface PromptServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT/prompts/`. */
  baseUrl: string;
  /** Texts requested so far, in order. */
  readonly rendered: string[];
  close(): Promise<void>;
}

/**
 * A stand-in for a TTS service: `GET /prompts/ANY.wav?text=...` answers silent
 * audio as long as the text takes to say at `charsPerSecond` (at least 50 ms).
 */
export async function startPromptServer(charsPerSecond: number): Promise<PromptServer> {
  const rendered: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const text = url.searchParams.get('text');
    if (!url.pathname.startsWith('/prompts/') || text === null) {
      res.writeHead(404).end();
      return;
    }
    rendered.push(text);
    const body = silentWav(Math.max(50, (text.length / charsPerSecond) * 1000));
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length, 'cache-control': 'max-age=86400' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/prompts/`,
    rendered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
