import { parseArgs, type ParseArgsConfig } from 'node:util';

/** parseArgs with a usage error instead of an exception: the caller prints it and exits 2. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return { ok: true as const, parsed: parseArgs({ args, options, allowPositionals, strict: true }) };
  } catch (error) {
    return { ok: false as const, message: (error as Error).message };
  }
}

/** Reads a configuration or exits with the one-line configuration error. */
export function usageError(command: string, message: string): number {
  process.stderr.write(`mdm ${command}: ${message} (see 'mdm ${command} --help')\n`);
  return 2;
}
