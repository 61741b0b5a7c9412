import type { Request } from 'express';
import type { AddressMatcher } from './cidr.js';
import { CLIENT_CERT_HEADER, parseClientCertHeader } from './client-cert-header.js';
import type { IdentitySource } from './device-identity.js';
import { accepted, refused, type Checked } from './identity-failure.js';
import { MDM_SIGNATURE_HEADER, mdmSignatureCertificate } from './mdm-signature.js';
import { tlsClientCertificate } from './mtls-certificate.js';
import type { PublicKeyOf } from './signer-key-cache.js';

export interface PresentedCertificate {
  readonly der: Buffer;
  readonly source: IdentitySource;
}

/**
 * The certificate a request presents, from the first source that has one: the TLS client
 * certificate, then Mdm-Signature, then a trusted proxy's Client-Cert. The first source present
 * decides; a failure there is not papered over by a later source, so one request never carries
 * two identities.
 *
 * One exception: when a trusted proxy forwards Client-Cert, the TLS client certificate on that
 * connection is the proxy's own (if any), not a device's, and is not considered.
 * Client-Cert from any other peer is ignored as if absent: anyone can send that header.
 */
export function presentedCertificate(req: Request, isTrustedProxy: AddressMatcher, publicKeyOf: PublicKeyOf): Checked<PresentedCertificate> {
  const clientCert = req.headers[CLIENT_CERT_HEADER];
  const forwarded = typeof clientCert === 'string' && isTrustedProxy(req.socket.remoteAddress) ? clientCert : undefined;

  if (forwarded === undefined) {
    const der = tlsClientCertificate(req.socket);
    if (der) return accepted({ der, source: 'mtls' });
  }
  const signature = req.headers[MDM_SIGNATURE_HEADER];
  if (typeof signature === 'string') return withSource(mdmSignatureCertificate(signature, req.body, publicKeyOf), 'mdm-signature');
  if (forwarded !== undefined) return withSource(parseClientCertHeader(forwarded), 'client-cert');

  return refused(
    'no-certificate',
    clientCert === undefined
      ? 'no TLS client certificate, Mdm-Signature or Client-Cert'
      : 'Client-Cert ignored: the peer is not a trusted proxy; no TLS client certificate or Mdm-Signature',
  );
}

function withSource(result: Checked<Buffer>, source: IdentitySource): Checked<PresentedCertificate> {
  return result.ok ? accepted({ der: result.value, source }) : result;
}
