/**
 * What the agent typed (or clicked: a `tel:` link, an E.164 number) as the SIP
 * URI to call or to transfer to. Pure, no SIP.js: a number becomes a user part
 * at the agent's own domain (the registrar routes numbers to the PBX or the
 * trunk); a SIP URI is taken as it is.
 */

/** Characters people write in numbers that mean nothing to a dial plan: spaces, dots, dashes, parentheses. */
const FILLER = /[\s().\-\u00a0]/g;
/** A dialable user part: an optional +, then digits, * and # (RFC 3966 global or local number, DTMF-style codes). */
const DIALABLE = /^\+?[0-9*#]{1,32}$/;
/** A user part of letters and digits (an extension name such as `support` or `bob`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.!~'-]{0,63}$/;

/** The host part of the agent's AOR (`sip:alice@example.com` -> `example.com`). */
export function aorDomain(aor: string): string | null {
  const m = /^sips?:(?:[^@;?]+@)?([^;?>]+)/i.exec(aor.trim());
  return m?.[1] ?? null;
}

/**
 * The SIP URI for `input`, or null when it is neither a number, an extension
 * name, nor a SIP URI. `tel:` URIs drop their parameters (`;phone-context=...`).
 */
export function dialTarget(input: string, aor: string): string | null {
  let s = input.trim();
  if (/^sips?:/i.test(s)) return /^sips?:[^\s@]+@[^\s@]+$/i.test(s) || /^sips?:[^\s@]+$/i.test(s) ? s : null;
  if (/^tel:/i.test(s)) s = s.slice(4).split(';')[0] ?? '';
  const domain = aorDomain(aor);
  if (!domain) return null;
  const number = s.replace(FILLER, '');
  // `#` is not allowed in a SIP user part (RFC 3261 section 25.1): escaped.
  if (DIALABLE.test(number)) return `sip:${number.replace(/#/g, '%23')}@${domain}`;
  if (NAME.test(s)) return `sip:${s}@${domain}`;
  return null;
}

/** The number or name to show for a target (`sip:+1415...@x` -> `+1415...`). */
export function targetLabel(uri: string): string {
  const m = /^sips?:([^@;?]+)@/i.exec(uri);
  return (m?.[1] ?? uri.replace(/^sips?:/i, '')).replace(/%23/gi, '#');
}
