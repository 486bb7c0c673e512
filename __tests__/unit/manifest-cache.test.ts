import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ManifestCache,
  actionsCacheStore,
  manifestKey,
  directoryStore,
  loadManifestCache,
  manifestStore,
  sha256,
  saveManifestCache,
  type ManifestStore
} from '../../src/github/manifest-cache.js'

function logger() {
  const lines: string[] = []
  const at = (level: string) => (message: string) => lines.push(`${level}: ${message}`)
  return { lines, debug: at('debug'), info: at('info'), warning: at('warning'), error: at('error') }
}

/** A manifest body of ghcr.io/acme/app, numbered `i`. */
const body = (i: number) =>
  JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', n: i })
/** Cache keys of `count` manifests of ghcr.io/acme/app: each names the sha256 of `body(i)`. */
const digests = (count: number) =>
  Array.from({ length: count }, (_, i) => manifestKey('ghcr.io', 'acme/app', sha256(body(i))))
/** The entries of these keys, as a run that read them saves them. */
const entries = (keys: string[]) => Object.fromEntries(keys.map(key => [key, BODIES.get(key)]))
const BODIES = new Map(digests(6000).map((key, i) => [key, body(i)]))

describe('ManifestCache', () => {
  it('logs the hit rate of the digests looked up, each counted once', () => {
    const known = digests(5294)
    const cache = new ManifestCache(entries(known.slice(0, 5234)))
    for (const d of known) cache.get(d)
    known.slice(5234).forEach((d, i) => cache.put(d, body(5234 + i)))
    for (const d of known) cache.get(d)
    expect(cache.hitRate()).toBe('manifest cache: 5,234 of 5,294 digests (99%)')
  })

  it('never rounds a miss up to 100%', () => {
    const known = digests(1000)
    const cache = new ManifestCache(entries(known.slice(1)))
    known.forEach(d => cache.get(d))
    expect(cache.hitRate()).toBe('manifest cache: 999 of 1,000 digests (99%)')
  })

  it('says nothing when nothing was looked up, and saves nothing when nothing new was read', () => {
    const cache = new ManifestCache(entries(digests(1)))
    expect(cache.hitRate()).toBeUndefined()
    cache.get(digests(1)[0])
    expect(cache.toSave()).toBeUndefined()
  })

  it('keeps for the next run what this run used and what another used in the last 30 days', () => {
    const [used, recent, old, fresh] = digests(4)
    const now = Date.parse('2026-12-01T00:00:00Z')
    const day = 86_400_000
    const cache = new ManifestCache(
      entries([used, recent, old]),
      { [used]: now - 90 * day, [recent]: now - 29 * day, [old]: now - 31 * day },
      now
    )
    cache.get(used)
    cache.put(fresh, body(3))
    expect(cache.toSave()).toEqual({
      manifests: entries([used, recent, fresh]),
      usedAt: { [used]: now, [recent]: now - 29 * day, [fresh]: now }
    })
  })

  it('saves to renew an entry last used more than a day ago, even when nothing new was read', () => {
    const [entry] = digests(1)
    const now = Date.parse('2026-12-01T00:00:00Z')
    const cache = new ManifestCache(entries([entry]), { [entry]: now - 2 * 86_400_000 }, now)
    cache.get(entry)
    expect(cache.toSave()?.usedAt).toEqual({ [entry]: now })
  })

  it('drops every entry whose body does not hash to the digest in its key, and keys of another form', () => {
    const [good, lie, swapped, notText] = digests(4)
    const cache = new ManifestCache({
      [good]: body(0),
      // An index of no children under the digest of another manifest.
      [lie]: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: []
      }),
      [swapped]: body(0),
      [notText]: { children: [] },
      // A key of the digest alone, for any registry and package.
      [sha256(body(4))]: body(4)
    })
    expect(cache.get(good)).toBe(body(0))
    expect([lie, swapped, notText, sha256(body(4))].map(key => cache.get(key))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined
    ])
    expect(cache.dropped).toBe(4)
  })
})

describe('stores', () => {
  it('a directory store keeps what a run read for the next one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifests-'))
    const store = manifestStore({ PACKAGE_RETENTION_MANIFEST_CACHE_DIR: dir })
    const log = logger()
    const first = await loadManifestCache(store, log)
    first.get(digests(1)[0])
    first.put(digests(1)[0], body(0))
    await saveManifestCache(first, store, log)
    expect(log.lines).toEqual(['info: manifest cache: 0 of 1 digests (0%)'])
    const second = await loadManifestCache(directoryStore(dir), log)
    expect(second.get(digests(1)[0])).toBe(body(0))
  })

  it('a broken store costs only the reads: an empty cache, a debug line, no failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifests-'))
    await writeFile(join(dir, 'manifests.json'), '{not json')
    const log = logger()
    const cache = await loadManifestCache(directoryStore(dir), log)
    expect(cache.get(digests(1)[0])).toBeUndefined()
    const failing: ManifestStore = {
      load: async () => undefined,
      save: () => Promise.reject(new Error('disk full'))
    }
    cache.put(digests(1)[0], body(0))
    await saveManifestCache(cache, failing, log)
    expect(log.lines.filter(l => l.startsWith('debug'))).toEqual([
      expect.stringContaining('manifest cache not restored'),
      'debug: manifest cache not saved: disk full'
    ])
    expect(await readFile(join(dir, 'manifests.json'), 'utf8')).toBe('{not json')
  })

  it("the runner's cache service is skipped when the runner does not offer it", async () => {
    const store = actionsCacheStore({ RUNNER_TEMP: tmpdir() })
    expect(await store.load()).toBeUndefined()
    await expect(store.save({ manifests: {}, usedAt: {} })).resolves.toBe(false)
  })
})
