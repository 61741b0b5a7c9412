/**
 * Hand-assembled bplist00 bodies for the malformed-input tests: objects are given as raw bytes so a
 * test can state exactly which offset, count or reference is wrong.
 */
export interface CraftOptions {
  refSize?: number;
  offsetSize?: number;
  topObject?: bigint;
  numObjects?: bigint;
  offsetTableOffset?: bigint;
  /** Replaces the computed offsets (one per object). */
  offsets?: number[];
}

export function craftBinaryPlist(objects: Buffer[], options: CraftOptions = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from('bplist00', 'latin1')];
  const offsets: number[] = [];
  let position = 8;
  for (const object of objects) {
    offsets.push(position);
    chunks.push(object);
    position += object.length;
  }
  const tableOffset = position;
  const offsetSize = options.offsetSize ?? (tableOffset < 256 ? 1 : tableOffset < 65_536 ? 2 : 4);
  const table = Buffer.alloc(objects.length * offsetSize);
  (options.offsets ?? offsets).forEach((offset, i) => {
    if (offsetSize === 8) table.writeBigUInt64BE(BigInt(offset), i * offsetSize);
    else table.writeUIntBE(offset, i * offsetSize, offsetSize);
  });
  const trailer = Buffer.alloc(32);
  trailer[6] = offsetSize;
  trailer[7] = options.refSize ?? 1;
  trailer.writeBigUInt64BE(options.numObjects ?? BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(options.topObject ?? 0n, 16);
  trailer.writeBigUInt64BE(options.offsetTableOffset ?? BigInt(tableOffset), 24);
  return Buffer.concat([...chunks, table, trailer]);
}

/** Marker byte followed by payload bytes. */
export const obj = (marker: number, ...payload: number[]): Buffer => Buffer.of(marker, ...payload);

/** An array or dict marker with its reference bytes (1-byte refs). */
export const container = (marker: 0xa0 | 0xd0, count: number, ...refs: number[]): Buffer =>
  Buffer.of(marker | count, ...refs);

export const ascii = (text: string): Buffer => Buffer.concat([Buffer.of(0x50 | text.length), Buffer.from(text, 'latin1')]);

/** A deterministic PRNG (xorshift32) so fuzz failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}
