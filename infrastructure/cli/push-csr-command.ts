import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { topicOf } from '../apns/push-certificate-facts.js';
import { activePushCertificate } from '../apns/push-credential-source.js';
import { createPushCsr, csrDerToPem, pushCsrSubjectProblem, type PushCsrSubject } from '../apns/push-csr.js';
import { pushDataDirPaths } from '../apns/push-data-dir.js';
import { vendorSignedPushRequest, type MdmVendor } from '../apns/vendor-signed-request.js';
import type { Config } from '../config/config.js';
import { readCertificates } from '../pki/certificate-file.js';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from '../pki/private-files.js';
import { encodeStoredKey, isEncryptedKeyPem } from '../pki/stored-key.js';
import { parseOptions, usageError } from './options.js';

const DEFAULT_COMMON_NAME = 'MDM Push Certificate';

/** `mdm push csr`: a new pending key and the request (plain, or signed by an MDM vendor) for it. */
export async function pushCsr(args: string[], config: Config): Promise<number> {
  const options = parseOptions(args, {
    out: { type: 'string' },
    force: { type: 'boolean' },
    'common-name': { type: 'string' },
    email: { type: 'string' },
    country: { type: 'string' },
    'vendor-cert': { type: 'string' },
    'vendor-key': { type: 'string' },
    'vendor-chain': { type: 'string', multiple: true },
  });
  if (!options.ok) return usageError('push csr', options.message);
  const v = options.parsed.values;
  const subject: PushCsrSubject = { commonName: v['common-name'] ?? DEFAULT_COMMON_NAME, ...(v.email ? { email: v.email } : {}), ...(v.country ? { country: v.country } : {}) };
  const problem = pushCsrSubjectProblem(subject);
  if (problem) return usageError('push csr', problem);
  if (Boolean(v['vendor-cert']) !== Boolean(v['vendor-key'])) return usageError('push csr', '--vendor-cert and --vendor-key go together');
  if (v['vendor-chain'] && !v['vendor-cert']) return usageError('push csr', '--vendor-chain needs --vendor-cert and --vendor-key');

  // Everything the operator gave is read before a key is made: a typo costs nothing.
  const vendor = v['vendor-cert'] && v['vendor-key'] ? await readVendor(v['vendor-cert'], v['vendor-key'], v['vendor-chain'] ?? []) : undefined;
  const paths = pushDataDirPaths(config.dataDir);
  const pending = await stat(paths.pendingKey).catch(() => undefined);
  if (pending && !v.force) {
    process.stderr.write(
      `mdm push csr: a request made on ${pending.mtime.toISOString()} is still pending (${paths.pendingKey}): ` +
        `upload the certificate Apple issued for it ('mdm push upload'), or run again with --force to replace its key\n`,
    );
    return 1;
  }

  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const csrDer = createPushCsr(privateKey, subject);
  const output = vendor ? vendorSignedPushRequest(csrDer, vendor, new Date()) : csrDerToPem(csrDer);
  await ensurePrivateDirectory(paths.directory);
  await writeFileAtomic(paths.pendingKey, encodeStoredKey(privateKey, config.caKeyPassphrase), { mode: 0o600, overwrite: Boolean(v.force) });
  try {
    if (v.out) await writeFile(v.out, output, { mode: 0o644 });
    else process.stdout.write(vendor ? `${output}\n` : output);
  } catch (error) {
    // No request reached the operator: a key nobody can get a certificate for is only in the way.
    await unlink(paths.pendingKey).catch(() => undefined);
    throw error;
  }

  const active = await activePushCertificate(config).catch(() => undefined);
  const topic = active && topicOf(active.certPem);
  process.stderr.write(
    [
      `key kept in ${paths.pendingKey}${config.caKeyPassphrase ? ' (encrypted with MDM_CA_KEY_PASSPHRASE)' : ''}`,
      `${vendor ? 'vendor-signed push certificate request' : 'certificate signing request'} written to ${v.out ?? 'stdout'}`,
      topic
        ? `next: at identity.apple.com, "Renew" the certificate for ${topic} with this request (same Apple ID), then 'mdm push upload <certificate>'`
        : `next: at identity.apple.com, create a certificate with this request, then 'mdm push upload <certificate>'`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function readVendor(certFile: string, keyFile: string, chainFiles: readonly string[]): Promise<MdmVendor> {
  const [certificate] = readCertificates(await readFile(certFile), `--vendor-cert ${certFile}`);
  const chain = [];
  for (const file of chainFiles) chain.push(...readCertificates(await readFile(file), `--vendor-chain ${file}`));
  const keyPem = (await readFileIfExists(keyFile))?.toString('utf8');
  if (keyPem === undefined) throw new Error(`--vendor-key ${keyFile} does not exist`);
  return { certificate: certificate!, privateKey: openVendorKey(keyPem, keyFile), chain };
}

function openVendorKey(pem: string, file: string): KeyObject {
  const passphrase = process.env['MDM_VENDOR_KEY_PASSPHRASE'];
  if (isEncryptedKeyPem(pem) && !passphrase) throw new Error(`the MDM vendor key ${file} is encrypted: set MDM_VENDOR_KEY_PASSPHRASE`);
  try {
    return createPrivateKey(isEncryptedKeyPem(pem) ? { key: pem, passphrase: passphrase! } : pem);
  } catch {
    throw new Error(`the MDM vendor key ${file} is not a PEM private key${isEncryptedKeyPem(pem) ? ' (is MDM_VENDOR_KEY_PASSPHRASE right?)' : ''}`);
  }
}
