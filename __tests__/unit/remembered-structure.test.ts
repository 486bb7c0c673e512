/**
 * What the registry client remembers from earlier runs is as complete as what a read returns: an index with
 * every nested index below it, or nothing of it. A half-known graph would let the planner take a tagged image
 * as known and delete its grandchildren as leftovers.
 */
import { describe, expect, it } from '@jest/globals'
import { ManifestCache, manifestKey, sha256 } from '../../src/github/manifest-cache.js'
import { RegistryClient } from '../../src/github/registry-client.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const REGISTRY = 'https://ghcr.io'

const leaf = (label: string) => JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, layers: [], label })
const index = (children: { body: string; mediaType: string }[]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: children.map(c => ({ mediaType: c.mediaType, digest: sha256(c.body), size: c.body.length }))
  })

/** `v1`: a tagged index over an untagged index over two platform manifests. */
const amd64 = leaf('amd64')
const arm64 = leaf('arm64')
const inner = index([
  { body: amd64, mediaType: MANIFEST },
  { body: arm64, mediaType: MANIFEST }
])
const v1 = index([{ body: inner, mediaType: INDEX }])

function remembering(...bodies: string[]) {
  const key = (body: string) => manifestKey(new URL(REGISTRY).hostname, 'acme/app', sha256(body))
  const cache = new ManifestCache(Object.fromEntries(bodies.map(body => [key(body), body])))
  const log = { debug() {}, info() {}, warning() {}, error() {} }
  return new RegistryClient({ token: 'unused', registryUrl: REGISTRY, log, cache })
}

describe('rememberedStructure', () => {
  it('gives an index with the nested indexes below it, as a read does', () => {
    const known = remembering(v1, inner).rememberedStructure('acme', 'app', [sha256(v1)])
    expect([...known.keys()].sort()).toEqual([sha256(v1), sha256(inner)].sort())
    expect(known.get(sha256(inner))?.children).toEqual([sha256(amd64), sha256(arm64)])
  })

  it('knows nothing of an index whose nested index is not remembered', () => {
    expect(remembering(v1).rememberedStructure('acme', 'app', [sha256(v1)]).size).toBe(0)
  })

  it('gives the complete ones among several, and leaves out the half-known', () => {
    const other = index([{ body: amd64, mediaType: MANIFEST }])
    const known = remembering(v1, other, amd64).rememberedStructure('acme', 'app', [
      sha256(v1),
      sha256(other),
      sha256(amd64)
    ])
    expect([...known.keys()].sort()).toEqual([sha256(other), sha256(amd64)].sort())
  })
})
