/** Devices with a slightly slow clock would otherwise reject a certificate issued moments ago. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Whole seconds, because that is all UTCTime/GeneralizedTime carry: reported dates equal the certificate's. */
export function validityWindow(now: Date, validityDays: number): ValidityWindow {
  return {
    notBefore: wholeSeconds(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
    notAfter: wholeSeconds(now.getTime() + validityDays * DAY_MS),
  };
}

function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
