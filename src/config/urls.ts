/**
 * Loopback hosts, where plain http is allowed (a local registry, tests, the demo): `localhost` and
 * `*.localhost` (reserved for loopback by RFC 6761), 127.0.0.0/8 and `[::1]`.
 */
export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
    hostname === '[::1]'
  )
}
