import type { Request } from 'express';
import { isIP } from 'node:net';
import type { AddressMatcher } from '../identity/cidr.js';

/**
 * The address a request comes from, for rate limits: the peer, or, when the peer is a trusted proxy
 * (MDM_TRUSTED_PROXY_CIDRS), the nearest X-Forwarded-For hop that is not one of ours. Hops further
 * left were written by the client and prove nothing.
 */
export function clientAddress(req: Request, isTrustedProxy: AddressMatcher): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!isTrustedProxy(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  if (value.length === 0 || value.length > 2048) return peer;
  const hops = value.split(',').map((hop) => hop.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer;
    if (!isTrustedProxy(hop)) return hop;
  }
  return peer;
}
