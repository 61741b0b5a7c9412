import { appleSecondsFromDate } from './apple-epoch.js';
import { BINARY_PLIST_MAGIC } from './binary-plist-trailer.js';
import { BuildPath, classifyInput } from './plist-input.js';
import type { PlistInput } from './plist-value.js';

type FlatObject = { bytes: Buffer } | { marker: 0xa0; refs: number[] } | { marker: 0xd0; refs: number[] };

/**
 * A bplist00 as Core Foundation writes it: the top object first, equal strings, numbers, booleans
 * and dates stored once and referenced, the smallest reference and offset sizes that fit. Devices
 * send this form; the simulator and tests need to as well.
 */
export function buildBinaryPlist(value: PlistInput): Buffer {
  const flattener = new Flattener();
  flattener.add(value, 'root');
  return encode(flattener.objects);
}

class Flattener {
  readonly objects: FlatObject[] = [];
  private readonly shared = new Map<string, number>();
  private readonly path = new BuildPath();

  add(value: unknown, where: string): number {
    const input = classifyInput(value, where);
    switch (input.type) {
      case 'string': {
        const ascii = /^[\x00-\x7f]*$/.test(input.value);
        return this.leaf(`s${input.value}`, () =>
          ascii
            ? Buffer.concat([sizedMarker(0x50, input.value.length), Buffer.from(input.value, 'latin1')])
            : Buffer.concat([sizedMarker(0x60, input.value.length), utf16be(input.value)]),
        );
      }
      case 'integer':
        return this.leaf(`i${input.value}`, () => integerBytes(input.value));
      case 'real':
        return this.leaf(`r${Object.is(input.value, -0) ? '-0' : input.value}`, () => markedDouble(0x23, input.value));
      case 'boolean':
        return this.leaf(`b${input.value}`, () => Buffer.of(input.value ? 0x09 : 0x08));
      case 'date':
        return this.leaf(`d${input.value.getTime()}`, () => markedDouble(0x33, appleSecondsFromDate(input.value)));
      case 'data': {
        const data = input.value;
        return this.push({ bytes: Buffer.concat([sizedMarker(0x40, data.length), data]) });
      }
      case 'array': {
        this.path.enter(input.value, where);
        const refs: number[] = [];
        const index = this.push({ marker: 0xa0, refs });
        input.value.forEach((item, i) => refs.push(this.add(item, `${where}[${i}]`)));
        this.path.leave(input.value);
        return index;
      }
      case 'dict': {
        this.path.enter(input.value, where);
        const refs: number[] = [];
        const index = this.push({ marker: 0xd0, refs });
        // Keys first, then values, each in the same order.
        for (const [key] of input.entries) refs.push(this.add(key, `${where} key`));
        for (const [key, item] of input.entries) refs.push(this.add(item, `${where}.${key}`));
        this.path.leave(input.value);
        return index;
      }
    }
  }

  private leaf(identity: string, bytes: () => Buffer): number {
    const known = this.shared.get(identity);
    if (known !== undefined) return known;
    const index = this.push({ bytes: bytes() });
    this.shared.set(identity, index);
    return index;
  }

  private push(object: FlatObject): number {
    this.objects.push(object);
    return this.objects.length - 1;
  }
}

function encode(objects: FlatObject[]): Buffer {
  const refSize = bytesFor(objects.length - 1);
  const chunks: Buffer[] = [Buffer.from(BINARY_PLIST_MAGIC, 'latin1')];
  const offsets: number[] = [];
  let position = chunks[0]!.length;
  for (const object of objects) {
    offsets.push(position);
    const bytes = 'bytes' in object ? object.bytes : containerBytes(object.marker, object.refs, refSize);
    chunks.push(bytes);
    position += bytes.length;
  }
  const offsetTableOffset = position;
  const offsetSize = bytesFor(offsetTableOffset);
  const table = Buffer.alloc(offsets.length * offsetSize);
  offsets.forEach((offset, i) => writeUnsigned(table, i * offsetSize, offsetSize, offset));
  const trailer = Buffer.alloc(32);
  trailer[6] = offsetSize;
  trailer[7] = refSize;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(offsetTableOffset), 24);
  return Buffer.concat([...chunks, table, trailer]);
}

function containerBytes(marker: 0xa0 | 0xd0, refs: number[], refSize: number): Buffer {
  const count = marker === 0xd0 ? refs.length / 2 : refs.length;
  const body = Buffer.alloc(refs.length * refSize);
  refs.forEach((ref, i) => writeUnsigned(body, i * refSize, refSize, ref));
  return Buffer.concat([sizedMarker(marker, count), body]);
}

/** Counts under 15 live in the marker's low nibble; larger ones follow as an integer object. */
function sizedMarker(marker: number, count: number): Buffer {
  return count < 15 ? Buffer.of(marker | count) : Buffer.concat([Buffer.of(marker | 0x0f), integerBytes(BigInt(count))]);
}

/** As CF and Python write them: negatives in 8 bytes, values from 2^63 in 16. */
function integerBytes(value: bigint): Buffer {
  if (value < 0n || (value >= 1n << 32n && value < 1n << 63n)) {
    const bytes = Buffer.alloc(9);
    bytes[0] = 0x13;
    bytes.writeBigInt64BE(value, 1);
    return bytes;
  }
  if (value >= 1n << 63n) {
    const bytes = Buffer.alloc(17);
    bytes[0] = 0x14;
    bytes.writeBigUInt64BE(value, 9);
    return bytes;
  }
  const size = value < 1n << 8n ? 1 : value < 1n << 16n ? 2 : 4;
  const bytes = Buffer.alloc(1 + size);
  bytes[0] = 0x10 | Math.log2(size);
  bytes.writeUIntBE(Number(value), 1, size);
  return bytes;
}

function markedDouble(marker: number, value: number): Buffer {
  const bytes = Buffer.alloc(9);
  bytes[0] = marker;
  bytes.writeDoubleBE(value, 1);
  return bytes;
}

function utf16be(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf16le');
  return bytes.swap16();
}

function bytesFor(max: number): number {
  return max < 2 ** 8 ? 1 : max < 2 ** 16 ? 2 : max < 2 ** 32 ? 4 : 8;
}

function writeUnsigned(target: Buffer, offset: number, size: number, value: number): void {
  if (size === 8) target.writeBigUInt64BE(BigInt(value), offset);
  else target.writeUIntBE(value, offset, size);
}
