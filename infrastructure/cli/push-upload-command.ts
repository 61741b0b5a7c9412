import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { systemClock } from '../../application/ports/clock.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { pkcs12ToPem, PushCredentialsError } from '../apns/push-credentials.js';
import { installPushCertificate, type PushUpload } from '../apns/push-installer.js';
import type { Config } from '../config/config.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import { readCertificates } from '../pki/certificate-file.js';
import { parseOptions, usageError } from './options.js';

/** `mdm push upload`: install the certificate Apple issued, or refuse it and change nothing. */
export async function pushUpload(args: string[], config: Config): Promise<number> {
  const options = parseOptions(args, { p12: { type: 'string' }, 'allow-topic-change': { type: 'boolean' } }, true);
  if (!options.ok) return usageError('push upload', options.message);
  const { values, positionals } = options.parsed;
  if (positionals.length > 1) return usageError('push upload', 'give one certificate file');
  const [file] = positionals;
  if ((file === undefined) === (values.p12 === undefined)) return usageError('push upload', 'give either a certificate FILE or --p12 FILE');

  let certificate: X509Certificate;
  let bundled: Pick<PushUpload, 'bundledKey'> = {};
  if (values.p12) {
    let bundle;
    try {
      bundle = pkcs12ToPem(await readFile(values.p12), process.env['MDM_IMPORT_P12_PASSWORD'] ?? '');
    } catch (error) {
      if (!(error instanceof PushCredentialsError)) throw error;
      throw new Error(`${values.p12} could not be read as a PKCS#12 bundle with one certificate and its key (is MDM_IMPORT_P12_PASSWORD right?)`, { cause: error });
    }
    const { certPem, keyPem } = bundle;
    certificate = new X509Certificate(certPem);
    bundled = { bundledKey: createPrivateKey(keyPem) };
  } else {
    // Apple's download holds one certificate; a file with more names the push certificate first.
    certificate = readCertificates(await readFile(file!), file!)[0]!;
  }

  const logger = jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) });
  const { store } = await openEventStore(config, logger);
  try {
    const installed = await installPushCertificate(config, store, systemClock, {
      certificate,
      ...bundled,
      allowTopicChange: values['allow-topic-change'] === true,
      actor: { kind: 'admin', id: process.env['USER'] ?? 'cli' },
    });
    const { facts, recorded } = installed;
    const days = Math.floor((Date.parse(facts.notAfter) - Date.now()) / 86_400_000);
    process.stdout.write(
      [
        recorded ? 'push certificate installed' : 'push certificate already installed (nothing new recorded)',
        `topic:       ${facts.topic}`,
        `serial:      ${facts.serialNumber}`,
        `sha256:      ${facts.sha256}`,
        `valid until: ${facts.notAfter} (${days} days)`,
        `key:         ${installed.keyFrom}`,
        ...(recorded?.replacedTopic ? [`TOPIC CHANGED from ${recorded.replacedTopic}: every device enrolled under it must re-enroll`] : []),
        '',
      ].join('\n'),
    );
    process.stderr.write(
      installed.shadowedByEnvironment
        ? 'note: MDM_PUSH_* is set, so the server keeps using that certificate: unset MDM_PUSH_CERT_FILE/MDM_PUSH_KEY_FILE/MDM_PUSH_P12_FILE and restart it to use this one\n'
        : 'restart the server to use it: a running server keeps the push certificate it started with\n',
    );
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'push-topic-change')) throw error;
    process.stderr.write(`mdm push upload: refused: ${error.message}.\nNothing was changed. If every device is to re-enroll, run again with --allow-topic-change.\n`);
    return 1;
  } finally {
    await store.close();
  }
}
