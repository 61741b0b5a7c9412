import { auditCommand } from './audit-command.js';
import { backupCommand } from './backup-command.js';
import { caCommand } from './ca-command.js';
import { certificateCommand } from './certificate-command.js';
import { configCommand } from './config-command.js';
import { enrollmentTokenCommand } from './enrollment-token-command.js';
import { enrollmentCommand } from './enrollment-command.js';
import { pushCommand } from './push-command.js';
import { groupCommand } from './group-command.js';
import { policyCommand } from './policy-command.js';
import { profileCommand } from './profile-command.js';
import { projectionsCommand } from './projections-command.js';
import { serveCommand } from './serve-command.js';
import { tokenCommand } from './token-command.js';
import { userCommand } from './user-command.js';

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** The command's help; `args` are the words after the command, for commands with subcommands. */
  help(args?: readonly string[]): string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: readonly CliCommand[] = [serveCommand, configCommand, caCommand, backupCommand, enrollmentTokenCommand, enrollmentCommand, userCommand, groupCommand, profileCommand, policyCommand, pushCommand, certificateCommand, projectionsCommand, auditCommand, tokenCommand];

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
