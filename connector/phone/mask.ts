/**
 * Masking of phone numbers for logs: a caller's number is personal data, but
 * an operator reading a log still needs to tell calls apart, so the country
 * code-ish start and the last two digits stay.
 */

/** Below this many digits a value is not a phone number (extensions, counters). */
const MIN_DIGITS = 7;
/** E.164 allows at most 15 digits; longer runs are ids, not numbers. */
const MAX_DIGITS = 15;

/**
 * A run that may be a phone number: an optional `+`, then digits joined by
 * the separators people type. Not preceded or followed by a word character,
 * `-` or `.`, so pieces of UUIDs, hex ids and dotted versions do not match.
 */
const PHONE_RUN_RE = /(?<![\w.\-+])(?:\+\s?)?\(?\d(?:[\d\s\-.()/]*\d)?(?![\w]|[.\-]\d)/g;

/**
 * Masks one number: a leading `+`, the first two digits (the country code,
 * or most of it) and the last two digits stay; every other digit becomes `*`.
 * Separators stay where they are, so the length and shape are kept.
 *
 * @example maskPhone('+14155550123') === '+14*******23'
 * @example maskPhone('+442079460958') === '+44********58'
 * @example maskPhone('(415) 555-0123') === '(41*) ***-**23'
 * Values with 4 digits or fewer have every digit masked (keeping 4 of them
 * would show the whole value).
 */
export function maskPhone(s: string): string {
  const total = countDigits(s);
  if (total === 0) return s;
  const keepAll = total > 4;
  let seenDigits = 0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch < '0' || ch > '9') {
      out += ch;
      continue;
    }
    seenDigits++;
    const inHead = seenDigits <= 2;
    const inTail = seenDigits > total - 2;
    out += keepAll && (inHead || inTail) ? ch : '*';
  }
  return out;
}

/**
 * Masks every run in `text` that looks like a phone number: 7 to 15 digits,
 * optionally led by `+`, joined by spaces, `-`, `.`, `/` or parentheses.
 *
 * Left alone on purpose, because logs need them and they are not numbers:
 * ISO dates (`2025-01-06`), dotted IPv4 addresses, decimals with one dot
 * (Asterisk channel unique ids such as `1715000000.123`), and bare 13-digit
 * runs starting with 1 (epoch milliseconds, as pino writes `time`; no E.164
 * number has 13 digits after a leading 1, which is the NANP's code).
 */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_RUN_RE, maskRun);
}

function maskRun(run: string): string {
  const digits = countDigits(run);
  if (digits > MAX_DIGITS && /\s/.test(run)) {
    // Two numbers side by side (`4155550123 2125550100`) form one run; mask each.
    return run
      .split(/(\s+)/)
      .map((piece) => (/\d/.test(piece) ? maskRun(piece) : piece))
      .join('');
  }
  if (digits < MIN_DIGITS || digits > MAX_DIGITS || isNotAPhone(run)) return run;
  return maskPhone(run);
}

function isNotAPhone(run: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}/.test(run) ||
    /^\d{1,3}(?:\.\d{1,3}){3}$/.test(run) ||
    /^\d+\.\d+$/.test(run) ||
    /^1\d{12}$/.test(run)
  );
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
