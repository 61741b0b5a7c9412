import { createPrivateKey, generateKeyPair, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Clock } from '../../application/ports/clock.js';
import { subjectAltNameEntries } from './certificate-fields.js';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from './private-files.js';
import { parseSubjectAltName, subjectAltNameKey } from './subject-alt-names.js';

export interface ServerTlsCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The server certificate followed by the CA certificate, for servers that send the chain. */
  readonly chainPem: string;
  /** Why a new certificate was issued on this call; undefined when the stored one was kept. */
  readonly reissueReason?: string;
}

/** Apple refuses TLS server certificates valid for more than 398 days. */
const VALIDITY_DAYS = 397;
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_COMMON_NAME = 64;

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The device listener's certificate, kept in `<dir>/tls/server.pem` + `server.key` and reissued by
 * `ca` whenever it no longer fits: so an operator changing the public hostname, or the CA being
 * replaced, needs no manual step.
 */
export async function ensureServerTlsCertificate(
  ca: CertificateAuthority,
  dir: string,
  hostnames: string[],
  clock: Clock,
): Promise<ServerTlsCertificate> {
  const wanted = sanKeys(hostnames);
  const tlsDir = join(dir, 'tls');
  const certPath = join(tlsDir, 'server.pem');
  const keyPath = join(tlsDir, 'server.key');
  await ensurePrivateDirectory(tlsDir);

  const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)]);
  const reason = cert && key ? reasonToReissue(ca, cert.toString(), key.toString(), wanted, clock.now()) : 'missing';
  if (!reason) return withChain(ca, cert!.toString(), key!.toString());

  // RSA 2048 rather than EC: the widest device and proxy compatibility.
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const issued = await ca.issue({
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    subject: { commonName: hostnames.find((h) => h.length <= MAX_COMMON_NAME) ?? 'MDM server' },
    profile: 'tls-server',
    validityDays: VALIDITY_DAYS,
    subjectAltNames: hostnames,
  });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Key first: after a crash in between, the old certificate no longer matches the key and is
  // reissued on the next start.
  await writeFileAtomic(keyPath, keyPem, { mode: 0o600, overwrite: true });
  await writeFileAtomic(certPath, issued.pem, { mode: 0o644, overwrite: true });
  return { ...withChain(ca, issued.pem, keyPem), reissueReason: reason };
}

function reasonToReissue(
  ca: CertificateAuthority,
  certPem: string,
  keyPem: string,
  wanted: string,
  now: Date,
): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'key does not match certificate';
  } catch {
    return 'unreadable certificate or key';
  }
  if (!ca.verifyIssued(certPem, now)) return 'not issued by the current CA, or not yet/no longer valid';
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_MS) return 'expires within 30 days';
  if (certificateSanKeys(cert) !== wanted) return 'hostnames changed';
  return undefined;
}

function sanKeys(hostnames: readonly string[]): string {
  if (hostnames.length === 0) throw new Error('the server TLS certificate needs at least one hostname');
  const keys = hostnames.map((hostname) => {
    const san = parseSubjectAltName(hostname);
    if (!san) throw new Error(`"${hostname}" is neither a DNS name nor an IP address`);
    return subjectAltNameKey(san);
  });
  return [...new Set(keys)].sort().join(',');
}

function certificateSanKeys(cert: X509Certificate): string {
  const keys = subjectAltNameEntries(cert.raw).map(({ tag, bytes }) => {
    if (tag === 7) return subjectAltNameKey({ kind: 'ip', text: '', bytes });
    if (tag === 2) return subjectAltNameKey({ kind: 'dns', name: bytes.toString('latin1').toLowerCase() });
    return `other:${tag}:${bytes.toString('hex')}`;
  });
  return [...new Set(keys)].sort().join(',');
}

function withChain(ca: CertificateAuthority, certPem: string, keyPem: string): ServerTlsCertificate {
  return { certPem, keyPem, chainPem: certPem + ca.certificatePem() };
}
