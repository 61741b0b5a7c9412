/** Just enough DER writing to assemble a CMS SignedData around bytes we already have. */

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, OID: 0x06, UTC_TIME: 0x17, SEQUENCE: 0x30, SET: 0x31, CONTEXT_0: 0xa0 } as const;

export const seq = (...c: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...c);
export const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

/** DER SET OF: members in ascending order of their encodings. */
export const setOf = (...members: Buffer[]): Buffer => tlv(TAG.SET, ...[...members].sort(Buffer.compare));

export function utcTime(date: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return tlv(TAG.UTC_TIME, Buffer.from(text, 'ascii'));
}
