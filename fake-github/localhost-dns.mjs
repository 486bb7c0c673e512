/**
 * Preloaded (`node --import`) by the test harness and the demo, and set up in every jest worker (jest.config.js),
 * never bundled into dist/: resolves `localhost`
 * and every `*.localhost` name to 127.0.0.1, as RFC 6761 reserves them for loopback. The fake serves its API
 * GitHub Enterprise Server style at `http://localhost:PORT/api/v3`, so the action derives the registry
 * `http://containers.localhost:PORT` itself, as it derives `containers.HOST` for a real server.
 */
import dns from 'node:dns'

const original = dns.lookup
const isLocal = hostname => hostname === 'localhost' || String(hostname).endsWith('.localhost')

dns.lookup = function lookup(hostname, options, callback) {
  if (!isLocal(hostname)) return original.call(this, hostname, options, callback)
  const done = typeof options === 'function' ? options : callback
  const all = typeof options === 'object' && options !== null && options.all
  process.nextTick(() =>
    all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)
  )
  return {}
}
