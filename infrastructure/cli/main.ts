#!/usr/bin/env node
import { COMMANDS, helpText } from './commands.js';

/** `mdm <command> [options]`. Exit codes: 0 ok, 1 failure, 2 usage or configuration error. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? COMMANDS.find((c) => c.name === topic) : undefined;
    process.stdout.write(command ? command.help(rest.slice(1)) : helpText());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`mdm: unknown command ${JSON.stringify(name)}\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help(rest));
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mdm: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
