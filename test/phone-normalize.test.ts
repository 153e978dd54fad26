import { describe, it, expect } from 'vitest';
import { isWithheld, normalizePhone, type CountryCode } from '../connector/phone/normalize.js';
import { maskPhone, maskPhonesInText } from '../connector/phone/mask.js';

type Row = [raw: string, region: CountryCode, e164: string | null, extension: string | null, status: 'valid' | 'withheld' | 'invalid'];

const TABLE: Row[] = [
  // People-typed NANP forms
  ['(415) 555-0123', 'US', '+14155550123', null, 'valid'],
  ['415.555.0199', 'US', '+14155550199', null, 'valid'],
  ['415-555-0123', 'US', '+14155550123', null, 'valid'],
  ['4155550123', 'US', '+14155550123', null, 'valid'],
  ['1-415-555-0123', 'US', '+14155550123', null, 'valid'],
  ['  +1 (212) 555-0100  ', 'US', '+12125550100', null, 'valid'],
  ['(415) 555-0123', 'CA', '+14155550123', null, 'valid'],
  // UK, every way of writing the international prefix
  ['+44 20 7946 0958', 'US', '+442079460958', null, 'valid'],
  ['0044 20 7946 0958', 'US', '+442079460958', null, 'valid'],
  ['0044 20 7946 0958', 'JP', '+442079460958', null, 'valid'],
  ['011 44 20 7946 0958', 'US', '+442079460958', null, 'valid'],
  ['011 44 20 7946 0958', 'CA', '+442079460958', null, 'valid'],
  ['+44 (0)20 7946 0958', 'US', '+442079460958', null, 'valid'],
  ['020 7946 0958', 'GB', '+442079460958', null, 'valid'],
  // 011 is only an exit code in the NANP; in the UK it reads as a national number, which this is not
  ['011 44 20 7946 0958', 'GB', null, null, 'invalid'],
  // Japan
  ['03-1234-5678', 'JP', '+81312345678', null, 'valid'],
  ['(03) 1234-5678', 'JP', '+81312345678', null, 'valid'],
  ['+81 3 1234 5678', 'US', '+81312345678', null, 'valid'],
  ['+81-3-1234-5678', 'GB', '+81312345678', null, 'valid'],
  ['0081 3 1234 5678', 'US', '+81312345678', null, 'valid'],
  ['03-1234-5678', 'US', null, null, 'invalid'],
  // Extensions
  ['(415) 555-0123 x123', 'US', '+14155550123', '123', 'valid'],
  ['415-555-0123x7', 'US', '+14155550123', '7', 'valid'],
  ['415-555-0123 ext. 123', 'US', '+14155550123', '123', 'valid'],
  ['415.555.0123 ext 123', 'US', '+14155550123', '123', 'valid'],
  ['415 555 0123 extension 42', 'US', '+14155550123', '42', 'valid'],
  ['+1 415 555 0123 #123', 'US', '+14155550123', '123', 'valid'],
  ['4155550123#123', 'US', '+14155550123', '123', 'valid'],
  ['+1 415 555 0123;ext=123', 'US', '+14155550123', '123', 'valid'],
  ['+44 20 7946 0958 ext. 801', 'US', '+442079460958', '801', 'valid'],
  // URIs as PBXs send them
  ['tel:+1-415-555-0123', 'US', '+14155550123', null, 'valid'],
  ['tel:+1-415-555-0123;ext=123', 'US', '+14155550123', '123', 'valid'],
  ['sip:+14155550123@pbx.example.com', 'US', '+14155550123', null, 'valid'],
  ['sip:+14155550123@pbx.example.com;user=phone', 'US', '+14155550123', null, 'valid'],
  ['<sip:4155550123@host>', 'US', '+14155550123', null, 'valid'],
  ['"Ada L" <sip:4155550123@10.0.0.1:5060>', 'US', '+14155550123', null, 'valid'],
  ['sips:14155550123@pbx.example.com', 'US', '+14155550123', null, 'valid'],
  ['sip:442079460958@trunk.example.net', 'US', '+442079460958', null, 'valid'],
  ['sip:%2B14155550123@pbx.example.com', 'US', '+14155550123', null, 'valid'],
  // Withheld
  ['', 'US', null, null, 'withheld'],
  ['   ', 'US', null, null, 'withheld'],
  ['anonymous', 'US', null, null, 'withheld'],
  ['Anonymous', 'US', null, null, 'withheld'],
  ['unknown', 'US', null, null, 'withheld'],
  ['RESTRICTED', 'US', null, null, 'withheld'],
  ['private', 'US', null, null, 'withheld'],
  ['unavailable', 'US', null, null, 'withheld'],
  ['withheld', 'GB', null, null, 'withheld'],
  ['sip:anonymous@anonymous.invalid', 'US', null, null, 'withheld'],
  ['"Anonymous" <sip:anonymous@anonymous.invalid>', 'US', null, null, 'withheld'],
  ['sip:restricted@pbx.example.com', 'US', null, null, 'withheld'],
  ['0000000000', 'US', null, null, 'withheld'],
  // Invalid
  ['12', 'US', null, null, 'invalid'],
  ['555-0123', 'US', null, null, 'invalid'],
  ['+1 123 456 7890', 'US', null, null, 'invalid'],
  ['+44 7700 900123', 'US', null, null, 'invalid'],
  ['hello', 'US', null, null, 'invalid'],
  ['x123', 'US', null, null, 'invalid'],
  ['+', 'US', null, null, 'invalid'],
  ['4'.repeat(200), 'US', null, null, 'invalid'],
];

describe('normalizePhone', () => {
  it.each(TABLE)('%j under %s', (raw, region, e164, extension, status) => {
    expect(normalizePhone(raw, region)).toEqual({ raw, e164, extension, status });
  });

  it('keeps raw exactly as given', () => {
    expect(normalizePhone(' (415) 555-0123 ', 'US').raw).toBe(' (415) 555-0123 ');
  });

  it('isWithheld agrees with the withheld rows and rejects real numbers', () => {
    for (const [raw, , , , status] of TABLE) {
      expect(isWithheld(raw), raw).toBe(status === 'withheld');
    }
  });
});

describe('maskPhone', () => {
  it.each([
    ['+14155550123', '+14*******23'],
    ['+442079460958', '+44********58'],
    ['(415) 555-0123', '(41*) ***-**23'],
    ['4155550123', '41******23'],
    ['1234', '****'],
    ['anonymous', 'anonymous'],
    ['', ''],
  ])('%s -> %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it('keeps the length', () => {
    expect(maskPhone('+81 3 1234 5678')).toHaveLength('+81 3 1234 5678'.length);
  });
});

describe('maskPhonesInText', () => {
  it.each([
    ['call from +14155550123 offered', 'call from +14*******23 offered'],
    ['ani=(415) 555-0123 dnis=+12125550100', 'ani=(41*) ***-**23 dnis=+12*******00'],
    ['sip:+14155550123@pbx.example.com', 'sip:+14*******23@pbx.example.com'],
    ['{"ani":"415.555.0199"}', '{"ani":"41*.***.**99"}'],
    ['uk +44 20 7946 0958.', 'uk +44 ** **** **58.'],
    ['two 4155550123 2125550100', 'two 41******23 21******00'],
  ])('%s', (input, masked) => {
    expect(maskPhonesInText(input)).toBe(masked);
  });

  it.each([
    'at 2025-03-03T09:00:00.000Z',
    'date 2025-03-03 09:00',
    'from 192.168.100.200:5060',
    'channel 1715000000.123 up',
    '{"time":1741000000000,"msg":"ok"}',
    'call 9f3c2a10-1234-4abc-8def-123456789012',
    'queue support has 12 waiting, 3 agents',
    'pressed 1234',
  ])('leaves %s alone', (input) => {
    expect(maskPhonesInText(input)).toBe(input);
  });
});
