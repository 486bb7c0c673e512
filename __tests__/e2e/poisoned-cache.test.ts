/**
 * The manifest cache on dist/index.js holds only what can be checked: a manifest body, believed only if it
 * hashes to the digest it is filed under. A cache that lies (an entry saying a kept index has no children, or
 * that a kept release is a referrer of an image the policy deletes) changes nothing: the entries are dropped,
 * the manifests read again, and the kept images stay whole.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { activeIds, aWorld, digest, imageVersion, indexVersion, parsed, type Fake } from './world.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const CONTAINER = { owner: 'acme', 'package-type': 'container', 'package-names': 'app' }

/** The lies, by what they are about: the kept index `v2` has no parts; the kept release `v1` refers to `old`. */
const LIES: Record<string, (fake: Fake) => Record<string, unknown>> = {
  'entries that say what a read found': fake => ({
    v2: { children: [], mediaType: INDEX },
    v1: { children: [], mediaType: MANIFEST, subject: fake.digestOf(digest('old')) }
  }),
  'manifest bodies': fake => ({
    v2: JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] }),
    v1: JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      layers: [],
      subject: { mediaType: MANIFEST, digest: fake.digestOf(digest('old')), size: 100 }
    })
  })
}

describe('a poisoned manifest cache', () => {
  it.each(Object.keys(LIES))('changes nothing: %s', async kind => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        imageVersion(1, 'old', 40, ['old']),
        imageVersion(2, 'v1', 20, ['v1']),
        imageVersion(3, 'v2/amd64', 1),
        imageVersion(4, 'v2/arm64', 1),
        indexVersion(5, 'v2', 1, ['v2'], ['v2/amd64', 'v2/arm64'])
      ])
      .start()
    // Filed as the action files them: registry host, repository, digest (the fake's registry is
    // containers.localhost, as the action derives it from the API's URL).
    const key = (label: string) => `containers.localhost/acme/app@${fake.digestOf(digest(label))}`
    const lies = LIES[kind](fake)
    const cacheDir = await mkdtemp(join(tmpdir(), 'poisoned-cache-'))
    await writeFile(
      join(cacheDir, 'manifests.json'),
      JSON.stringify({
        format: 2,
        manifests: { [key('v2')]: lies.v2, [key('v1')]: lies.v1 },
        usedAt: { [key('v2')]: Date.now(), [key('v1')]: Date.now() }
      })
    )

    const run = await fake.run(
      { ...CONTAINER, 'keep-last': 2, 'min-age': 0 },
      { env: { PACKAGE_RETENTION_MANIFEST_CACHE_DIR: cacheDir } }
    )
    expect(run.exitCode).toBe(0)
    // The release and the whole of the kept index stay; only the image the policy lets go is deleted.
    expect(activeIds(fake, 'app')).toEqual([2, 3, 4, 5])
    expect(parsed(run, 'deleted').map(d => d.id)).toEqual([1])
    expect(fake.isPullable('acme', 'app', 'v2')).toBe(true)
    expect(run.stdout).toContain('manifest cache: 0 of')
  })
})
