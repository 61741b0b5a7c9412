import { ConfigError, describeConfig, loadConfig } from '../config/load-config.js';
import type { CliCommand } from './commands.js';
import { environmentHelp } from './environment-help.js';

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'Validate the environment and print the effective configuration (secrets hidden).',
  help: () => ['Usage: mdm config', '', 'Exits 2 with one line naming the variable when the configuration is invalid.', '', environmentHelp()].join('\n'),
  async run() {
    try {
      process.stdout.write(`${JSON.stringify(describeConfig(loadConfig()), null, 2)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`mdm: configuration error: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  },
};
