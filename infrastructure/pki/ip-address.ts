import { isIPv4, isIPv6 } from 'node:net';

/**
 * The octets an iPAddress GeneralName carries (4 for IPv4, 16 for IPv6), or undefined when `text`
 * is not an IP literal. Zone ids ("fe80::1%eth0") are refused: they mean nothing off the host.
 */
export function ipAddressBytes(text: string): Buffer | undefined {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const groups = ipv6Groups(embeddedIpv4AsGroups(text));
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

function embeddedIpv4AsGroups(text: string): string {
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (!tail.includes('.')) return text;
  const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
  return `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function ipv6Groups(text: string): string[] {
  const [head, tail] = text.split('::') as [string, string | undefined];
  if (tail === undefined) return head.split(':');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups];
}
