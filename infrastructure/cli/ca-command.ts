import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pkcs12ToPem } from '../apns/push-credentials.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { FileCertificateAuthority } from '../pki/file-certificate-authority.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';

const HELP = `Usage: mdm ca <init|show|import> [options]

The MDM's certificate authority, kept in <MDM_DATA_DIR>/ca (ca.pem, ca.key). It signs every device
identity: losing its key, or replacing the CA, means every device must re-enroll. Back it up
('mdm backup') and keep it out of reach.

  mdm ca init      Create the CA if there is none (the server also does this on first start).
  mdm ca show      Print the CA's subject, validity, serial and SHA-256 fingerprint.
  mdm ca import    Use an existing CA instead of creating one (only into a data dir without a CA):
                     --cert FILE --key FILE   PEM certificate and private key (PKCS#1/PKCS#8, may be
                                              encrypted: passphrase from $MDM_IMPORT_KEY_PASSPHRASE)
                     --p12 FILE               PKCS#12 bundle (password from $MDM_IMPORT_P12_PASSWORD)

Environment: MDM_DATA_DIR, and MDM_CA_KEY_PASSPHRASE to keep the CA key encrypted at rest.
Secrets are read from the environment, never from the command line (which other users can see).
`;

function describe(ca: FileCertificateAuthority): string {
  const x509 = new X509Certificate(ca.certificatePem());
  return [
    `directory:   ${ca.directory}`,
    `subject:     ${x509.subject.replace(/\n/g, ', ')}`,
    `serial:      ${x509.serialNumber.toLowerCase()}`,
    `valid from:  ${new Date(x509.validFrom).toISOString()}`,
    `valid until: ${new Date(x509.validTo).toISOString()}`,
    `sha256:      ${x509.fingerprint256}`,
    `key:         ${x509.publicKey.asymmetricKeyType} ${x509.publicKey.asymmetricKeyDetails?.modulusLength ?? ''}`.trimEnd(),
    '',
  ].join('\n');
}

export const caCommand: CliCommand = {
  name: 'ca',
  summary: 'Create, show or import the certificate authority.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) return usageError('ca', `configuration error: ${error.message}`);
      throw error;
    }
    const dir = join(config.dataDir, 'ca');
    const passphrase = config.caKeyPassphrase ? { passphrase: config.caKeyPassphrase } : {};
    try {
      switch (sub) {
        case 'init': {
          const existed = await FileCertificateAuthority.exists(dir);
          const ca = await FileCertificateAuthority.openOrCreate(dir, passphrase);
          process.stdout.write(`${existed ? 'CA already present' : 'CA created'}\n${describe(ca)}`);
          return 0;
        }
        case 'show': {
          if (!(await FileCertificateAuthority.exists(dir))) {
            process.stderr.write(`mdm ca: no CA in ${dir} (run 'mdm ca init' or start the server)\n`);
            return 1;
          }
          process.stdout.write(describe(await FileCertificateAuthority.openOrCreate(dir, passphrase)));
          return 0;
        }
        case 'import': {
          const options = parseOptions(rest, { cert: { type: 'string' }, key: { type: 'string' }, p12: { type: 'string' } });
          if (!options.ok) return usageError('ca', options.message);
          const { cert, key, p12 } = options.parsed.values;
          let certPem: string;
          let keyPem: string;
          if (p12 && !cert && !key) {
            ({ certPem, keyPem } = pkcs12ToPem(await readFile(p12), process.env['MDM_IMPORT_P12_PASSWORD'] ?? ''));
          } else if (cert && key && !p12) {
            [certPem, keyPem] = await Promise.all([readFile(cert, 'utf8'), readFile(key, 'utf8')]);
          } else {
            return usageError('ca', 'give either --cert and --key, or --p12');
          }
          const importPassphrase = process.env['MDM_IMPORT_KEY_PASSPHRASE'];
          const privateKey = createPrivateKey(importPassphrase && keyPem.includes('ENCRYPTED') ? { key: keyPem, passphrase: importPassphrase } : keyPem);
          const ca = await FileCertificateAuthority.import(dir, certPem, privateKey, passphrase);
          process.stdout.write(`CA imported\n${describe(ca)}`);
          return 0;
        }
        default:
          return usageError('ca', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
      }
    } catch (error) {
      process.stderr.write(`mdm ca ${sub}: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
