/**
 * The Event Socket's framing, bytes -> frames. A frame is a block of `Name: value`
 * header lines ended by an empty line, then, when the headers carry
 * `Content-Length`, exactly that many bytes of body (mod_event_socket.c writes
 * `Content-Length: N\nContent-Type: text/event-json\n\n<N bytes>`; a command reply
 * has no body). Lines end with `\n` (we also accept `\r\n`).
 *
 * TCP delivers any split: several frames in one read, one frame over many reads,
 * a multi-byte UTF-8 character cut between two reads. The parser keeps bytes, not
 * text, until a whole frame is there, and counts `Content-Length` in bytes.
 */

/** One frame: its headers (names lowercased) and its body bytes (null without Content-Length). */
export interface EslFrame {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
}

/** The byte stream broke the framing rules; the connection cannot be trusted any more. */
export class EslProtocolError extends Error {
  override readonly name = 'EslProtocolError';
  constructor(message: string, readonly excerpt: string) {
    super(message);
  }
}

export interface FrameParserLimits {
  /** A header block longer than this (bytes) without its empty line is an error. */
  maxHeaderBytes: number;
  /** A Content-Length above this is an error. */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: FrameParserLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 64 * 1024 * 1024 };

const LF = 0x0a;
const CR = 0x0d;

export class EslFrameParser {
  /** Unparsed bytes (header phase), or body chunks (body phase). */
  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while waiting for a frame's body. */
  private pending: { headers: Record<string, string>; length: number } | null = null;
  private broken: EslProtocolError | null = null;

  constructor(private readonly limits: FrameParserLimits = DEFAULT_LIMITS) {}

  /** Bytes buffered and not yet part of a whole frame. */
  get buffered(): number {
    return this.size;
  }

  /**
   * Feeds bytes; returns the frames they complete, in order, and an error once
   * the framing is broken (after which every push returns that error and no frame).
   */
  push(chunk: Buffer): { frames: EslFrame[]; error: EslProtocolError | null } {
    if (this.broken) return { frames: [], error: this.broken };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: EslFrame[] = [];
    for (;;) {
      if (this.pending) {
        if (this.size < this.pending.length) break;
        const all = this.take();
        const body = all.subarray(0, this.pending.length);
        this.keep(all.subarray(this.pending.length));
        frames.push({ headers: this.pending.headers, body: Buffer.from(body) });
        this.pending = null;
        continue;
      }
      const head = this.headerBlock();
      if (head === 'incomplete') break;
      if (head instanceof EslProtocolError) {
        this.broken = head;
        this.chunks = [];
        this.size = 0;
        return { frames, error: head };
      }
      const lengthText = head.headers['content-length'];
      if (lengthText === undefined) {
        frames.push({ headers: head.headers, body: null });
        continue;
      }
      const length = /^\d{1,12}$/.test(lengthText) ? Number(lengthText) : NaN;
      if (!Number.isSafeInteger(length) || length > this.limits.maxBodyBytes) {
        this.broken = new EslProtocolError(`bad Content-Length ${JSON.stringify(lengthText)}`, lengthText);
        this.chunks = [];
        this.size = 0;
        return { frames, error: this.broken };
      }
      if (length === 0) frames.push({ headers: head.headers, body: Buffer.alloc(0) });
      else this.pending = { headers: head.headers, length };
    }
    return { frames, error: null };
  }

  /** Cuts one header block off the buffer, if a whole one is there. */
  private headerBlock(): { headers: Record<string, string> } | 'incomplete' | EslProtocolError {
    if (this.size === 0) return 'incomplete';
    let buf = this.take();
    // Blank lines between frames are skipped, as FreeSWITCH's own reader does.
    let start = 0;
    while (start < buf.length && (buf[start] === LF || buf[start] === CR)) start++;
    buf = buf.subarray(start);
    const end = findBlankLine(buf);
    if (end === null) {
      this.keep(buf);
      if (buf.length > this.limits.maxHeaderBytes) {
        return new EslProtocolError(`a header block longer than ${this.limits.maxHeaderBytes} bytes`, buf.subarray(0, 80).toString('latin1'));
      }
      return 'incomplete';
    }
    const text = buf.subarray(0, end.at).toString('utf8');
    this.keep(buf.subarray(end.at + end.length));
    const headers: Record<string, string> = {};
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) return new EslProtocolError(`a header line without a name: ${JSON.stringify(line.slice(0, 80))}`, line.slice(0, 80));
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] = line.slice(colon + 1).replace(/^ +/, '');
    }
    return { headers };
  }

  private take(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    return all;
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    this.chunks = [rest];
    this.size = rest.length;
  }
}

/** Where the first empty line is: `\n\n` (or `\n\r\n`); `at` is where the header text ends. */
function findBlankLine(buf: Buffer): { at: number; length: number } | null {
  let from = 0;
  for (;;) {
    const i = buf.indexOf(LF, from);
    if (i === -1 || i + 1 >= buf.length) return null;
    if (buf[i + 1] === LF) return { at: i, length: 2 };
    if (buf[i + 1] === CR) {
      if (i + 2 >= buf.length) return null;
      if (buf[i + 2] === LF) return { at: i, length: 3 };
    }
    from = i + 1;
  }
}
