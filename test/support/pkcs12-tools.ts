import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import forge from 'node-forge';

/** What node-forge finds in a PKCS#12 opened with `password` (throws for a wrong one). */
export function openWithForge(der: Buffer, password: string): { keyPem: string; certificatesPem: string[] } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, password);
  const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  expect(keyBags, 'one encrypted key').to.have.length(1);
  return { keyPem: forge.pki.privateKeyToPem(keyBags[0]!.key!), certificatesPem: certBags.map((b) => forge.pki.certificateToPem(b.cert!)) };
}

/**
 * `openssl pkcs12 -nodes` as OpenSSL 1.1 and 3 both read it: 3 may want -legacy for 3DES (it is
 * retried with it). The password travels in the environment, not on the command line.
 */
export function opensslPkcs12(file: string, password: string): { status: number | null; stdout: string; stderr: string } {
  const run = (legacy: boolean) => spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'env:P12_PASSWORD', '-nodes', ...(legacy ? ['-legacy'] : [])], { encoding: 'utf8', env: { ...process.env, P12_PASSWORD: password } });
  const plain = run(false);
  return plain.status === 0 ? plain : run(true);
}

/** The first PEM certificate in openssl's output: the leaf, as `openssl pkcs12` prints it first. */
export const firstCertificatePem = (text: string): string => `${/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(text)![0]}\n`;
