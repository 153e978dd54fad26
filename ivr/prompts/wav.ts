/**
 * The little WAV handling prompts need: read 16-bit PCM from a RIFF/WAVE file,
 * resample it to telephone rate (8 kHz) with a band-limited (windowed-sinc)
 * interpolator, and write an 8 kHz mono 16-bit WAV.
 *
 * Why not plain linear interpolation: going from 22050 Hz to 8000 Hz, anything
 * above 4 kHz (the sibilants of speech) would fold back as audible aliasing; the
 * sinc kernel low-passes at the new Nyquist frequency while it interpolates.
 * Why not `sox`: one package and one process less per prompt, and the same bytes
 * on every machine (the cache is keyed by content).
 */

export interface Pcm {
  sampleRate: number;
  /** Mono samples, -32768..32767. */
  samples: Int16Array;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
  readonly code = 'WAV_INVALID';
}

/**
 * Reads a 16-bit PCM WAV. Tolerates the header espeak-ng writes to a pipe, whose
 * RIFF and data sizes are placeholders (0x7ffff000): the data runs to the end.
 * Several channels are mixed down to mono.
 */
export function readWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { channels: number; sampleRate: number; bits: number; format: number } | null = null;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16 || fmt.channels < 1) throw new WavFormatError(`unsupported WAV: format ${fmt.format}, ${fmt.bits} bits, ${fmt.channels} channels`);
      const end = Math.min(buf.length, body + size);
      const frameBytes = 2 * fmt.channels;
      const frames = Math.floor((end - body) / frameBytes);
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < fmt.channels; c++) sum += buf.readInt16LE(body + i * frameBytes + c * 2);
        samples[i] = Math.round(sum / fmt.channels);
      }
      return { sampleRate: fmt.sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError('no data chunk');
}

/** An 8 kHz (or `pcm.sampleRate`) mono 16-bit PCM WAV file. */
export function writeWav(pcm: Pcm): Buffer {
  const data = pcm.samples.length * 2;
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(pcm.sampleRate, 24);
  buf.writeUInt32LE(pcm.sampleRate * 2, 28); // bytes per second
  buf.writeUInt16LE(2, 32); // bytes per frame
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data, 40);
  for (let i = 0; i < pcm.samples.length; i++) buf.writeInt16LE(pcm.samples[i] as number, 44 + i * 2);
  return buf;
}

/** Kernel half-width, in output samples: 8 zero crossings each side, a good trade of sharpness for speed. */
const ZERO_CROSSINGS = 8;

/**
 * Resamples with a Hann-windowed sinc kernel whose cutoff is the lower of the
 * two Nyquist frequencies (so downsampling low-passes first). Output sample n
 * is at input position n * inRate / outRate.
 */
export function resample(pcm: Pcm, outRate: number): Pcm {
  const { sampleRate: inRate, samples: input } = pcm;
  if (inRate === outRate) return { sampleRate: outRate, samples: input.slice() };
  const step = inRate / outRate;
  // Cutoff as a fraction of the input rate's Nyquist; a little under 1 leaves room for the window's slope.
  const cutoff = Math.min(1, outRate / inRate) * 0.95;
  const half = ZERO_CROSSINGS / cutoff;
  const outLength = Math.floor(input.length / step);
  const out = new Int16Array(outLength);
  for (let n = 0; n < outLength; n++) {
    const t = n * step;
    const from = Math.max(0, Math.ceil(t - half));
    const to = Math.min(input.length - 1, Math.floor(t + half));
    let acc = 0;
    let weights = 0;
    for (let k = from; k <= to; k++) {
      const d = t - k;
      const x = Math.PI * d * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      const w = sinc * (0.5 + 0.5 * Math.cos((Math.PI * d) / half));
      acc += (input[k] as number) * w;
      weights += w;
    }
    // Normalizing by the summed weights keeps a constant signal constant at the edges too.
    const v = weights === 0 ? 0 : acc / weights;
    out[n] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return { sampleRate: outRate, samples: out };
}
