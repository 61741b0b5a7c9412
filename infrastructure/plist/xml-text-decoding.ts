import { PlistParseError } from './plist-errors.js';

// XML 1.0 Char production, less what the decoders already refuse (lone surrogates).
const ILLEGAL_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Decodes an XML body to text ready for parsing: UTF-8 (BOM optional) or UTF-16 with a BOM,
 * malformed sequences refused rather than replaced, line ends normalised as XML requires.
 */
export function decodeXmlText(body: Buffer): { text: string; encoding: 'utf-8' | 'utf-16' } {
  let encoding: 'utf-8' | 'utf-16' = 'utf-8';
  let text: string;
  try {
    if (body[0] === 0xfe && body[1] === 0xff) {
      encoding = 'utf-16';
      text = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: false }).decode(body);
    } else if (body[0] === 0xff && body[1] === 0xfe) {
      encoding = 'utf-16';
      text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false }).decode(body);
    } else {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    }
  } catch {
    throw new PlistParseError(`body is not valid ${encoding === 'utf-16' ? 'UTF-16' : 'UTF-8'}`);
  }
  const illegal = ILLEGAL_XML_CHAR.exec(text);
  if (illegal) throw new PlistParseError(`character U+${hex4(illegal[0])} is not allowed in XML (offset ${illegal.index})`);
  return { text: text.replace(/\r\n?/g, '\n'), encoding };
}

function hex4(char: string): string {
  return char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
