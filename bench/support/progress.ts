/** Progress goes to stderr so stdout stays the summary (and, with --json, ends with the JSON line). */
export const progress = (message: string): void => void process.stderr.write(`  ${message}\n`);

/** Parses a whole-number option, or says which one is wrong and exits with 2. */
export function wholeNumber(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} takes a whole number >= ${min}, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}
