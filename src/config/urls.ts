import dns from 'node:dns'

/**
 * Hosts spelled as loopback, where plain http may be allowed (a local registry, tests, the demo): `localhost`
 * and `*.localhost` (reserved for loopback by RFC 6761), 127.0.0.0/8 and `[::1]`. Spelling is not enough for a
 * name: see isLoopback.
 */
export function looksLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
    hostname === '[::1]'
  )
}

/**
 * Whether plain http may go to this host: spelled as loopback, and every address it resolves to is a loopback
 * address (a name goes wherever the resolver says; a literal address needs no lookup).
 */
export async function isLoopback(hostname: string): Promise<boolean> {
  if (!looksLoopback(hostname)) return false
  const addresses = await addressesOf(hostname)
  return addresses.length > 0 && addresses.every(isLoopbackAddress)
}

/** The addresses a host resolves to (a literal address is itself); none when it does not resolve. */
export function addressesOf(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1')
  // A literal address (IPv4 digits and dots, or IPv6 with colons) is itself.
  if (/^[\d.]+$/.test(host) || host.includes(':')) return Promise.resolve([host])
  return new Promise(resolve =>
    dns.lookup(host, { all: true }, (error, found) => resolve(error ? [] : found.map(a => a.address)))
  )
}

function isLoopbackAddress(address: string): boolean {
  return /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === '::1'
}
