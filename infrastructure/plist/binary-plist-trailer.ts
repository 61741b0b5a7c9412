import { PlistParseError } from './plist-errors.js';

export const BINARY_PLIST_MAGIC = 'bplist00';
export const HEADER_SIZE = 8;
export const TRAILER_SIZE = 32;

/** The last 32 bytes of a bplist00: how to find every object. */
export interface BinaryPlistTrailer {
  offsetIntSize: number;
  objectRefSize: number;
  numObjects: number;
  topObject: number;
  offsetTableOffset: number;
}

/**
 * Reads the trailer and checks that it describes a layout inside the body: header, then objects,
 * then the offset table, then the trailer. Everything after this trusts only these bounds.
 */
export function readTrailer(body: Buffer): BinaryPlistTrailer {
  // Header, one object byte, one offset byte, trailer.
  if (body.length < HEADER_SIZE + 2 + TRAILER_SIZE) throw new PlistParseError('binary plist is too short');
  const at = body.length - TRAILER_SIZE;
  const offsetIntSize = body[at + 6]!;
  const objectRefSize = body[at + 7]!;
  if (offsetIntSize < 1 || offsetIntSize > 8) throw new PlistParseError(`binary plist offset size ${offsetIntSize} is invalid`);
  if (objectRefSize < 1 || objectRefSize > 8) throw new PlistParseError(`binary plist reference size ${objectRefSize} is invalid`);
  const limit = BigInt(body.length);
  const numObjects = body.readBigUInt64BE(at + 8);
  const topObject = body.readBigUInt64BE(at + 16);
  const offsetTableOffset = body.readBigUInt64BE(at + 24);
  if (numObjects < 1n || numObjects > limit) throw new PlistParseError('binary plist object count is out of range');
  if (topObject >= numObjects) throw new PlistParseError('binary plist top object is out of range');
  if (offsetTableOffset <= BigInt(HEADER_SIZE) || offsetTableOffset > limit) {
    throw new PlistParseError('binary plist offset table is out of range');
  }
  if (offsetTableOffset + numObjects * BigInt(offsetIntSize) > BigInt(at)) {
    throw new PlistParseError('binary plist offset table runs into the trailer');
  }
  return {
    offsetIntSize,
    objectRefSize,
    numObjects: Number(numObjects),
    topObject: Number(topObject),
    offsetTableOffset: Number(offsetTableOffset),
  };
}

/** A big-endian unsigned integer of 1 to 8 bytes, or undefined when it exceeds 2^53 - 1. */
export function readUnsigned(body: Buffer, offset: number, size: number): number | undefined {
  if (size <= 6) return body.readUIntBE(offset, size);
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(body[offset + i]!);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
