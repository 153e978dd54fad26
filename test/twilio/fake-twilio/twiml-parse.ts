/**
 * A small strict XML parser for the fake Twilio: enough for TwiML (elements,
 * attributes, text, the five named entities and numeric references). Anything
 * malformed throws, so a document Twilio would reject fails the test.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (concatenated, entities decoded). */
  text: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  if (s.includes('<')) throw new Error(`"<" in text: ${s}`);
  return s.replace(/&([^;]*);?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated entity in ${JSON.stringify(s)}`);
    if (ref in NAMED) return NAMED[ref] as string;
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref)?.[1] ?? /^#([0-9]+)$/.exec(ref)?.[1];
    if (num !== undefined) return String.fromCodePoint(parseInt(num, ref.startsWith('#x') ? 16 : 10));
    throw new Error(`unknown entity &${ref};`);
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const src = xml.replace(/^\uFEFF/, '');
  const skipWs = (): void => {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
  };
  skipWs();
  if (src.startsWith('<?xml', i)) {
    const end = src.indexOf('?>', i);
    if (end === -1) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  skipWs();
  const element = (): XmlElement => {
    const open = /^<([A-Za-z][A-Za-z0-9]*)/.exec(src.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${src.slice(i, i + 20)}`);
    const name = open[1] as string;
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (;;) {
      skipWs();
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      const a = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(src.slice(i));
      if (!a) throw new Error(`bad attribute in <${name}> at ${i}: ${src.slice(i, i + 30)}`);
      const key = a[1] as string;
      if (key in attrs) throw new Error(`duplicate attribute ${key} in <${name}>`);
      attrs[key] = decode(a[3] ?? a[4] ?? '');
      i += a[0].length;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt === -1) throw new Error(`unclosed <${name}>`);
      text += decode(src.slice(i, lt));
      i = lt;
      if (src.startsWith(`</${name}>`, i)) {
        i += name.length + 3;
        return { name, attrs, children, text: children.length > 0 ? text.trim() : text };
      }
      if (src.startsWith('</', i)) throw new Error(`mismatched closing tag at ${i} inside <${name}>`);
      children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== src.length) throw new Error(`content after the root element: ${src.slice(i, i + 20)}`);
  return root;
}
