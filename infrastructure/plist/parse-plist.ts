import { parseBinaryPlist } from './binary-plist-parser.js';
import { PlistParseError } from './plist-errors.js';
import type { PlistParseOptions } from './plist-limits.js';
import type { PlistValue } from './plist-value.js';
import { parseXmlPlist } from './xml-plist-parser.js';

const BINARY_PREFIX = Buffer.from('bplist', 'latin1');

/**
 * Parses a device's request body, binary (`bplist00`) or XML, into the plist model. Whatever the
 * body holds, the outcome is a value or a PlistParseError.
 */
export function parsePlist(body: Uint8Array, options: PlistParseOptions = {}): PlistValue {
  if (!(body instanceof Uint8Array)) throw new PlistParseError('body is not bytes');
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length === 0) throw new PlistParseError('body is empty');
  try {
    if (bytes.subarray(0, BINARY_PREFIX.length).equals(BINARY_PREFIX)) {
      const version = bytes.subarray(6, 8).toString('latin1');
      if (version !== '00') throw new PlistParseError('only bplist00 binary property lists are supported');
      return parseBinaryPlist(bytes, options);
    }
    return parseXmlPlist(bytes, options);
  } catch (error) {
    if (error instanceof PlistParseError) throw error;
    // A check we missed must still end as a refusal of this body, not as a crash of the request.
    throw new PlistParseError('malformed property list', { cause: error });
  }
}
