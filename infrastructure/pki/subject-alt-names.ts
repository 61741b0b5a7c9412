import { ipAddressBytes } from './ip-address.js';

export type SubjectAltName =
  | { readonly kind: 'dns'; readonly name: string }
  | { readonly kind: 'ip'; readonly text: string; readonly bytes: Buffer };

// LDH labels, optionally one leading wildcard label; no trailing dot (not valid in a SAN).
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Classifies one SAN entry; undefined when it is neither an IP literal nor a valid DNS name. */
export function parseSubjectAltName(entry: string): SubjectAltName | undefined {
  const bytes = ipAddressBytes(entry);
  if (bytes) return { kind: 'ip', text: entry, bytes };
  const name = entry.toLowerCase();
  if (name.length > 253 || !DNS_NAME.test(name)) return undefined;
  return { kind: 'dns', name };
}

/**
 * A comparable key for a SAN entry: DNS names compare case-insensitively and IP literals by their
 * octets, so "::1" and "0:0:0:0:0:0:0:1" are the same entry.
 */
export function subjectAltNameKey(san: SubjectAltName): string {
  return san.kind === 'dns' ? `dns:${san.name}` : `ip:${san.bytes.toString('hex')}`;
}
