import { encodeDer } from '../pki/der.js';
import { derNode, explicitTag, implicitSet, oidNode, seq, smallInteger } from './asn1-builder.js';
import forge from 'node-forge';
import { OID } from './scep-oids.js';

/** A "certs-only" SignedData (RFC 8894 §3.4): no content, no signers, just certificates. */
export function degenerateSignedData(certificates: readonly Buffer[]): Buffer {
  const emptySet = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, []);
  const signedData = seq(
    smallInteger(1),
    emptySet,
    seq(oidNode(OID.data)),
    implicitSet(0, certificates.map(derNode)),
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, []),
  );
  return encodeDer(seq(oidNode(OID.signedData), explicitTag(0, signedData)));
}
