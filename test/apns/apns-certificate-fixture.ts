import { createHash, sign } from 'node:crypto';
import forge from 'node-forge';
import { children, derToPem, encodeDer, parseDer } from '../../infrastructure/pki/der.js';
import { createPushCertificate, type PushCertificate, type TestCa } from '../support/pki.js';

/** Apple's APNs environment extensions: development (sandbox) and production. */
export const APNS_DEVELOPMENT_OID = '1.2.840.113635.100.6.3.1';
export const APNS_PRODUCTION_OID = '1.2.840.113635.100.6.3.2';

/**
 * A push certificate from createPushCertificate with the APNs environment extensions Apple's
 * push certificates carry, re-signed by the same test CA. node-apn refuses a certificate without
 * the extension for the environment it assumes (sandbox for any host but api.push.apple.com).
 */
export async function createApnsPushCertificate(
  testCa: TestCa,
  options: { topic?: string; environments?: readonly string[] } = {},
): Promise<PushCertificate> {
  const push = await createPushCertificate(testCa, options.topic);
  const environments = options.environments ?? [APNS_DEVELOPMENT_OID, APNS_PRODUCTION_OID];
  const der = addExtensions(push.der, environments, testCa);
  return { ...push, der, certPem: derToPem(der), sha256: createHash('sha256').update(der).digest('hex') };
}

const { asn1 } = forge;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** `certDer` re-signed by `testCa` with the APNs environment extensions `oids` added. */
export function addExtensions(certDer: Buffer, oids: readonly string[], testCa: TestCa): Buffer {
  const tbs = children(parseDer(certDer))[0]!;
  const wrapper = children(tbs).find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3)!;
  const extensions = children(children(wrapper)[0]!);
  const nullDer = asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')).getBytes();
  for (const oid of oids) {
    extensions.push(
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, nullDer),
      ]),
    );
  }
  const tbsDer = encodeDer(tbs);
  const signature = sign('sha256', tbsDer, testCa.privateKey);
  return encodeDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      parseDer(tbsDer),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + signature.toString('binary')),
    ]),
  );
}
