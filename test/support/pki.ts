import { createHash, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { IssuedCertificate } from '../../application/ports/certificate-authority.js';
import type { Clock } from '../../application/ports/clock.js';
import { derToPem } from '../../infrastructure/pki/der.js';
import { NAME_OID } from '../../infrastructure/pki/distinguished-name.js';
import { issuerIdentity } from '../../infrastructure/pki/issuer-identity.js';
import { LocalCertificateAuthority } from '../../infrastructure/pki/local-certificate-authority.js';
import { createSelfSignedCa } from '../../infrastructure/pki/self-signed-ca.js';
import { randomSerialNumber } from '../../infrastructure/pki/serial-number.js';
import { validityWindow } from '../../infrastructure/pki/validity.js';
import { issueCertificate } from '../../infrastructure/pki/x509.js';

/**
 * Test fixtures for certificates, in memory only. RSA key generation dominates the cost, so keys
 * come from small pools filled lazily once per process; CA keys and leaf keys come from separate
 * pools so a leaf never shares its CA's key.
 */

export interface TestKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

export interface TestCa {
  readonly certPem: string;
  readonly keyPem: string;
  readonly privateKey: KeyObject;
  readonly ca: LocalCertificateAuthority;
}

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
  readonly issued?: IssuedCertificate;
}

const CA_POOL_SIZE = 3;
const LEAF_POOL_SIZE = 4;
const pools = { ca: [] as TestKeyPair[], leaf: [] as TestKeyPair[] };
const cursors = { ca: 0, leaf: 0 };

/** The next key of a pool; up to CA_POOL_SIZE consecutive CAs get distinct keys. */
export function pooledKeyPair(kind: 'ca' | 'leaf' = 'leaf'): TestKeyPair {
  const pool = pools[kind];
  const size = kind === 'ca' ? CA_POOL_SIZE : LEAF_POOL_SIZE;
  const index = cursors[kind]++ % size;
  if (!pool[index]) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pool[index] = {
      privateKey,
      publicKey,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
  return pool[index];
}

export async function createTestCa(name = 'Test MDM Root CA', options: { clock?: Clock } = {}): Promise<TestCa> {
  const { privateKey, privateKeyPem } = pooledKeyPair('ca');
  const created = await createSelfSignedCa({ commonName: name, privateKey, now: options.clock?.now() });
  return {
    certPem: created.certificatePem,
    keyPem: privateKeyPem,
    privateKey,
    ca: new LocalCertificateAuthority(created.certificatePem, privateKey, options.clock),
  };
}

export async function issueDeviceIdentity(testCa: TestCa, udid: string): Promise<TestCertificate> {
  const key = pooledKeyPair();
  const issued = await testCa.ca.issue({
    publicKeyPem: key.publicKeyPem,
    subject: { commonName: udid },
    profile: 'device-identity',
    validityDays: 365,
  });
  return { certPem: issued.pem, keyPem: key.privateKeyPem, der: issued.der, issued };
}

export async function issueServerCertificate(testCa: TestCa, hostnames: string[]): Promise<TestCertificate> {
  const key = pooledKeyPair();
  const issued = await testCa.ca.issue({
    publicKeyPem: key.publicKeyPem,
    subject: { commonName: hostnames[0] ?? 'localhost' },
    profile: 'tls-server',
    validityDays: 397,
    subjectAltNames: hostnames,
  });
  return { certPem: issued.pem, keyPem: key.privateKeyPem, der: issued.der, issued };
}

export interface PushCertificate extends TestCertificate {
  readonly topic: string;
  readonly uuid: string;
  readonly sha256: string;
}

/**
 * An APNs-style MDM push certificate: subject UID = topic ("com.apple.mgmt.External.<uuid>") and
 * CN = "APSP:<uuid>", as Apple issues them; a client-auth certificate signed by `testCa` instead
 * of Apple. The port's DistinguishedName has no UID, hence the lower-level builder.
 */
export async function createPushCertificate(testCa: TestCa, topic?: string): Promise<PushCertificate> {
  const uuid = /^com\.apple\.mgmt\.External\.(.+)$/.exec(topic ?? '')?.[1] ?? randomUUID();
  const resolvedTopic = topic ?? `com.apple.mgmt.External.${uuid}`;
  const key = pooledKeyPair();
  const der = issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      subject: [
        { oid: NAME_OID.userId, value: resolvedTopic },
        { oid: NAME_OID.commonName, value: `APSP:${uuid}` },
        { oid: NAME_OID.organizationalUnit, value: 'Test Push Team' },
        { oid: NAME_OID.organization, value: 'Test Push Org' },
        { oid: NAME_OID.country, value: 'US' },
      ],
      subjectPublicKey: key.publicKey,
      validity: validityWindow(new Date(), 365),
      profile: 'tls-client',
    },
    issuerIdentity(new X509Certificate(testCa.certPem), testCa.privateKey),
  );
  return {
    certPem: derToPem(der),
    keyPem: key.privateKeyPem,
    der,
    topic: resolvedTopic,
    uuid,
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}
