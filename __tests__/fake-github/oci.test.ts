import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { MEDIA_TYPES } from '../../fake-github/oci.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { APP, baseScenario, call, digest, NOW, TOKENS, versionState } from './helpers.js'

let fake: FakeGitHub
/** The digests the fake serves the base scenario's images under (the sha256 of each manifest). */
let app: typeof APP
beforeEach(async () => {
  const scenario = baseScenario()
  scenario.packages.push({
    owner: 'acme',
    type: 'container',
    name: 'public-image',
    visibility: 'public',
    versions: [
      { id: 701, name: digest('public-image/1'), tags: ['latest'], created_at: '2026-01-01T00:00:00Z' }
    ]
  })
  fake = await startFakeGitHub(scenario, { now: () => NOW })
  app = Object.fromEntries(
    Object.entries(APP).map(([key, label]) => [key, fake.digestOf(label)])
  ) as typeof APP
})
afterEach(() => fake.close())

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const ACCEPT = {
  accept: [INDEX, MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ')
}

async function registryToken(scope: string, password?: string): Promise<{ status: number; token?: string }> {
  const headers: Record<string, string> = password
    ? { authorization: `Basic ${Buffer.from(`user:${password}`).toString('base64')}` }
    : {}
  const response = await fetch(
    `${fake.registryUrl}/token?service=ghcr.io&scope=${encodeURIComponent(scope)}`,
    { headers }
  )
  const body = (await response.json()) as { token?: string; access_token?: string }
  if (response.ok) expect(body.access_token).toBe(body.token)
  return { status: response.status, token: body.token }
}

async function pullToken(repository = 'acme/app'): Promise<string> {
  const { token } = await registryToken(`repository:${repository}:pull`, TOKENS.read)
  return token ?? ''
}

function manifest(path: string, token: string, method = 'GET') {
  return fetch(`${fake.registryUrl}/v2/${path}`, {
    method,
    headers: { ...ACCEPT, authorization: `Bearer ${token}` }
  })
}

describe('authentication', () => {
  test('without a bearer token: 401 with the challenge naming realm, service and scope', async () => {
    const answer = await fetch(`${fake.registryUrl}/v2/acme/app/manifests/latest`, { headers: ACCEPT })
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toBe(
      `Bearer realm="${fake.registryUrl}/token",service="ghcr.io",scope="repository:acme/app:pull"`
    )
    expect(await answer.json()).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }]
    })
    const ping = await fetch(`${fake.registryUrl}/v2/`)
    expect([ping.status, ping.headers.get('www-authenticate')]).toEqual([
      401,
      `Bearer realm="${fake.registryUrl}/token",service="ghcr.io"`
    ])
  })

  test('the token exchange takes an API token with read access as the Basic password', async () => {
    const token = await pullToken()
    expect(
      (await fetch(`${fake.registryUrl}/v2/`, { headers: { authorization: `Bearer ${token}` } })).status
    ).toBe(200)
    expect((await registryToken('repository:acme/app:pull', 'ghp_unknown')).status).toBe(401)
    expect((await registryToken('repository:acme/app:pull', TOKENS.none)).status).toBe(403)
    expect((await registryToken('repository:acme/app:pull', TOKENS.actionsOther)).status).toBe(403)
    expect((await registryToken('repository:acme/app:pull', TOKENS.actionsApp)).status).toBe(200)
    expect((await registryToken('repository:acme/missing:pull', TOKENS.read)).status).toBe(403)
  })

  test('anonymous tokens pull public images only', async () => {
    expect((await registryToken('repository:acme/app:pull')).status).toBe(403)
    const { token } = await registryToken('repository:acme/public-image:pull')
    expect((await manifest('acme/public-image/manifests/latest', token ?? '')).status).toBe(200)
  })

  test('a token is good for the repositories it was issued for only', async () => {
    const answer = await manifest('acme/team/api/manifests/v1', await pullToken())
    expect(answer.status).toBe(403)
    expect(await answer.json()).toEqual({
      errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }]
    })
  })
})

describe('manifests', () => {
  test('a tag resolves to the image index listing platforms and the attestation', async () => {
    const answer = await manifest('acme/app/manifests/latest', await pullToken())
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe(INDEX)
    expect(answer.headers.get('docker-content-digest')).toBe(app.index)
    const index = (await answer.json()) as { mediaType: string; manifests: Record<string, unknown>[] }
    expect(index.mediaType).toBe(INDEX)
    expect(index.manifests).toEqual([
      {
        mediaType: MANIFEST,
        digest: app.amd64,
        size: expect.any(Number),
        platform: { architecture: 'amd64', os: 'linux' }
      },
      {
        mediaType: MANIFEST,
        digest: app.arm64,
        size: expect.any(Number),
        platform: { architecture: 'arm64', os: 'linux' }
      },
      {
        mediaType: MANIFEST,
        digest: app.attestation,
        size: expect.any(Number),
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': app.amd64,
          'vnd.docker.reference.type': 'attestation-manifest'
        }
      }
    ])
  })

  test('by digest: an image manifest, and a referrer carrying its subject', async () => {
    const token = await pullToken()
    const platform = await manifest(`acme/app/manifests/${app.amd64}`, token)
    expect(platform.headers.get('content-type')).toBe(MANIFEST)
    const body = JSON.stringify(await platform.json())
    expect(JSON.parse(body)).toMatchObject({
      schemaVersion: 2,
      mediaType: MANIFEST,
      layers: [expect.any(Object)]
    })
    expect(Number(platform.headers.get('content-length'))).toBe(Buffer.byteLength(body))
    const referrer = (await (await manifest(`acme/app/manifests/${app.referrer}`, token)).json()) as {
      subject: object
    }
    expect(referrer.subject).toEqual({ mediaType: INDEX, digest: app.index, size: expect.any(Number) })
  })

  test('every GET counts as a download; HEAD does not', async () => {
    const token = await pullToken()
    await manifest('acme/app/manifests/latest', token)
    await manifest(`acme/app/manifests/${app.index}`, token)
    await manifest(`acme/app/manifests/${app.arm64}`, token)
    const head = await manifest(`acme/app/manifests/${app.amd64}`, token, 'HEAD')
    expect([head.status, head.headers.get('docker-content-digest')]).toEqual([200, app.amd64])
    expect(fake.manifestReads).toBe(3)
    expect(versionState(fake, 'acme', 'app', 304)?.downloads).toBe(2)
    expect(versionState(fake, 'acme', 'app', 302)?.downloads).toBe(1)
    expect(versionState(fake, 'acme', 'app', 301)?.downloads).toBe(0)
    expect(fake.requests.filter(r => r.path.startsWith('/v2/')).map(r => r.token)).toEqual(
      Array(4).fill('registry')
    )
  })

  test('a deleted manifest answers MANIFEST_UNKNOWN and breaks the image', async () => {
    const token = await pullToken()
    expect(
      (await call(fake, 'DELETE', '/orgs/acme/packages/container/app/versions/301', TOKENS.all)).status
    ).toBe(204)
    const answer = await manifest(`acme/app/manifests/${app.amd64}`, token)
    expect(answer.status).toBe(404)
    expect(await answer.json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]
    })
    // The index still lists the child, so a pull of `latest` fails.
    expect((await manifest('acme/app/manifests/latest', token)).status).toBe(200)
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(false)
    expect(fake.manifestReads).toBe(1)
  })

  test('image names with a slash; unknown tags', async () => {
    const token = await pullToken('acme/team/api')
    const answer = await manifest('acme/team/api/manifests/v2', token)
    expect([answer.status, answer.headers.get('content-type')]).toEqual([200, MANIFEST])
    expect((await manifest('acme/team/api/manifests/v9', token)).status).toBe(404)
  })

  test('tags/list lists the active tags', async () => {
    const answer = await manifest('acme/app/tags/list', await pullToken())
    expect(await answer.json()).toEqual({
      name: 'acme/app',
      tags: ['latest', 'pr-7', `${app.index.replace(':', '-')}.sig`, 'v1.0.0']
    })
  })
})

describe('the registry names each manifest by the sha256 of its bytes', () => {
  test('every manifest served hashes to the digest it is served under, and Docker-Content-Digest says the same', async () => {
    const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const all = [INDEX, MANIFEST, ...Object.values(MEDIA_TYPES)].join(', ')
    let checked = 0
    for (const pkg of fake.state().packages.filter(p => p.type === 'container' && p.state === 'active')) {
      const repository = `${pkg.owner}/${pkg.name}`.toLowerCase()
      const token = await pullToken(repository)
      for (const version of pkg.versions.filter(v => v.state === 'active')) {
        const answer = await fetch(`${fake.registryUrl}/v2/${repository}/manifests/${version.name}`, {
          headers: { accept: all, authorization: `Bearer ${token}` }
        })
        const bytes = Buffer.from(await answer.arrayBuffer())
        expect([version.name, answer.status]).toEqual([version.name, 200])
        expect([version.name, answer.headers.get('docker-content-digest')]).toEqual([
          version.name,
          version.name
        ])
        expect([version.name, sha256(bytes)]).toEqual([version.name, version.name])
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10)
  })

  test('references name served digests: index children, subjects, attestations and cosign tags', async () => {
    const token = await pullToken()
    const names = new Set(versionNames())
    const index = (await (await manifest('acme/app/manifests/latest', token)).json()) as {
      manifests: { digest: string; annotations?: Record<string, string> }[]
    }
    for (const entry of index.manifests) {
      expect(names.has(entry.digest)).toBe(true)
      const reference = entry.annotations?.['vnd.docker.reference.digest']
      if (reference) expect(names.has(reference)).toBe(true)
    }
    const tags = (await (await manifest('acme/app/tags/list', token)).json()) as { tags: string[] }
    expect(tags.tags).toContain(`${app.index.replace(':', '-')}.sig`)
    expect(app.index).not.toBe(APP.index)
  })

  test('a signed schema 1 manifest is named by its payload without signatures, not by the bytes served', async () => {
    const scenario = baseScenario()
    scenario.packages.push({
      owner: 'acme',
      type: 'container',
      name: 'legacy',
      visibility: 'private',
      versions: [
        {
          id: 801,
          name: digest('legacy/1'),
          tags: ['old'],
          created_at: '2026-01-01T00:00:00Z',
          manifest: { kind: 'schema1' }
        }
      ]
    })
    const legacy = await startFakeGitHub(scenario, { now: () => NOW })
    try {
      const name = legacy.digestOf(digest('legacy/1'))
      const { token } = (await (
        await fetch(`${legacy.registryUrl}/token?scope=repository:acme/legacy:pull`, {
          headers: { authorization: `Basic ${Buffer.from(`user:${TOKENS.read}`).toString('base64')}` }
        })
      ).json()) as { token: string }
      const answer = await fetch(`${legacy.registryUrl}/v2/acme/legacy/manifests/${name}`, {
        headers: { accept: MEDIA_TYPES.dockerSchema1, authorization: `Bearer ${token}` }
      })
      const text = await answer.text()
      const { signatures, ...payload } = JSON.parse(text) as { signatures: unknown }
      expect(signatures).toBeDefined()
      expect(answer.headers.get('docker-content-digest')).toBe(name)
      expect(`sha256:${createHash('sha256').update(JSON.stringify(payload)).digest('hex')}`).toBe(name)
      expect(`sha256:${createHash('sha256').update(text).digest('hex')}`).not.toBe(name)
    } finally {
      await legacy.close()
    }
  })
})

function versionNames(): string[] {
  return fake.state().packages.flatMap(p => p.versions.map(v => v.name))
}
