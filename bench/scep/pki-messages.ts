import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { withDerSignedAttributes } from './der-signed-attributes.js';
import type { TestKeyPair } from '../../test/support/pki.js';
import { buildPkiMessage, selfSignedSigner, type ClientCipher, type ScepClientIdentity } from '../../test/support/scep-client-message.js';

export interface PreparedMessage {
  readonly der: Buffer;
  readonly transactionId: string;
}

/** RSA-2048 client keys with their self-signed signer certificates, made once: generating them per request would dominate. */
export function clientPool(size: number): ScepClientIdentity[] {
  return Array.from({ length: size }, (_, i) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key: TestKeyPair = {
      privateKey,
      publicKey,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    return selfSignedSigner(key, `bench-client-${i}`);
  });
}

/**
 * PKCSReq messages for one server, encrypted to its recipient certificate. Every message has its own
 * transaction id and commonName: scepserver refuses a second certificate for a CN it has issued.
 */
export function pkiMessages(count: number, clients: readonly ScepClientIdentity[], recipientPem: string, options: { challenge: string; cipher: ClientCipher; prefix: string }): PreparedMessage[] {
  const run = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, i) => {
    const transactionId = randomBytes(20).toString('hex');
    const client = clients[i % clients.length]!;
    const unsorted = buildPkiMessage(client, recipientPem, {
      commonName: `${options.prefix}-${run}-${i}`,
      challenge: options.challenge,
      cipher: options.cipher,
      digest: 'sha256',
      transactionId,
    });
    const der = withDerSignedAttributes(unsorted, client.key.privateKey);
    return { der, transactionId };
  });
}
