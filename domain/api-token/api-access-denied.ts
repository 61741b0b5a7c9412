/**
 * An admin API call that was refused: who tried (the token, when one was valid), what (method and
 * route, never a query string or body), why, and from where. Recorded at most once per address and
 * reason per few seconds, so guessing tokens cannot flood the store. One stream per UTC day:
 * `api-access-denied-<YYYY-MM-DD>`.
 */
export type ApiAccessDenied = {
  readonly type: 'ApiAccessDenied';
  readonly data: {
    readonly status: 401 | 403;
    readonly reason: 'missing-token' | 'invalid-token' | 'forbidden-role' | 'client-certificate-required';
    readonly method: string;
    readonly route: string;
    readonly remoteAddress: string;
    readonly tokenId?: string;
    readonly role?: string;
    readonly deniedAt: string;
  };
};

export const apiAccessDeniedStreamId = (at: string): string => `api-access-denied-${at.slice(0, 10)}`;
