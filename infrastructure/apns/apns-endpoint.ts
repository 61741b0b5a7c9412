/** MDM pushes are only accepted by APNs' production host (MDM push certificates have no sandbox). */
export const APPLE_PRODUCTION_APNS_URL = 'https://api.push.apple.com';

export interface ApnsEndpoint {
  /** Host name or IP literal (without IPv6 brackets). */
  readonly address: string;
  /** 443, or 2197 where 443 is blocked outbound. */
  readonly port: number;
  /** True only for Apple's production host; anything else is a stand-in and wakes no real device. */
  readonly isApple: boolean;
}

export class ApnsEndpointError extends Error {
  override readonly name = 'ApnsEndpointError';
}

/** Parses MDM_APNS_URL: an https origin, nothing else. */
export function parseApnsUrl(url: string = APPLE_PRODUCTION_APNS_URL): ApnsEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApnsEndpointError(`APNs URL ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:') throw new ApnsEndpointError(`APNs URL ${url} must use https (HTTP/2 over TLS)`);
  if (parsed.username || parsed.password) throw new ApnsEndpointError('APNs URL must not carry credentials');
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
    throw new ApnsEndpointError(`APNs URL ${url} must be an origin only (the path /3/device/<token> is added per push)`);
  }
  const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 443 : Number(parsed.port);
  return { address, port, isApple: address === 'api.push.apple.com' };
}
