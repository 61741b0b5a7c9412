import { X509Certificate } from 'node:crypto';
import { buildXmlPlist } from '../plist/index.js';
import type { PlistInput } from '../plist/plist-value.js';
import { CONTENT_CIPHERS } from '../scep/content-cipher.js';
import { sealEnvelope } from '../scep/enveloped-data.js';

const AES_256_CBC = '2.16.840.1.101.3.4.1.42';

export class ProfileEncryptionError extends Error {
  override readonly name = 'ProfileEncryptionError';
}

/**
 * An encrypted configuration profile as Apple's format has it: the top level keeps its metadata,
 * and `EncryptedPayloadContent` holds a CMS EnvelopedData (RSA key transport, AES-256-CBC) of the
 * serialized PayloadContent array, readable only with the recipient certificate's key.
 */
export function encryptProfileContent(profile: Record<string, PlistInput>, recipientCertificateDer: Buffer): Record<string, PlistInput> {
  const { PayloadContent: content, ...metadata } = profile;
  if (!Array.isArray(content)) throw new ProfileEncryptionError('the profile has no PayloadContent array');
  const recipientKey = new X509Certificate(recipientCertificateDer).publicKey;
  if (recipientKey.asymmetricKeyType !== 'rsa') throw new ProfileEncryptionError('profiles are encrypted to RSA keys only');
  const plaintext = Buffer.from(buildXmlPlist(content), 'utf8');
  const envelope = sealEnvelope(plaintext, recipientCertificateDer, CONTENT_CIPHERS.get(AES_256_CBC)!, recipientKey);
  return { ...metadata, IsEncrypted: true, EncryptedPayloadContent: envelope };
}
