/**
 * A device request refused for its identity (no certificate, foreign CA, UDID not matching the
 * binding, a certificate bound to another device). Kept for security review; recorded at most once
 * per source and reason per minute so that unauthenticated traffic cannot grow the store.
 */
export type DeviceIdentityRefused = {
  readonly type: 'DeviceIdentityRefused';
  readonly data: {
    readonly reason: string;
    readonly remoteAddress: string;
    readonly udid?: string;
    readonly certificateHash?: string;
    readonly refusedAt: string;
  };
};

/** Daily streams keep each one bounded and make "what happened on day X" one read. */
export const securityStreamId = (isoTime: string): string => `security-${isoTime.slice(0, 10)}`;
