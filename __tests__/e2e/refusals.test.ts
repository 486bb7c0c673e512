/**
 * Refused and capped images on dist/index.js: GitHub refuses to delete a public version past 5,000 downloads,
 * and max-deletions leaves some deletions for the next run. Either way the image stays, and so must every
 * manifest it needs, however the image was built (tagged platform manifests under `docker manifest create`,
 * an index of indexes) and whatever the manifest cache remembers from earlier runs; and every deletion that
 * is not part of a refused image still goes.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InputValue } from '../../fake-github/run-action.js'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { activeIds, aWorld, daysAgo, digest, imageVersion, indexVersion, parsed } from './world.js'

const CONTAINER = { owner: 'acme', 'package-type': 'container', 'package-names': 'app' }

function publicWorld(versions: VersionSpec[]) {
  return aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('container', 'app', versions, { visibility: 'public' })
}

/** Skipped versions as `id reason` (the reason's first word), by id. */
function skippedReasons(run: Parameters<typeof parsed>[0]): string[] {
  return parsed(run, 'skipped')
    .map(s => `${s.id} ${s.reason?.split(':')[0]}`)
    .sort((a, b) => parseInt(a) - parseInt(b))
}

describe('releases built with docker manifest create, two of them refused', () => {
  const PLATFORMS = ['amd64', 'arm64', 'arm-v7', 'arm-v6', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le']
  const RELEASES = 8
  const REFUSED = new Set(['v2.0.0', 'v2.2.0'])
  const release = (r: number) => `v2.${r}.0`
  /** Release r: its 9 tagged platform manifests pushed a minute apart, then its tagged index. */
  const versions: VersionSpec[] = Array.from({ length: RELEASES }, (_, r) => {
    const days = 10 * (RELEASES - r)
    const tag = release(r)
    const platforms = PLATFORMS.map((platform, p) => ({
      id: 10 * r + p + 1,
      name: digest(`${tag}-linux-${platform}`),
      tags: [`${tag}-linux-${platform}`],
      created_at: daysAgo(days, 60 * p)
    }))
    const index = indexVersion(
      10 * r + 10,
      tag,
      days,
      [tag],
      PLATFORMS.map(platform => `${tag}-linux-${platform}`),
      { created_at: daysAgo(days, 60 * PLATFORMS.length), ...(REFUSED.has(tag) && { downloads: 9000 }) }
    )
    return [...platforms, index]
  }).flat()
  const idsOf = (r: number) => Array.from({ length: 10 }, (_, i) => 10 * r + i + 1)

  it('deletes every release keep-last lets go but the refused ones, which keep all their platforms', async () => {
    const fake = await publicWorld(versions).start()
    const run = await fake.run({ ...CONTAINER, 'keep-last': 3, 'min-age': 0 })
    expect(run.exitCode).toBe(0)

    // Releases 5 to 7 are kept; of 0 to 4, the refused 0 and 2 stay whole, 1, 3 and 4 go.
    const staying = [0, 2, 5, 6, 7]
    expect(activeIds(fake, 'app')).toEqual(staying.flatMap(idsOf))
    expect(
      parsed(run, 'deleted')
        .map(d => d.id)
        .sort((a, b) => a - b)
    ).toEqual([1, 3, 4].flatMap(idsOf))
    expect(run.outputs['deleted-count']).toBe('30')
    for (const r of staying) {
      expect(fake.isPullable('acme', 'app', release(r))).toBe(true)
      for (const platform of PLATFORMS)
        expect(fake.isPullable('acme', 'app', `${release(r)}-linux-${platform}`)).toBe(true)
    }
    // Both refused indexes were sent and reported as GitHub answered; their platforms kept with them.
    expect(skippedReasons(run)).toEqual(
      [0, 2].flatMap(r =>
        idsOf(r).map(id => `${id} ${id % 10 === 0 ? 'download-limit' : 'image-not-deleted'}`)
      )
    )
    const deletes = fake.requests.filter(r => r.method === 'DELETE').map(r => r.path.split('/').pop())
    expect(deletes).toEqual(expect.arrayContaining(['10', '30']))
    expect(deletes.length).toBe(32)
  })
})

describe('a refused or capped index of indexes, remembered by the manifest cache', () => {
  /** `v1`: a tagged index over an untagged index over two platform manifests; later, `v2`. */
  const history = (v1Downloads: number, withV2: boolean): VersionSpec[] => [
    imageVersion(1, 'v1/amd64', 40),
    imageVersion(2, 'v1/arm64', 40),
    indexVersion(3, 'v1/inner', 40, [], ['v1/amd64', 'v1/arm64'], { created_at: daysAgo(40, -2) }),
    indexVersion(4, 'v1', 40, ['v1'], ['v1/inner'], { downloads: v1Downloads }),
    ...(withV2 ? [imageVersion(5, 'v2', 1, ['v2'])] : [])
  ]

  /** A dry run while v1 was the newest fills the cache; then v2 is pushed and a real run follows. */
  async function afterAWarmingDryRun(v1Downloads: number, inputs: Record<string, InputValue>) {
    const cacheDir = await mkdtemp(join(tmpdir(), 'nested-cache-'))
    const env = { PACKAGE_RETENTION_MANIFEST_CACHE_DIR: cacheDir }
    const before = await publicWorld(history(v1Downloads, false)).start()
    const dry = await before.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0, 'dry-run': true }, { env })
    expect(dry.exitCode).toBe(0)
    expect(before.manifestReads).toBe(2)
    // The same registry, at the same address, now holding v2 too: the cache's entries are of this registry only.
    const port = Number(new URL(before.url).port)
    await before.close()
    const fake = await publicWorld(history(v1Downloads, true)).start({ port })
    const run = await fake.run({ ...CONTAINER, 'keep-last': 1, 'min-age': 0, ...inputs }, { env })
    expect(run.exitCode).toBe(0)
    // v1 is never read from the registry in this run: the cache remembers it (v2 is read, being kept).
    expect(fake.manifestReads).toBe(1)
    return { fake, run }
  }

  it('keeps the platform manifests of a refused v1', async () => {
    const { fake, run } = await afterAWarmingDryRun(9000, {})
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 4, 5])
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    expect(parsed(run, 'deleted')).toEqual([])
    expect(skippedReasons(run)).toEqual([
      '1 image-not-deleted',
      '2 image-not-deleted',
      '3 image-not-deleted',
      '4 download-limit'
    ])
  })

  it('keeps the platform manifests when max-deletions leaves v1 for the next run', async () => {
    const { fake, run } = await afterAWarmingDryRun(10, { 'max-deletions': 2 })
    // Image first, then its parts: v1 and its inner index go, the platforms are left for the next run.
    expect(
      parsed(run, 'deleted')
        .map(d => d.id)
        .sort()
    ).toEqual([3, 4])
    expect(skippedReasons(run)).toEqual(['1 max-deletions', '2 max-deletions'])
    expect(activeIds(fake, 'app')).toEqual([1, 2, 5])
  })
})
