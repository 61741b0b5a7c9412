import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;

/**
 * forge speaks "binary strings"; the rest of the code speaks Buffers. These two functions are the
 * only crossing point.
 */
export function parseDer(der: Buffer): Asn1 {
  // BIT STRINGs stay opaque: forge's default guesses whether their content is nested ASN.1, and
  // re-encoding a wrong guess would change bytes that a signature covers.
  const options = { strict: true, parseAllBytes: true, decodeBitStrings: false };
  const fromDer = forge.asn1.fromDer as unknown as (bytes: string, opts: typeof options) => Asn1;
  return fromDer(der.toString('binary'), options);
}

export function encodeDer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1): Asn1[] {
  if (!Array.isArray(node.value)) throw new Error('expected a constructed ASN.1 value');
  return node.value;
}

export function primitiveBytes(node: Asn1): Buffer {
  if (typeof node.value !== 'string') throw new Error('expected a primitive ASN.1 value');
  return Buffer.from(node.value, 'binary');
}

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
