import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import dns from 'node:dns'
import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { loadManifestCache, ManifestCache, manifestKey, sha256 } from '../../src/github/manifest-cache.js'
import { MANIFEST_ACCEPT, RegistryClient } from '../../src/github/registry-client.js'
import { loadConfig } from '../../src/config/inputs.js'
import { isLoopback } from '../../src/config/urls.js'
import { digest } from '../e2e/world.js'

const TOKEN = 'ghp_registry'
const fakes: FakeGitHub[] = []
afterAll(() => Promise.all(fakes.map(f => f.close())))

async function registry(): Promise<FakeGitHub> {
  const fake = await startFakeGitHub({
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [{ value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages'] }],
    packages: [
      {
        owner: 'acme',
        type: 'container',
        name: 'app',
        visibility: 'private',
        versions: [
          { id: 1, name: digest('amd64'), tags: [], created_at: '2026-01-01T00:00:00Z' },
          {
            id: 2,
            name: digest('latest'),
            tags: ['latest'],
            created_at: '2026-01-01T00:00:05Z',
            manifest: { kind: 'index', children: [digest('amd64')] }
          }
        ]
      }
    ]
  })
  fakes.push(fake)
  current = fake
  return fake
}

let current: FakeGitHub | undefined
/** The digest the registry serves a scenario label under: the sha256 of its manifest. */
const d = (label: string) => current?.digestOf(digest(label)) ?? digest(label)

function logger() {
  const lines: { level: string; message: string }[] = []
  const at = (level: string) => (message: string) => lines.push({ level, message })
  return { lines, debug: at('debug'), info: at('info'), warning: at('warning'), error: at('error') }
}

const client = (registryUrl: string, log = logger(), extra = {}) =>
  new RegistryClient({ token: TOKEN, registryUrl, log, retryDelayMs: 1, ...extra })

describe('RegistryClient', () => {
  it('reads an index and its children', async () => {
    const fake = await registry()
    const structure = await client(fake.registryUrl).readImageStructure('acme', 'app', [d('latest')])
    expect(structure?.get(d('latest'))).toMatchObject({ children: [d('amd64')] })
  })

  it('does not keep a failed token exchange: the next read asks again', async () => {
    const fake = await registry()
    const log = logger()
    const registryClient = client(fake.registryUrl, log)
    fake.registry.realm = 'http://127.0.0.1:9/token'
    expect(await registryClient.readImageStructure('acme', 'app', [d('latest')])).toBeUndefined()
    expect(log.lines.filter(l => l.level === 'warning').map(l => l.message)).toEqual([
      expect.stringContaining('Could not read the image structure of app')
    ])
    fake.registry.realm = undefined
    const structure = await registryClient.readImageStructure('acme', 'app', [d('latest')])
    expect(structure?.get(d('latest'))?.children).toEqual([d('amd64')])
  })

  it('asks for a fresh token when the registry refuses the one it has', async () => {
    const fake = await registry()
    const registryClient = client(fake.registryUrl)
    await registryClient.readImageStructure('acme', 'app', [d('amd64')])
    fake.registry.answerNext.push({
      status: 401,
      headers: {
        'www-authenticate': `Bearer realm="${fake.registryUrl}/token",service="ghcr.io",scope="repository:acme/app:pull"`
      },
      json: { errors: [{ code: 'UNAUTHORIZED', message: 'token expired' }] }
    })
    const structure = await registryClient.readImageStructure('acme', 'app', [d('latest')])
    expect(structure?.get(d('latest'))?.children).toEqual([d('amd64')])
    expect(fake.registry.tokenRequests).toHaveLength(2)
  })

  it('retries a token service that answers 503', async () => {
    const fake = await registry()
    let calls = 0
    const server = createServer((req, res) => {
      calls++
      if (calls === 1) {
        res.writeHead(503).end()
        return
      }
      // Then forward to the fake's token service.
      fetch(`${fake.registryUrl}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } })
        .then(async answer =>
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
        )
        .catch(() => res.writeHead(500).end())
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    fake.registry.realm = `http://127.0.0.1:${port}/token`
    try {
      const structure = await client(fake.registryUrl).readImageStructure('acme', 'app', [d('latest')])
      expect(structure?.get(d('latest'))?.children).toEqual([d('amd64')])
      expect(calls).toBe(2)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('fetches a new token once the one it has expires', async () => {
    const fake = await registry()
    // A token service that hands out the fake's tokens, valid for no time at all.
    const server = createServer((req, res) => {
      fetch(`${fake.registryUrl}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } })
        .then(async answer => {
          const body = { ...((await answer.json()) as object), expires_in: 0 }
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
        })
        .catch(() => res.writeHead(500).end())
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    fake.registry.realm = `http://127.0.0.1:${port}/token`
    try {
      const registryClient = client(fake.registryUrl)
      await registryClient.readImageStructure('acme', 'app', [d('latest')])
      await registryClient.readImageStructure('acme', 'app', [d('amd64')])
      expect(fake.registry.tokenRequests).toHaveLength(2)
      expect(fake.manifestReads).toBe(2)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('gives up with a warning, not a crash, on a registry that never answers', async () => {
    const server = createServer(() => undefined)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const log = logger()
      const structure = await client(`http://127.0.0.1:${port}`, log, { timeoutMs: 50 }).readImageStructure(
        'acme',
        'app',
        [d('latest')]
      )
      expect(structure).toBeUndefined()
      expect(log.lines.find(l => l.level === 'warning')?.message).toMatch(
        /Could not read the image structure/
      )
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('does not wait for a Retry-After of more than a minute', async () => {
    const fake = await registry()
    fake.registry.answerNext.push({ status: 429, headers: { 'retry-after': '3600' }, json: {} })
    const log = logger()
    expect(
      await client(fake.registryUrl, log).readImageStructure('acme', 'app', [d('latest')])
    ).toBeUndefined()
    expect(log.lines.find(l => l.level === 'warning')?.message).toContain('HTTP 429, retry after 3600s')
  })

  it('takes a manifest of an unknown type as having no parts, with a debug line', async () => {
    const fake = await registry()
    const text = JSON.stringify({
      mediaType: 'application/vnd.example.thing.v1+json',
      manifests: [{ digest: 'x' }]
    })
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': 'application/vnd.example.thing.v1+json' },
      text
    })
    const log = logger()
    const structure = await client(fake.registryUrl, log).readImageStructure('acme', 'app', [sha256(text)])
    expect(structure?.get(sha256(text))?.children).toEqual([])
    expect(log.lines.filter(l => l.level === 'debug').map(l => l.message)).toEqual([
      expect.stringContaining('media type application/vnd.example.thing.v1+json, taken as having no parts')
    ])
  })

  it('reads what the cache does not know, and remembers it', async () => {
    const fake = await registry()
    const key = (name: string, d: string) => manifestKey(new URL(fake.registryUrl).host, `acme/${name}`, d)
    const body = await manifestBody(fake, d('latest'))
    const cache = new ManifestCache({
      [key('app', d('latest'))]: body,
      // Another package's entry for the same digest answers nothing here.
      [key('other', d('amd64'))]: await manifestBody(fake, d('amd64'))
    })
    const registryClient = client(fake.registryUrl, logger(), { cache })
    const before = fake.manifestReads
    await registryClient.readImageStructure('acme', 'app', [d('latest'), d('amd64')])
    expect(fake.manifestReads - before).toBe(1)
    expect(cache.hitRate()).toBe('manifest cache: 1 of 2 digests (50%)')
    expect(Object.keys(cache.toSave()?.manifests ?? {}).sort()).toEqual(
      [key('app', d('latest')), key('app', d('amd64')), key('other', d('amd64'))].sort()
    )
  })

  it('fails a read whose index names something other than a sha256 digest', async () => {
    const fake = await registry()
    const text = JSON.stringify({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ digest: d('amd64') }, { mediaType: 'application/vnd.oci.image.manifest.v1+json' }]
    })
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
      text
    })
    const log = logger()
    expect(
      await client(fake.registryUrl, log).readImageStructure('acme', 'app', [sha256(text)])
    ).toBeUndefined()
    expect(log.lines.find(l => l.level === 'warning')?.message).toContain(
      'names undefined, which is not a sha256 digest'
    )
  })
})

describe('a manifest is taken only if it is the one asked for', () => {
  const INDEX = 'application/vnd.oci.image.index.v1+json'
  const failure = async (fake: FakeGitHub, asked: string) => {
    const log = logger()
    const structure = await client(fake.registryUrl, log).readImageStructure('acme', 'app', [asked])
    expect(structure).toBeUndefined()
    return log.lines.find(l => l.level === 'warning')?.message ?? ''
  }

  it('fails a read whose body does not hash to the digest asked for', async () => {
    const fake = await registry()
    // The index of `latest`, claiming to have no children.
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': INDEX, 'docker-content-digest': d('latest') },
      text: JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] })
    })
    expect(await failure(fake, d('latest'))).toContain("the body's sha256 is not this digest")
  })

  it('fails a read whose Docker-Content-Digest names another manifest', async () => {
    const fake = await registry()
    const body = await manifestBody(fake, d('latest'))
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': INDEX, 'docker-content-digest': d('amd64') },
      text: body
    })
    expect(await failure(fake, d('latest'))).toContain(`the registry says it sent ${d('amd64')}`)
  })

  it('fails a signed schema 1 manifest, whose digest is not that of its bytes', async () => {
    const fake = await registry()
    const type = 'application/vnd.docker.distribution.manifest.v1+prettyjws'
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': type },
      text: JSON.stringify({ schemaVersion: 1, signatures: [] })
    })
    expect(await failure(fake, d('latest'))).toContain('a signed schema 1 manifest')
  })

  it('never answers one registry’s reads from another’s entries on the same host', async () => {
    const [first, second] = [await registry(), await registry()]
    expect(new URL(first.registryUrl).hostname).toBe(new URL(second.registryUrl).hostname)
    const cache = new ManifestCache()
    await client(first.registryUrl, logger(), { cache }).readImageStructure('acme', 'app', [d('latest')])
    expect(first.manifestReads).toBe(1)
    const structure = await client(second.registryUrl, logger(), { cache }).readImageStructure(
      'acme',
      'app',
      [d('latest')]
    )
    expect(structure?.get(d('latest'))?.children).toEqual([d('amd64')])
    expect(second.manifestReads).toBe(1)
  })

  it('drops a cached body that does not hash to its digest, with a debug line, and reads it again', async () => {
    const fake = await registry()
    const key = manifestKey(new URL(fake.registryUrl).host, 'acme/app', d('latest'))
    const log = logger()
    const lie = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] })
    const cache = await loadManifestCache(
      {
        load: () => Promise.resolve({ manifests: { [key]: lie }, usedAt: {} }),
        save: () => Promise.resolve(true)
      },
      log
    )
    expect(log.lines.map(l => l.message)).toEqual([expect.stringContaining('1 entry(ies)')])
    const structure = await client(fake.registryUrl, logger(), { cache }).readImageStructure('acme', 'app', [
      d('latest')
    ])
    expect(structure?.get(d('latest'))?.children).toEqual([d('amd64')])
    expect(fake.manifestReads).toBe(1)
  })
})

describe('a cache that lies', () => {
  it('never changes what a read finds: any entries, under any of the package’s digests', async () => {
    const fake = await registry()
    const host = new URL(fake.registryUrl).host
    const names = [d('latest'), d('amd64')]
    const bodies = await Promise.all(names.map(name => manifestBody(fake, name)))
    const truth = await client(fake.registryUrl).readImageStructure('acme', 'app', names)
    const entry = fc.oneof(
      fc.string(),
      fc.constantFrom(...bodies),
      fc.json(),
      fc.record({ children: fc.array(fc.constantFrom(...names)), subject: fc.constantFrom(...names) }),
      fc.constant(JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }))
    )
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), entry), async lies => {
        const cache = new ManifestCache(
          Object.fromEntries(
            Object.entries(lies).map(([name, lie]) => [manifestKey(host, 'acme/app', name), lie])
          )
        )
        const structure = await client(fake.registryUrl, logger(), { cache }).readImageStructure(
          'acme',
          'app',
          names
        )
        expect(structure).toEqual(truth)
      }),
      { numRuns: 300 }
    )
  }, 60_000)
})

/** The exact bytes the registry serves for a digest, read with a token of its own. */
async function manifestBody(fake: FakeGitHub, name: string): Promise<string> {
  const basic = Buffer.from(`user:${TOKEN}`).toString('base64')
  const answer = await fetch(`${fake.registryUrl}/token?scope=repository:acme/app:pull`, {
    headers: { authorization: `Basic ${basic}` }
  })
  const { token } = (await answer.json()) as { token: string }
  const manifest = await fetch(`${fake.registryUrl}/v2/acme/app/manifests/${name}`, {
    headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${token}` }
  })
  return manifest.text()
}

describe('the token service a registry names', () => {
  it('gets no credentials over plain http on the registry’s own host when that host is not loopback', async () => {
    // A registry at http://registry.example.test, reached through HTTP_PROXY (a CONNECT tunnel to a server here).
    const tokenAsked: (string | undefined)[] = []
    const registryServer = createServer((req, res) => {
      if (req.url?.startsWith('/token')) {
        tokenAsked.push(req.headers.authorization)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"registry-token"}')
      } else if (!req.headers.authorization) {
        res
          .writeHead(401, {
            'www-authenticate':
              'Bearer realm="http://registry.example.test/token",service="registry.example.test",scope="repository:acme/app:pull"'
          })
          .end()
      } else res.writeHead(404).end()
    })
    const proxy = createServer((_req, res) => res.writeHead(405).end())
    proxy.on('connect', (_req, socket, head) => {
      const upstream = connect((registryServer.address() as AddressInfo).port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket).pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    await Promise.all(
      [registryServer, proxy].map(
        server => new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      )
    )
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy }
    process.env.HTTP_PROXY =
      process.env.http_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    const log = logger()
    try {
      await client('http://registry.example.test', log).readImageStructure('acme', 'app', [d('latest')])
      expect(tokenAsked).toEqual([undefined])
      expect(log.lines.map(l => l.message)).toContainEqual(
        expect.stringContaining('names the token service http://registry.example.test')
      )
    } finally {
      for (const [name, value] of Object.entries(saved))
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      for (const server of [registryServer, proxy]) {
        server.closeAllConnections()
        server.close()
      }
    }
  })
})

describe('isLoopback', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['containers.localhost', true],
    ['ghcr.io', false],
    ['localhost.example.com', false],
    ['127.0.0.1.example.com', false]
  ])('%s: %s', async (host, expected) => {
    await expect(isLoopback(host)).resolves.toBe(expected)
  })

  it('trusts a name only when every address it resolves to is loopback; a literal address needs no lookup', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'elsewhere.localhost': [{ address: '10.1.2.3', family: 4 }],
      'both.localhost': [
        { address: '127.0.0.1', family: 4 },
        { address: '192.0.2.7', family: 4 }
      ],
      'six.localhost': [{ address: '::1', family: 6 }],
      localhost: [{ address: '127.0.0.1', family: 4 }]
    }
    const original = dns.lookup
    const asked: string[] = []
    const lookup = (host: string, _options: unknown, done: (e: Error | null, a?: unknown) => void) => {
      asked.push(host)
      const found = answers[host]
      if (found) done(null, found)
      else done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }))
    }
    Object.assign(dns, { lookup })
    try {
      await expect(isLoopback('elsewhere.localhost')).resolves.toBe(false)
      await expect(isLoopback('both.localhost')).resolves.toBe(false)
      await expect(isLoopback('unknown.localhost')).resolves.toBe(false)
      await expect(isLoopback('six.localhost')).resolves.toBe(true)
      await expect(isLoopback('127.0.0.1')).resolves.toBe(true)
      await expect(isLoopback('[::1]')).resolves.toBe(true)
      expect(asked).toEqual(['elsewhere.localhost', 'both.localhost', 'unknown.localhost', 'six.localhost'])
      // The inputs: such a URL is refused before any request, naming what the name resolves to.
      const inputs: Record<string, string> = {
        token: 't',
        owner: 'acme',
        'package-type': 'container',
        'package-names': 'app',
        'api-url': 'http://localhost:8080/api/v3',
        'registry-url': 'http://elsewhere.localhost:8080',
        'dry-run': 'true'
      }
      const quiet = { debug: () => {}, warning: () => {} }
      await expect(loadConfig(name => inputs[name] ?? '', {}, quiet)).rejects.toMatchObject({
        problems: [
          'registry-url: "http://elsewhere.localhost:8080" is plain http to elsewhere.localhost, which resolves to 10.1.2.3, not only to loopback addresses; give an https URL'
        ]
      })
    } finally {
      Object.assign(dns, { lookup: original })
    }
  })
})
