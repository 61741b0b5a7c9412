import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server, ServerOptions } from 'node:https';
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
    ({ cert, key } = (await issuedByCa(config, ca, clock, logger)) ?? (await issuedByCa(config, ca, clock, logger, true))!);
  }
  return { cert, key, ca: [ca.certificatePem()], requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
}

/** The CA-issued certificate: only when it was (re)issued just now, unless `always`. */
async function issuedByCa(config: Config, ca: CertificateAuthority, clock: Clock, logger: Logger, always = false): Promise<{ cert: string; key: string } | undefined> {
  const issued = await ensureServerTlsCertificate(ca, config.dataDir, [...config.device.tlsHostnames], clock);
  if (issued.reissueReason) logger.info('device TLS certificate issued by the MDM CA', { reason: issued.reissueReason, hostnames: config.device.tlsHostnames, path: join(config.dataDir, 'tls') });
  return issued.reissueReason || always ? { cert: issued.chainPem, key: issued.keyPem } : undefined;
}

/**
 * A long-running server must not drift into serving an expired certificate: check once a day
 * (and whenever called) and swap a reissued certificate into the live listener without a restart.
 * Operator-supplied certificates are the operator's to renew.
 */
export function deviceTlsRenewal(config: Config, ca: CertificateAuthority, clock: Clock, logger: Logger, server: Server): { check(): Promise<boolean>; stop(): void } {
  const check = async (): Promise<boolean> => {
    if (config.device.tls) return false;
    const renewed = await issuedByCa(config, ca, clock, logger);
    if (!renewed) return false;
    server.setSecureContext({ cert: renewed.cert, key: renewed.key, ca: [ca.certificatePem()], minVersion: 'TLSv1.2' });
    return true;
  };
  const timer = setInterval(() => {
    check().catch((error: unknown) => logger.error('device TLS certificate renewal failed', { error }));
  }, 24 * 60 * 60 * 1000);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
