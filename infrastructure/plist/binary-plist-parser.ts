import { dateFromAppleSeconds } from './apple-epoch.js';
import { readTrailer, readUnsigned, HEADER_SIZE, type BinaryPlistTrailer } from './binary-plist-trailer.js';
import { NodeBudget } from './node-budget.js';
import { PlistParseError } from './plist-errors.js';
import { resolveLimits, type PlistParseOptions } from './plist-limits.js';
import { integerValue, isIntegerInRange, PlistReal, setDictEntry, type PlistDict, type PlistValue } from './plist-value.js';

// Shared references are legal (CF and Python write each distinct string once), so a small body can
// name one large string many times: decoded output is capped at this many bytes per input byte.
const DECODED_BYTES_PER_INPUT_BYTE = 8;
const MIN_DECODED_BYTES_BUDGET = 16 * 1024 * 1024;

const utf16 = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });

/**
 * A bplist00 reader in which every offset, length and reference is checked against the layout the
 * trailer describes before it is used, containers on the current path are tracked to refuse cycles,
 * and depth, value count and decoded size are bounded.
 */
export function parseBinaryPlist(body: Buffer, options: PlistParseOptions = {}): PlistValue {
  const reader = new BinaryPlistReader(body, readTrailer(body), options);
  return reader.readRoot();
}

class BinaryPlistReader {
  private readonly budget: NodeBudget;
  private readonly preserveReals: boolean;
  /** Objects lie between the header and the offset table. */
  private readonly end: number;
  private readonly onPath: Uint8Array;
  private decodedBytesLeft: number;

  constructor(
    private readonly body: Buffer,
    private readonly trailer: BinaryPlistTrailer,
    options: PlistParseOptions,
  ) {
    this.budget = new NodeBudget(resolveLimits(options));
    this.preserveReals = options.preserveReals === true;
    this.end = trailer.offsetTableOffset;
    this.onPath = new Uint8Array(trailer.numObjects);
    this.decodedBytesLeft = Math.max(MIN_DECODED_BYTES_BUDGET, body.length * DECODED_BYTES_PER_INPUT_BYTE);
  }

  readRoot(): PlistValue {
    return this.readObject(this.trailer.topObject, 0);
  }

  private readObject(ref: number, depth: number): PlistValue {
    const offset = this.offsetOf(ref);
    const marker = this.body[offset]!;
    const low = marker & 0x0f;
    this.budget.spend(` (object ${ref})`);
    switch (marker >> 4) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        return this.fail(marker === 0x00 ? 'null is not a property list value' : `unknown marker 0x${hex(marker)}`, ref);
      case 0x1:
        return this.readInteger(ref, offset, low);
      case 0x2: {
        const real = this.readReal(ref, offset, low);
        return this.preserveReals ? new PlistReal(real) : real;
      }
      case 0x3: {
        if (low !== 3) this.fail('date must be an 8-byte real', ref);
        this.need(offset + 1, 8, ref);
        const date = dateFromAppleSeconds(this.body.readDoubleBE(offset + 1));
        return date ?? this.fail('date is out of range', ref);
      }
      case 0x4: {
        const { start, count } = this.readCount(ref, offset, low);
        this.need(start, count, ref);
        this.spendDecoded(count, ref);
        return Buffer.from(this.body.subarray(start, start + count));
      }
      case 0x5:
        return this.readAscii(ref, offset, low);
      case 0x6:
        return this.readUtf16(ref, offset, low);
      case 0xa:
        return this.readArray(ref, offset, low, depth + 1);
      case 0xd:
        return this.readDict(ref, offset, low, depth + 1);
      case 0x8:
        return this.fail('UID (keyed archiver) objects are not supported', ref);
      default:
        return this.fail(`unsupported marker 0x${hex(marker)}`, ref);
    }
  }

  private readInteger(ref: number, offset: number, low: number): number | bigint {
    if (low > 4) this.fail(`integer of 2^${low} bytes`, ref);
    const size = 1 << low;
    this.need(offset + 1, size, ref);
    const at = offset + 1;
    if (size <= 4) return this.body.readUIntBE(at, size);
    const value =
      size === 8
        ? this.body.readBigInt64BE(at)
        : (this.body.readBigInt64BE(at) << 64n) | this.body.readBigUInt64BE(at + 8);
    if (!isIntegerInRange(value)) this.fail('integer is outside the 64-bit range', ref);
    return integerValue(value);
  }

  private readReal(ref: number, offset: number, low: number): number {
    if (low === 2) {
      this.need(offset + 1, 4, ref);
      return this.body.readFloatBE(offset + 1);
    }
    if (low === 3) {
      this.need(offset + 1, 8, ref);
      return this.body.readDoubleBE(offset + 1);
    }
    return this.fail(`real of 2^${low} bytes`, ref);
  }

  private readAscii(ref: number, offset: number, low: number): string {
    const { start, count } = this.readCount(ref, offset, low);
    this.need(start, count, ref);
    this.spendDecoded(count, ref);
    const bytes = this.body.subarray(start, start + count);
    if (bytes.some((byte) => byte > 0x7f)) this.fail('ASCII string holds a non-ASCII byte', ref);
    return bytes.toString('latin1');
  }

  private readUtf16(ref: number, offset: number, low: number): string {
    const { start, count } = this.readCount(ref, offset, low);
    this.need(start, count * 2, ref);
    this.spendDecoded(count * 2, ref);
    try {
      return utf16.decode(this.body.subarray(start, start + count * 2));
    } catch {
      return this.fail('UTF-16 string is malformed', ref);
    }
  }

  private readArray(ref: number, offset: number, low: number, depth: number): PlistValue[] {
    const { start, count } = this.readCount(ref, offset, low);
    const size = this.trailer.objectRefSize;
    this.need(start, count * size, ref);
    this.enter(ref, depth);
    const array: PlistValue[] = [];
    for (let i = 0; i < count; i++) array.push(this.readObject(this.readRef(start + i * size, ref), depth));
    this.onPath[ref] = 0;
    return array;
  }

  private readDict(ref: number, offset: number, low: number, depth: number): PlistDict {
    const { start, count } = this.readCount(ref, offset, low);
    const size = this.trailer.objectRefSize;
    this.need(start, count * size * 2, ref);
    this.enter(ref, depth);
    const dict: PlistDict = {};
    const valuesStart = start + count * size;
    for (let i = 0; i < count; i++) {
      const key = this.readObject(this.readRef(start + i * size, ref), depth);
      if (typeof key !== 'string') this.fail('dictionary key is not a string', ref);
      if (Object.hasOwn(dict, key)) this.fail('duplicate dictionary key', ref);
      setDictEntry(dict, key, this.readObject(this.readRef(valuesStart + i * size, ref), depth));
    }
    this.onPath[ref] = 0;
    return dict;
  }

  private enter(ref: number, depth: number): void {
    this.budget.enter(depth, ` (object ${ref})`);
    if (this.onPath[ref]) this.fail('container contains itself', ref);
    this.onPath[ref] = 1;
  }

  /** The low nibble is the count, or 0xF followed by an integer object holding it. */
  private readCount(ref: number, offset: number, low: number): { start: number; count: number } {
    if (low !== 0x0f) return { start: offset + 1, count: low };
    this.need(offset + 1, 1, ref);
    const intMarker = this.body[offset + 1]!;
    if (intMarker >> 4 !== 0x1 || (intMarker & 0x0f) > 3) this.fail('malformed length', ref);
    const size = 1 << (intMarker & 0x0f);
    this.need(offset + 2, size, ref);
    const count = readUnsigned(this.body, offset + 2, size);
    if (count === undefined || count > this.end) this.fail('length exceeds the body', ref);
    return { start: offset + 2 + size, count };
  }

  private offsetOf(ref: number): number {
    const { offsetIntSize, offsetTableOffset } = this.trailer;
    const offset = readUnsigned(this.body, offsetTableOffset + ref * offsetIntSize, offsetIntSize);
    if (offset === undefined || offset < HEADER_SIZE || offset >= this.end) this.fail('object offset is out of range', ref);
    return offset;
  }

  private readRef(at: number, owner: number): number {
    const ref = readUnsigned(this.body, at, this.trailer.objectRefSize);
    if (ref === undefined || ref >= this.trailer.numObjects) this.fail('object reference is out of range', owner);
    return ref;
  }

  /** `length` bytes from `start` must lie before the offset table. */
  private need(start: number, length: number, ref: number): void {
    if (start > this.end || length > this.end - start) this.fail('object runs past the object area', ref);
  }

  private spendDecoded(bytes: number, ref: number): void {
    this.decodedBytesLeft -= bytes;
    if (this.decodedBytesLeft < 0) this.fail('shared references expand past the decoded size limit', ref);
  }

  private fail(message: string, ref: number): never {
    throw new PlistParseError(`binary plist: ${message} (object ${ref})`);
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
