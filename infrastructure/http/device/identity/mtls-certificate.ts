import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * The DER of the client certificate presented in the TLS handshake, or undefined when there is
 * none or the connection is not TLS. The device listener requests certificates without requiring
 * them (rejectUnauthorized: false), so certificates from any CA arrive here; the chain check
 * decides, not the TLS layer.
 */
export function tlsClientCertificate(socket: Socket): Buffer | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerX509Certificate !== 'function') return undefined;
  return tls.getPeerX509Certificate()?.raw;
}
