/** Binary plist dates count seconds from 2001-01-01T00:00:00Z (Core Foundation's absolute time). */
const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

export function dateFromAppleSeconds(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  const date = new Date(APPLE_EPOCH_MS + Math.round(seconds * 1000));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function appleSecondsFromDate(date: Date): number {
  return (date.getTime() - APPLE_EPOCH_MS) / 1000;
}
