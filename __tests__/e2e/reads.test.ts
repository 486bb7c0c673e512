/**
 * Container reads on dist/index.js: every manifest read is a download of the package, so a run reads only
 * what its decisions need, never a deletion candidate, remembers what it read, and survives a registry that
 * answers 429 or names a token service elsewhere.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VersionSpec } from '../../fake-github/scenario.js'
import {
  activeIds,
  aWorld,
  daysAgo,
  digest,
  imageVersion,
  indexVersion,
  parsed,
  served,
  type Fake
} from './world.js'

const CONTAINER = { owner: 'acme', 'package-type': 'container', 'package-names': 'app' }

const index = indexVersion
const image = imageVersion

function world(versions: VersionSpec[], visibility: 'public' | 'private' = 'private') {
  return aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('container', 'app', versions, { visibility })
}

/** Manifest GETs the fake answered (401 challenges aside), as `status digest`, in order. */
/** Warnings other than the one `min-age: 0` always gives. */
function warningsOf(run: { annotations: { level: string; message: string }[] }) {
  return run.annotations.filter(a => a.level === 'warning' && !a.message.startsWith('min-age:'))
}

function manifestRequests(fake: Fake): string[] {
  return fake.requests
    .filter(r => r.method === 'GET' && r.path.includes('/manifests/') && r.status !== 401)
    .map(r => `${r.status} ${decodeURIComponent(r.path).split('/manifests/')[1]}`)
}

describe('reading only what the plan needs', () => {
  it('reads no manifest when the policy deletes nothing, even among 10,000 versions', async () => {
    const versions: VersionSpec[] = Array.from({ length: 10_000 }, (_, i) =>
      image(i + 1, `v${i}`, 10_000 - i, i % 2 === 0 ? [`v${i}`] : [])
    )
    const fake = await world(versions).start()
    const run = await fake.run(
      { ...CONTAINER, 'keep-last': 20000, untagged: 'exclude', 'min-age': 0 },
      { timeoutMs: 120_000 }
    )
    expect(run.exitCode).toBe(0)
    expect(fake.manifestReads).toBe(0)
    expect(parsed(run, 'deleted')).toEqual([])
  }, 180_000)

  it('deletes a public release at exactly 5,000 downloads: it is never read before its delete', async () => {
    const fake = await world(
      [image(1, 'old', 40, ['v1'], { downloads: 5000 }), image(2, 'new', 1, ['v2'])],
      'public'
    ).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([2])
    expect(manifestRequests(fake)).toEqual([`200 ${served(fake, 'new')}`])
    const old = fake.state().packages[0].versions.find(v => v.id === 1)
    expect(old).toMatchObject({ state: 'deleted', downloads: 5000 })
  })

  it('reads a refused index after the refusal, and keeps its parts', async () => {
    const fake = await world(
      [
        image(1, 'v1/amd64', 40),
        image(2, 'v1/arm64', 40),
        index(3, 'v1', 40, ['v1'], ['v1/amd64', 'v1/arm64'], { downloads: 9000 }),
        image(4, 'loose', 30),
        image(5, 'v2', 1, ['v2'])
      ],
      'public'
    ).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 5])
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    const skipped = parsed(run, 'skipped')
    expect(skipped.filter(s => s.id === 3).map(s => s.reason)).toEqual([
      expect.stringMatching(/^download-limit/)
    ])
    expect(skipped.filter(s => s.id !== 3).map(s => [s.id, s.reason?.split(':')[0]])).toEqual([
      [1, 'image-not-deleted'],
      [2, 'image-not-deleted']
    ])
    // v1 is read once, after GitHub refused to delete it.
    const refusal = fake.requests.findIndex(r => r.method === 'DELETE' && r.path.endsWith('/versions/3'))
    const read = fake.requests.findIndex(r => r.path.endsWith(`/manifests/${served(fake, 'v1')}`))
    expect(refusal).toBeGreaterThanOrEqual(0)
    expect(read).toBeGreaterThan(refusal)
    expect(manifestRequests(fake)).toEqual([`200 ${served(fake, 'v2')}`, `200 ${served(fake, 'v1')}`])
  })

  it('keeps tagged platform manifests of a refused index (docker manifest create over tagged images)', async () => {
    const fake = await world(
      [
        image(1, 'v1/amd64', 40, ['v1-amd64']),
        image(2, 'v1/arm64', 40, ['v1-arm64']),
        index(3, 'v1', 40, ['v1'], ['v1/amd64', 'v1/arm64'], { downloads: 9000 }),
        image(4, 'v2', 1, ['v2'])
      ],
      'public'
    ).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 4])
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    const skipped = parsed(run, 'skipped')
    expect(skipped.map(s => [s.id, s.reason?.split(':')[0]]).sort()).toEqual([
      [1, 'image-not-deleted'],
      [2, 'image-not-deleted'],
      [3, 'download-limit']
    ])
    // Before the deletes only the kept v2 is read; v1 only after GitHub refused it (and v1-arm64, held back
    // with it, once it was not deleted: its parts, had it any, would stay too).
    const reads = manifestRequests(fake)
    expect(reads[0]).toBe(`200 ${served(fake, 'v2')}`)
    const refusal = fake.requests.findIndex(r => r.method === 'DELETE' && r.path.endsWith('/versions/3'))
    const readV1 = fake.requests.findIndex(r => r.path.endsWith(`/manifests/${served(fake, 'v1')}`))
    expect(refusal).toBeGreaterThanOrEqual(0)
    expect(readV1).toBeGreaterThan(refusal)
    expect(fake.requests.filter(r => r.method === 'DELETE').length).toBe(1)
  })

  it('keeps the parts of the kept index of a package whose versions are all untagged', async () => {
    const fake = await world([
      image(1, 'old', 30),
      image(2, 'amd64', 2),
      image(3, 'arm64', 2),
      index(4, 'pushed-by-digest', 2, [], ['amd64', 'arm64'])
    ]).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 0, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([2, 3, 4])
  })
})

describe('the last tagged image', () => {
  it('stays when only a young signature would be left tagged, whatever the reads', async () => {
    // v1's signature was pushed an hour ago (min-age keeps it); v1 and v2 are old. A kept signature alone
    // would satisfy GitHub, but would leave a package that pulls nothing: v2 stays.
    const signature = `sha256-${digest('v1').slice('sha256:'.length)}.sig`
    const fake = await world([
      index(1, 'v1', 40, ['v1'], ['v1/amd64']),
      image(2, 'v1/amd64', 40),
      { id: 3, name: digest('v1.sig'), tags: [signature], created_at: daysAgo(0, -3600) },
      index(4, 'v2', 20, ['v2'], ['v2/amd64']),
      image(5, 'v2/amd64', 20)
    ]).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 0, 'min-age': '1d' })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([3, 4, 5])
    expect(fake.isPullable('acme', 'app', 'v2')).toBe(true)
  })
})

describe('a policy of rules', () => {
  it('reads a kept untagged index, so that an untagged rule keeps its platform manifests', async () => {
    // `pushed` is an index whose tag moved on an hour ago (the untagged rule's min-age keeps it); its platform
    // manifests are older and untagged too. Unread, they would look like leftovers of no image.
    const fake = await world([
      image(1, 'pushed/amd64', 3),
      image(2, 'pushed/arm64', 3),
      index(3, 'pushed', 0, [], ['pushed/amd64', 'pushed/arm64'], { created_at: daysAgo(0, -3600) }),
      image(4, 'loose', 3),
      image(5, 'v1', 1, ['v1'])
    ]).start()
    const policy = ['rules:', '  - name: untagged', '    match: untagged', '    min-age: 1d'].join('\n')
    const run = await fake.run({ ...CONTAINER, policy })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 5])
    expect(manifestRequests(fake)).toContain(`200 ${served(fake, 'pushed')}`)
  })
})

describe('ghost and partial images', () => {
  it('warns about a kept index whose manifests are gone, all of them (ghost) or some (partial)', async () => {
    const gone = { deleted_at: daysAgo(1) }
    const fake = await world([
      image(1, 'ghost/amd64', 10, [], gone),
      index(2, 'ghost', 10, ['ghost'], ['ghost/amd64']),
      image(3, 'partial/amd64', 5),
      image(4, 'partial/arm64', 5, [], gone),
      index(5, 'partial', 5, ['partial'], ['partial/amd64', 'partial/arm64']),
      image(6, 'loose', 20)
    ]).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 2, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    const warnings = warningsOf(run).map(a => a.message)
    expect(warnings).toEqual([
      expect.stringMatching(/^app: partial is a partial image: 1 of the 2 manifests it lists are gone/),
      expect.stringMatching(/^app: ghost is a ghost image: none of the 1 manifests it lists is left/)
    ])
    expect(activeIds(fake, 'app')).toEqual([2, 3, 5])
  })
})

describe('the manifest cache', () => {
  const generation = (count: number) =>
    Array.from({ length: count }, (_, i) => [
      image(3 * i + 1, `g${i}/amd64`, 100 - i),
      index(3 * i + 2, `g${i}`, 100 - i, [`g${i}`], [`g${i}/amd64`]),
      image(3 * i + 3, `g${i}/loose`, 100 - i)
    ]).flat()

  it('a second run with the cache warm reads only the new digests', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'manifest-cache-'))
    const env = { PACKAGE_RETENTION_MANIFEST_CACHE_DIR: cacheDir }
    const inputs = { ...CONTAINER, 'keep-last': 100, 'min-age': 0 }

    // Public: its deletion candidates are never read, so every read here is of a kept image.
    const first = await world(generation(5), 'public').start()
    const cold = await first.run(inputs, { env })
    expect(cold.exitCode).toBe(0)
    expect(first.manifestReads).toBe(5)
    expect(cold.stdout).toContain('manifest cache: 0 of 5 digests (0%)')

    // Later: two more images were pushed (the same registry, at the same address, holding the same history and
    // more); the cache's entries are of this registry only.
    const port = Number(new URL(first.url).port)
    await first.close()
    const second = await world(generation(7), 'public').start({ port })
    const warm = await second.run(inputs, { env })
    expect(warm.exitCode).toBe(0)
    expect(manifestRequests(second).sort()).toEqual(
      [`200 ${served(second, 'g6')}`, `200 ${served(second, 'g5')}`].sort()
    )
    expect(second.manifestReads).toBe(2)
    expect(warm.stdout).toContain('manifest cache: 5 of 7 digests (71%)')
    // Every image stays whole; the loose untagged versions go.
    expect(activeIds(second, 'app')).toEqual(
      generation(7)
        .filter((_, i) => i % 3 !== 2)
        .map(v => v.id)
    )
  })
})

describe('a registry as it really answers', () => {
  const versions = [
    image(1, 'v1/amd64', 40),
    index(2, 'v1', 40, ['v1'], ['v1/amd64']),
    image(3, 'loose', 30),
    image(4, 'v2/amd64', 1),
    index(5, 'v2', 1, ['v2'], ['v2/amd64'])
  ]

  it('retries a 429 (honouring Retry-After) and a 503, then reads as usual', async () => {
    const fake = await world(versions, 'public').start()
    const busy = { errors: [{ code: 'TOOMANYREQUESTS', message: 'retry later' }] }
    fake.registry.answerNext.push(
      { status: 429, headers: { 'retry-after': '1' }, json: busy },
      { status: 503, json: busy }
    )
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(warningsOf(run)).toEqual([])
    expect(manifestRequests(fake)).toEqual([
      `429 ${served(fake, 'v2')}`,
      `503 ${served(fake, 'v2')}`,
      `200 ${served(fake, 'v2')}`
    ])
    expect(activeIds(fake, 'app')).toEqual([4, 5])
  })

  it('never sends the token to a token service on another host', async () => {
    const fake = await world(versions).start()
    fake.registry.realm = fake.url.replace(/\/api\/v3$/, '') + '/token'
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).not.toBe(0)
    expect(fake.registry.tokenRequests.length).toBeGreaterThan(0)
    expect(fake.registry.tokenRequests.every(r => !r.credentials && r.host.startsWith('localhost'))).toBe(
      true
    )
    expect(run.annotations.map(a => a.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('is asked without credentials'),
        expect.stringContaining('nothing in this package is deleted in this run')
      ])
    )
    // The private package cannot be read anonymously: nothing of it goes.
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 4, 5])
  })

  it('reads an OCI artifact manifest and follows a nested index', async () => {
    const fake = await world([
      image(1, 'loose', 30),
      image(2, 'amd64', 1),
      image(3, 'arm64', 1),
      index(4, 'inner', 1, [], ['amd64', 'arm64']),
      index(5, 'latest', 1, ['latest'], ['inner']),
      // An SBOM attached as an OCI 1.1 artifact, found through the referrers tag schema's index.
      image(6, 'sbom', 1, [], { manifest: { kind: 'artifact', subject: digest('latest') } }),
      index(7, 'referrers', 1, [`sha256-${digest('latest').slice(7)}`], ['sbom']),
      image(8, 'notes', 1, ['notes'], { manifest: { kind: 'artifact' } })
    ]).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 5, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(warningsOf(run)).toEqual([])
    expect(activeIds(fake, 'app')).toEqual([2, 3, 4, 5, 6, 7, 8])
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(true)
  })
})
