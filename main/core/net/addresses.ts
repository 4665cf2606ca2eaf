import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * Client addresses as LexDesk counts them: an IPv4 client on a dual-stack socket
 * ("::ffff:10.0.0.5") is its IPv4 address, and IPv6 clients are grouped by /64, the
 * block one subscriber gets (a single machine can use billions of its addresses, so
 * limits per exact IPv6 address would limit nothing).
 */
export function clientKey(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const plain = unmapped(address);
  if (isIP(plain) !== 6) return plain;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** "::ffff:10.0.0.5" → "10.0.0.5"; anything else unchanged (a zone id such as %eth0 is dropped). */
export function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  return address.replace(/%.*$/, '');
}

/** The eight 16-bit groups of an IPv6 address, as four lower-case hex digits each. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  // an embedded IPv4 tail (::ffff:1.2.3.4 not caught above, or 64:ff9b::1.2.3.4)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.padStart(4, '0'));
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = unmapped(address);
  return plain === '::1' || plain.startsWith('127.');
}

/** "10.0.0.5, 192.168.1.0/24, ::1" as a BlockList (entries already checked by the configuration). */
export function addressMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    if (!family) return false;
    return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
