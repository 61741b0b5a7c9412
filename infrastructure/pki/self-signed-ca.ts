import { createPublicKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { derToPem } from './der.js';
import { nameAttributes } from './distinguished-name.js';
import { randomSerialNumber } from './serial-number.js';
import { validityWindow } from './validity.js';
import { selfSignCertificate } from './x509.js';

export interface SelfSignedCaOptions {
  /** Default "MDM Root CA". */
  readonly commonName?: string;
  readonly organization?: string;
  /** Default 3072: the root outlives the devices' leaf certificates by years. */
  readonly keyBits?: 2048 | 3072;
  /** Default ten years. */
  readonly validityDays?: number;
  readonly now?: Date;
  /** Use this RSA key instead of generating one (tests reuse pre-generated keys). */
  readonly privateKey?: KeyObject;
}

export interface SelfSignedCa {
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM, unencrypted. */
  readonly privateKeyPem: string;
}

export const DEFAULT_CA_COMMON_NAME = 'MDM Root CA';
const TEN_YEARS_DAYS = 3652;

const generateKeyPairAsync = promisify(generateKeyPair);

export async function createSelfSignedCa(options: SelfSignedCaOptions = {}): Promise<SelfSignedCa> {
  const privateKey =
    options.privateKey ?? (await generateKeyPairAsync('rsa', { modulusLength: options.keyBits ?? 3072 })).privateKey;
  const subjectName = { commonName: options.commonName ?? DEFAULT_CA_COMMON_NAME, organization: options.organization };
  const der = selfSignCertificate(
    {
      serialNumber: randomSerialNumber(),
      subject: nameAttributes(subjectName),
      subjectPublicKey: createPublicKey(privateKey),
      validity: validityWindow(options.now ?? new Date(), options.validityDays ?? TEN_YEARS_DAYS),
      profile: 'ca',
    },
    privateKey,
  );
  return {
    certificatePem: derToPem(der),
    certificate: new X509Certificate(der),
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
