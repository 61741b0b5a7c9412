const IPV4_MAPPED_PREFIX = Buffer.from('00000000000000000000ffff', 'hex');

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), as 4 octets; undefined for
 * anything else. Dual-stack sockets report IPv4 peers this way.
 */
export function mappedIpv4(address: Buffer): Buffer | undefined {
  return address.length === 16 && address.subarray(0, 12).equals(IPV4_MAPPED_PREFIX) ? address.subarray(12) : undefined;
}
