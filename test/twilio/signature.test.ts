/**
 * `X-Twilio-Signature`, pinned to published vectors:
 * - the worked example of Twilio's webhook-security documentation
 *   (https://www.twilio.com/docs/usage/webhooks/webhooks-security): auth token 12345,
 *   https://mycompany.com/myapp.php?foo=1&bar=2 and five POST parameters. Twilio has
 *   published it with two caller numbers over the years; both are here, with the
 *   signature printed next to each (+12349013030 -> 0/KCTR6DLpKmkAf8muzZqo1nDgQ=,
 *   +14158675309 -> RSOYDt4T1cUTdK1PDd93/VVr8B8=, the latter also in twilio-php's docs);
 * - the JSON-body (`bodySHA256`) vector of Twilio's own helper library tests
 *   (twilio-go client/request_validator_test.go).
 * Then tampering: the URL, a parameter, the token, the body.
 */
import { describe, expect, it } from 'vitest';
import { bodySha256, computeSignature, parseForm, signingString, urlVariants, verifySignature } from '../../adapters/twilio/signature.js';

const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = (caller: string): Map<string, string[]> =>
  new Map(Object.entries({ CallSid: 'CA1234567890ABCDE', Caller: caller, Digits: '1234', From: caller, To: '+18005551212' }).map(([k, v]) => [k, [v]]));

describe('X-Twilio-Signature', () => {
  it("reproduces the worked example of Twilio's documentation", () => {
    // The string that is signed, as the documentation builds it.
    expect(signingString(URL_, params('+12349013030'))).toBe(
      'https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212',
    );
    expect(computeSignature(TOKEN, URL_, params('+12349013030'))).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(computeSignature(TOKEN, URL_, params('+14158675309'))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifySignature(TOKEN, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', URL_, { params: params('+12349013030') })).toBe(true);
    expect(verifySignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_, { params: params('+14158675309') })).toBe(true);
  });

  it('the parameters are sorted by name, whatever order the body had them in', () => {
    const body = 'To=%2B18005551212&From=%2B14158675309&Digits=1234&Caller=%2B14158675309&CallSid=CA1234567890ABCDE';
    expect(verifySignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_, { params: parseForm(body) })).toBe(true);
  });

  it('refuses a tampered URL: another path, query, scheme or host', () => {
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    const p = params('+14158675309');
    for (const url of [
      'https://mycompany.com/myapp.php?foo=1&bar=3',
      'https://mycompany.com/myapp.php?foo=1',
      'https://mycompany.com/myapp.php?bar=2&foo=1',
      'https://mycompany.com/other.php?foo=1&bar=2',
      'http://mycompany.com/myapp.php?foo=1&bar=2',
      'https://evil.example/myapp.php?foo=1&bar=2',
      'https://mycompany.com/myapp.php?foo=1&bar=2&Digits=9',
    ]) {
      expect(verifySignature(TOKEN, sig, url, { params: p }), url).toBe(false);
    }
  });

  it('refuses tampered parameters: a changed, added or removed one', () => {
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    const changed = params('+14158675309');
    changed.set('Digits', ['9999']);
    const added = params('+14158675309');
    added.set('QueueResult', ['bridged']);
    const removed = params('+14158675309');
    removed.delete('Digits');
    for (const p of [changed, added, removed]) expect(verifySignature(TOKEN, sig, URL_, { params: p })).toBe(false);
  });

  it('refuses a missing or malformed signature and another account token', () => {
    const p = params('+14158675309');
    expect(verifySignature(TOKEN, undefined, URL_, { params: p })).toBe(false);
    expect(verifySignature(TOKEN, '', URL_, { params: p })).toBe(false);
    expect(verifySignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8', URL_, { params: p })).toBe(false);
    expect(verifySignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=', URL_, { params: p })).toBe(false);
    expect(verifySignature('54321', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_, { params: p })).toBe(false);
    expect(verifySignature('', computeSignature('', URL_, p), URL_, { params: p })).toBe(false);
  });

  it('accepts a URL signed with or without its standard port, as Twilio may sign either', () => {
    const p = params('+14158675309');
    expect(urlVariants('https://mycompany.com:443/myapp.php?x=1')).toEqual(['https://mycompany.com:443/myapp.php?x=1', 'https://mycompany.com/myapp.php?x=1']);
    expect(urlVariants('https://mycompany.com/myapp.php')).toEqual(['https://mycompany.com/myapp.php', 'https://mycompany.com:443/myapp.php']);
    expect(verifySignature(TOKEN, computeSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', p), URL_, { params: p })).toBe(true);
    expect(verifySignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', { params: p })).toBe(true);
    // A non-standard port is part of what Twilio signed: its absence elsewhere is still refused.
    expect(verifySignature(TOKEN, computeSignature(TOKEN, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', p), URL_, { params: p })).toBe(false);
  });

  it('repeated parameter names: each distinct value, sorted (as twilio-node does)', () => {
    const p = parseForm('StatusCallbackEvent=ringing&StatusCallbackEvent=answered&A=1');
    expect(signingString('https://x.test/a', p)).toBe('https://x.test/aA1StatusCallbackEventansweredStatusCallbackEventringing');
  });

  describe('JSON bodies (bodySHA256)', () => {
    const body = '{"property": "value", "boolean": true}';
    const hash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';

    it("reproduces Twilio's helper-library vector: the URL with bodySHA256 is signed alone, the body hashes to it", () => {
      expect(bodySha256(body)).toBe(hash);
      expect(verifySignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', `${URL_}&bodySHA256=${hash}`, { rawBody: body })).toBe(true);
      expect(verifySignature(TOKEN, 'y77kIzt2vzLz71DgmJGsen2scGs=', `https://mycompany.com/myapp.php?bodySHA256=${hash}`, { rawBody: Buffer.from(body) })).toBe(true);
    });

    it('refuses a changed body, a changed hash, or no hash at all', () => {
      expect(verifySignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', `${URL_}&bodySHA256=${hash}`, { rawBody: body.replace('true', 'false') })).toBe(false);
      const otherHash = bodySha256('{}');
      expect(verifySignature(TOKEN, computeSignature(TOKEN, `${URL_}&bodySHA256=${otherHash}`), `${URL_}&bodySHA256=${otherHash}`, { rawBody: body })).toBe(false);
      expect(verifySignature(TOKEN, computeSignature(TOKEN, URL_), URL_, { rawBody: body })).toBe(false);
    });
  });
});
