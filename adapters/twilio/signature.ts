/**
 * `X-Twilio-Signature`: how Twilio signs every webhook request, and our check of it
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
 *
 * - Form posts: HMAC-SHA1, keyed with the account's auth token, over the exact URL
 *   Twilio requested (scheme, host, path and query) followed by every POST parameter
 *   sorted by name, each written as name + value with no separators; base64.
 * - JSON bodies: Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the URL's
 *   query and signs the URL alone; the body must then hash to that value.
 *
 * Twilio is not consistent about an explicit standard port (`:443`), so a URL is
 * accepted signed with or without it, as Twilio's own helper libraries do. Every
 * comparison is constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Request parameters: a name may repeat (form posts allow it). */
export type SignedParams = ReadonlyMap<string, readonly string[]>;

export const SIGNATURE_HEADER = 'x-twilio-signature';

/** The string Twilio signs: the URL, then `name + value` for each parameter sorted by name. */
export function signingString(url: string, params: SignedParams): string {
  let data = url;
  for (const name of [...params.keys()].sort()) {
    // Repeated names: each distinct value once, sorted (twilio-node `toFormUrlEncodedParam`).
    for (const value of [...new Set(params.get(name) ?? [])].sort()) data += name + value;
  }
  return data;
}

/** The base64 HMAC-SHA1 Twilio puts in `X-Twilio-Signature`. */
export function computeSignature(authToken: string, url: string, params: SignedParams = new Map()): string {
  return createHmac('sha1', authToken).update(Buffer.from(signingString(url, params), 'utf8')).digest('base64');
}

/** The hex SHA-256 of a body, as Twilio writes it in `bodySHA256`. */
export function bodySha256(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // The length of a base64 SHA-1 or a hex SHA-256 is public; only equal lengths are compared.
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The URL as given, without any port, and with the scheme's standard port written
 * out: Twilio may sign any of them (twilio-node's `validateRequest` tries both).
 */
export function urlVariants(url: string): string[] {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return [url];
  const [, scheme = '', authority = '', rest = ''] = m;
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority.slice(at + 1));
  if (!hp) return [url];
  const host = hp[1] ?? '';
  const standard = { 'https://': '443', 'http://': '80' }[scheme.toLowerCase()];
  const without = `${scheme}${userinfo}${host}${rest}`;
  const withPort = hp[2] || !standard ? url : `${scheme}${userinfo}${host}:${standard}${rest}`;
  return [...new Set([url, without, withPort])];
}

/**
 * Whether `signature` is Twilio's signature of this request. `url` is the exact URL
 * Twilio requested (the public one, not the one behind a reverse proxy). A JSON body
 * (`body` given and the URL carries `bodySHA256`) is checked against its hash too.
 */
export function verifySignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  request: { params: SignedParams } | { rawBody: Buffer | string },
): boolean {
  if (!signature || !authToken) return false;
  if ('rawBody' in request) {
    let hash: string | null = null;
    try {
      hash = new URL(url).searchParams.get('bodySHA256');
    } catch {
      return false;
    }
    // Evaluate both checks whatever the first says: no early exit on the body.
    const bodyOk = hash !== null && safeEqual(hash.toLowerCase(), bodySha256(request.rawBody));
    const sigOk = urlVariants(url).map((u) => safeEqual(signature, computeSignature(authToken, u))).some(Boolean);
    return bodyOk && sigOk;
  }
  const { params } = request;
  return urlVariants(url).map((u) => safeEqual(signature, computeSignature(authToken, u, params))).some(Boolean);
}

/** Form-encoded body (or query string) -> parameters, keeping repeated names. */
export function parseForm(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
