/**
 * The fake Twilio's own signer, written from Twilio's description and independent
 * of adapters/twilio/signature.ts (it is pinned to the documentation's worked
 * example in signature.test.ts): HMAC-SHA1 over URL + sorted name/value pairs, base64.
 */
import { createHmac } from 'node:crypto';

export function twilioSign(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
