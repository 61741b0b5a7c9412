import { createPublicKey, sign, verify } from 'node:crypto';
import forge from 'node-forge';
import type { CrlEntry, CrlRequest } from '../../application/ports/crl-signer.js';
import { encodeDer, parseDer, type Asn1 } from './der.js';
import type { IssuerIdentity } from './issuer-identity.js';

/**
 * An X.509 v2 CRL (RFC 5280 §5), encoded by hand because forge has no CRL support, signed with
 * SHA-256 and RSA by Node's crypto. It carries the extensions RFC 5280 requires of a conforming CA:
 * authorityKeyIdentifier and cRLNumber.
 */

const { asn1 } = forge;
const { Class, Type } = asn1;

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** cRLNumber is at most 20 octets (RFC 5280 §5.2.3). */
const MAX_CRL_NUMBER = (1n << 159n) - 1n;

export function buildCrl(request: CrlRequest, issuer: IssuerIdentity): Buffer {
  if (issuer.privateKey.asymmetricKeyType !== 'rsa') throw new Error('only RSA issuer keys are supported');
  if (!(request.nextUpdate > request.thisUpdate)) throw new Error('nextUpdate must be later than thisUpdate');
  if (request.crlNumber < 0n || request.crlNumber > MAX_CRL_NUMBER) throw new Error('crlNumber must fit 20 octets');
  const tbs = seq(
    integer(Buffer.from([1])), // v2
    algorithm(),
    parseDer(issuer.nameDer),
    time(request.thisUpdate),
    time(request.nextUpdate),
    // An empty list is left out rather than encoded empty (RFC 5280 §5.1.2.6).
    ...(request.entries.length > 0 ? [seq(...request.entries.map(entry))] : []),
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [seq(
      extension(OID.authorityKeyIdentifier, seq(asn1.create(Class.CONTEXT_SPECIFIC, 0, false, issuer.keyIdentifier.toString('binary')))),
      extension(OID.cRLNumber, integer(bigintBytes(request.crlNumber))),
    )]),
  );
  const tbsDer = encodeDer(tbs);
  const signature = sign('sha256', tbsDer, issuer.privateKey);
  // As with certificates: never hand out a list no relying party would accept.
  if (!verify('sha256', tbsDer, createPublicKey(issuer.privateKey), signature)) throw new Error('internal error: the CRL signature does not verify');
  return encodeDer(seq(parseDer(tbsDer), algorithm(), asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, '\u0000' + signature.toString('binary'))));
}

function entry(e: CrlEntry): Asn1 {
  const serial = hexBytes(e.serialNumber);
  const reason = e.reasonCode === undefined ? [] : [seq(extension(OID.reasonCode, asn1.create(Class.UNIVERSAL, Type.ENUMERATED, false, String.fromCharCode(e.reasonCode))))];
  return seq(integer(serial), time(e.revokedAt), ...reason);
}

function extension(oid: string, value: Asn1): Asn1 {
  return seq(oidNode(oid), asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, asn1.toDer(value).getBytes()));
}

function algorithm(): Asn1 {
  return seq(oidNode(OID.sha256WithRSA), asn1.create(Class.UNIVERSAL, Type.NULL, false, ''));
}

// RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050.
function time(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function seq(...items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

function oidNode(oid: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes());
}

/** A non-negative INTEGER from its magnitude: minimal, with a 0x00 in front when the top bit is set. */
function integer(magnitude: Buffer): Asn1 {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  const encoded = bytes.length === 0 ? Buffer.from([0]) : bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, encoded.toString('binary'));
}

function hexBytes(hex: string): Buffer {
  if (!/^[0-9a-fA-F]{1,40}$/.test(hex)) throw new Error('a serial number is 1 to 40 hex digits');
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}

function bigintBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}
