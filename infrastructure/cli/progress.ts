/**
 * Progress lines on stderr for long runs: at most one per `intervalMs`, none at all for a run
 * shorter than that, so quick commands and scripts see only their output.
 */
export function progressLine(command: string, intervalMs = 2_000, write: (text: string) => void = (t) => process.stderr.write(t)): (message: () => string) => void {
  let next = Date.now() + intervalMs;
  return (message) => {
    const now = Date.now();
    if (now < next) return;
    next = now + intervalMs;
    write(`mdm ${command}: ${message()}\n`);
  };
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 date, or date and time with a zone (Z or ±hh:mm); a bare date is midnight UTC. */
export function parseIsoTime(text: string): Date | undefined {
  if (!ISO.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}
