import { ipAddressBytes } from '../../../pki/ip-address.js';
import { mappedIpv4 } from './ipv4-mapped.js';

/** One address block: the network's octets (4 or 16) and how many leading bits must match. */
interface Cidr {
  readonly network: Buffer;
  readonly prefixLength: number;
}

export type AddressMatcher = (address: string | undefined) => boolean;

/**
 * Matches TCP peer addresses against CIDR blocks ("10.0.0.0/8", "fd00::/8"; a bare address is a
 * single host). A dual-stack socket reports IPv4 peers as "::ffff:a.b.c.d", so those are tried
 * both as IPv6 and as the IPv4 address they carry. Throws on a malformed block: it is
 * configuration, read once at startup.
 */
export function cidrMatcher(blocks: readonly string[]): AddressMatcher {
  const cidrs = blocks.map(parseCidr);
  if (cidrs.length === 0) return () => false;
  return (address) => {
    if (typeof address !== 'string') return false;
    const candidates = addressForms(address);
    return candidates.some((bytes) => cidrs.some((cidr) => contains(cidr, bytes)));
  };
}

export function parseCidr(block: string): Cidr {
  const text = typeof block === 'string' ? block.trim() : '';
  const slash = text.indexOf('/');
  const network = ipAddressBytes(slash < 0 ? text : text.slice(0, slash));
  if (!network) throw new Error(`"${String(block)}" is not an IPv4 or IPv6 CIDR block`);
  const maxLength = network.length * 8;
  if (slash < 0) return { network, prefixLength: maxLength };
  const lengthText = text.slice(slash + 1);
  const prefixLength = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(prefixLength >= 0 && prefixLength <= maxLength)) {
    throw new Error(`"${block}" has a prefix length outside 0..${maxLength}`);
  }
  return { network, prefixLength };
}

function addressForms(address: string): Buffer[] {
  const bytes = ipAddressBytes(address);
  if (!bytes) return [];
  const ipv4 = mappedIpv4(bytes);
  return ipv4 ? [bytes, ipv4] : [bytes];
}

function contains(cidr: Cidr, address: Buffer): boolean {
  if (address.length !== cidr.network.length) return false;
  const wholeBytes = cidr.prefixLength >> 3;
  if (!address.subarray(0, wholeBytes).equals(cidr.network.subarray(0, wholeBytes))) return false;
  const remainingBits = cidr.prefixLength & 7;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return (address[wholeBytes]! & mask) === (cidr.network[wholeBytes]! & mask);
}
