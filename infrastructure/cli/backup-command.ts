import { backupDataDir } from '../backup/backup.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';

const HELP = `Usage: mdm backup --out DIR

Writes a consistent copy of the data directory to DIR (which must not exist or be empty), safe to
run while the server is running:
  events.db        an online SQLite backup of the embedded event store (a consistent snapshot)
  ca/              the CA certificate and key
  tls/             the device listener's certificate and key
  secrets.key      the key that seals secrets in events (from MDM_SECRETS_KEY_FILE if set)
  push/            the push certificate and keys of the data directory (push.pem, push.key and a
                   pending request's pending.key), and those named by MDM_PUSH_* (push-cert.pem +
                   push-key.pem, or push.p12)
DIR is created with mode 0700: it holds private keys. To restore, point MDM_DATA_DIR at a copy of it
(and MDM_SECRETS_KEY_FILE / MDM_PUSH_* at the copied files if you set them before).

Without the CA key every device must re-enroll; without the secrets key sealed secrets (unlock
tokens, profile payloads) are lost. With MDM_EVENT_STORE=esdb the events live in EventStoreDB:
back that up with its own tools; this command still saves the keys.
`;

export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'Write a consistent copy of the data directory and keys (safe while the server runs).',
  help: () => HELP,
  async run(args) {
    const options = parseOptions(args, { out: { type: 'string' } });
    if (!options.ok) return usageError('backup', options.message);
    const out = options.parsed.values.out;
    if (!out) return usageError('backup', '--out DIR is required');
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) return usageError('backup', `configuration error: ${error.message}`);
      throw error;
    }
    try {
      const written = await backupDataDir(config, out, (line) => process.stderr.write(`  ${line}\n`));
      process.stdout.write(`backup written to ${out}:\n${written.map((w) => `  ${w}`).join('\n')}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`mdm backup: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
