import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.js';

/**
 * Profiles are signed with the device listener's own TLS identity (the name devices see), when its
 * key is RSA (node-forge signs RSA only); otherwise they are served unsigned.
 */
export async function profileSigner(config: Config): Promise<{ signer?: { certPem: string; keyPem: string; chainPem: string[] } }> {
  const files = config.device.tls ?? { certFile: join(config.dataDir, 'tls', 'server.pem'), keyFile: join(config.dataDir, 'tls', 'server.key') };
  const [chain, keyPem] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  if (createPrivateKey(keyPem).asymmetricKeyType !== 'rsa') return {};
  const [certPem, ...rest] = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  // The rest of the chain goes along, so a device can verify a publicly issued signer.
  return certPem ? { signer: { certPem, keyPem, chainPem: rest } } : {};
}
