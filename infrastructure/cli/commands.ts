import { backupCommand } from './backup-command.js';
import { caCommand } from './ca-command.js';
import { configCommand } from './config-command.js';
import { enrollmentTokenCommand } from './enrollment-token-command.js';
import { groupCommand } from './group-command.js';
import { profileCommand } from './profile-command.js';
import { serveCommand } from './serve-command.js';

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  help(): string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: readonly CliCommand[] = [serveCommand, configCommand, caCommand, backupCommand, enrollmentTokenCommand, groupCommand, profileCommand];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: mdm <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'mdm <command> --help' for a command's options.",
    '',
  ].join('\n');
}
