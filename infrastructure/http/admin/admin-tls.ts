import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import type { Config } from '../../config/config.js';

/**
 * HTTPS for the admin listener when the operator gives a certificate. With a client CA, clients
 * (VPN gateways, automation) may present certificates; bearer tokens still decide what they may do.
 */
export function adminTlsOptions(config: Config): ServerOptions | undefined {
  const tls = config.admin.tls;
  if (!tls) return undefined;
  return {
    cert: readFileSync(tls.certFile, 'utf8'),
    key: readFileSync(tls.keyFile, 'utf8'),
    minVersion: 'TLSv1.2',
    ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile, 'utf8'), requestCert: true, rejectUnauthorized: false } : {}),
  };
}
