import { X509Certificate, type KeyObject } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { PushCertificateHistory, type PushCertificateInstallation } from '../../application/push/push-certificate-history.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Actor, EventStore } from '../../application/ports/event-store.js';
import type { PushCertificateFacts } from '../../domain/push/push-certificate.js';
import type { Config } from '../config/config.js';
import { derToPem } from '../pki/der.js';
import { ensurePrivateDirectory, writeFileAtomic } from '../pki/private-files.js';
import { encodeStoredKey } from '../pki/stored-key.js';
import { readPushCertificate, PushCertificateError } from './push-certificate.js';
import { pushCertificateFacts, topicOf } from './push-certificate-facts.js';
import { activePushCertificate } from './push-credential-source.js';
import { pushDataDirPaths, readPushKey } from './push-data-dir.js';

export interface PushUpload {
  /** The certificate Apple issued (the first certificate of the file). */
  readonly certificate: X509Certificate;
  /** Its key, when it came with it (a PKCS#12 bundle); otherwise the pending or current key. */
  readonly bundledKey?: KeyObject;
  readonly allowTopicChange: boolean;
  readonly actor: Actor;
}

export interface PushInstallation {
  readonly facts: PushCertificateFacts;
  readonly keyFrom: 'pending request' | 'current push key' | 'bundle';
  /** The event recorded; undefined when this certificate was already the installed one. */
  readonly recorded?: PushCertificateInstallation;
  /** MDM_PUSH_* is set: the server keeps using that certificate until it is unset. */
  readonly shadowedByEnvironment: boolean;
}

/**
 * `mdm push upload`: checks the certificate Apple issued against the keys this server holds, its
 * validity and its topic, records the installation, then makes it the active push certificate in
 * `<data>/push/`. The event comes first: a refusal (another topic) leaves everything as it was, and
 * a crash after it is repaired by uploading again (the same certificate records nothing twice).
 */
export async function installPushCertificate(config: Config, store: EventStore, clock: Clock, upload: PushUpload): Promise<PushInstallation> {
  const paths = pushDataDirPaths(config.dataDir);
  const passphrase = config.caKeyPassphrase;
  const certPem = derToPem(Buffer.from(upload.certificate.raw));
  const candidates: Array<[PushInstallation['keyFrom'], KeyObject | undefined]> = upload.bundledKey
    ? [['bundle', upload.bundledKey]]
    : [['pending request', await readPushKey(paths.pendingKey, passphrase)], ['current push key', await readPushKey(paths.key, passphrase)]];
  const present = candidates.filter((c): c is [PushInstallation['keyFrom'], KeyObject] => c[1] !== undefined);
  if (present.length === 0) throw new PushCertificateError(`there is no key for this certificate in ${paths.directory}: run 'mdm push csr' first and upload the certificate Apple issued for that request`);
  const facts = pushCertificateFacts(certPem);
  const now = clock.now();
  // Validity before the key: an expired certificate is reported as expired, whatever its key.
  if (Date.parse(facts.notAfter) <= now.getTime()) {
    throw new PushCertificateError(`the certificate for ${facts.topic} expired on ${facts.notAfter}: renew it for the same topic at identity.apple.com and upload the renewed one`);
  }
  const match = present.find(([, k]) => upload.certificate.checkPrivateKey(k));
  if (!match) {
    throw new PushCertificateError(
      upload.bundledKey
        ? 'the key in the bundle does not belong to its certificate'
        : `the certificate for ${facts.topic} belongs to neither the pending request's key (${paths.pendingKey}) nor the current push key (${paths.key}): upload the certificate Apple issued for the request made on this server ('mdm push csr')`,
    );
  }
  const [keyFrom, key] = match;
  // The same checks the server makes at start (not yet valid, among others).
  readPushCertificate(certPem, key.export({ type: 'pkcs8', format: 'pem' }).toString(), now);

  // An unreadable MDM_PUSH_* file is an error to fix first; an unreadable push.pem (the one being
  // replaced) leaves the last recorded installation to say which topic is in use.
  const active = await activePushCertificate(config);
  const activeTopic = active && topicOf(active.certPem);
  const recorded = await new PushCertificateHistory(store, clock).recordInstallation({
    certificate: facts,
    ...(activeTopic ? { topicInUse: activeTopic } : {}),
    allowTopicChange: upload.allowTopicChange,
    actor: upload.actor,
  });

  await ensurePrivateDirectory(paths.directory);
  // Certificate first: if the key write is interrupted, the pending key still lies beside it and
  // is found there at start (see readDataDirPushCredentials).
  await writeFileAtomic(paths.certificate, certPem, { mode: 0o600, overwrite: true });
  if (keyFrom !== 'current push key') await writeFileAtomic(paths.key, encodeStoredKey(key, passphrase), { mode: 0o600, overwrite: true });
  if (keyFrom === 'pending request') await unlink(paths.pendingKey);
  return { facts, keyFrom, ...(recorded ? { recorded } : {}), shadowedByEnvironment: config.apns.push !== undefined };
}
