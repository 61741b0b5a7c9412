import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerOptions } from 'node:https';
import type { CertificateAuthority } from '../../../application/ports/certificate-authority.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { Config } from '../../config/config.js';
import { ensureServerTlsCertificate } from '../../pki/tls-certificate.js';

/**
 * TLS for the device listener: the operator's certificate if given, else one issued by the MDM CA
 * for MDM_TLS_HOSTNAMES. Client certificates are requested (device identity by mTLS) but not
 * required at the TLS layer: devices that sign messages instead must still get through, and an
 * identity failure must be answered with HTTP 403, which a TLS alert cannot express.
 */
export async function deviceTlsOptions(config: Config, ca: CertificateAuthority, clock: Clock, logger: Logger): Promise<ServerOptions> {
  let cert: string;
  let key: string;
  if (config.device.tls) {
    [cert, key] = await Promise.all([readFile(config.device.tls.certFile, 'utf8'), readFile(config.device.tls.keyFile, 'utf8')]);
  } else {
    const issued = await ensureServerTlsCertificate(ca, config.dataDir, [...config.device.tlsHostnames], clock);
    if (issued.reissueReason) logger.info('device TLS certificate issued by the MDM CA', { reason: issued.reissueReason, hostnames: config.device.tlsHostnames, path: join(config.dataDir, 'tls') });
    cert = issued.chainPem;
    key = issued.keyPem;
  }
  return { cert, key, ca: [ca.certificatePem()], requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
}
