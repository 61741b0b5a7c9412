import { ConfigError, loadConfig } from '../config/load-config.js';
import { ensurePrivateDirectory } from '../pki/private-files.js';
import type { CliCommand } from './commands.js';
import { usageError } from './options.js';
import { pushCsr } from './push-csr-command.js';
import { pushHelp } from './push-help.js';
import { pushShow } from './push-show-command.js';
import { pushUpload } from './push-upload-command.js';

const SUBCOMMANDS = { csr: pushCsr, upload: pushUpload, show: pushShow } as const;

export const pushCommand: CliCommand = {
  name: 'push',
  summary: 'Request, install or show the APNs push certificate.',
  help: pushHelp,
  async run(args) {
    const [sub, ...rest] = args;
    const run = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub as keyof typeof SUBCOMMANDS] : undefined;
    if (!run) return usageError('push', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) return usageError('push', `configuration error: ${error.message}`);
      throw error;
    }
    try {
      // As the server does at start: the store and push/ live there.
      await ensurePrivateDirectory(config.dataDir);
      return await run(rest, config);
    } catch (error) {
      // Expected refusals carry a message for the operator; a stack would only hide it.
      process.stderr.write(`mdm push ${sub}: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
