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
  saveManifestCache,
  type ManifestStore
} from '../../src/github/manifest-cache.js'

function logger() {
  const lines: string[] = []
  const at = (level: string) => (message: string) => lines.push(`${level}: ${message}`)
  return { lines, debug: at('debug'), info: at('info'), warning: at('warning'), error: at('error') }
}

/** Cache keys of `count` manifests of ghcr.io/acme/app. */
const digests = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    manifestKey('ghcr.io', 'acme/app', `sha256:${String(i).padStart(64, '0')}`)
  )

describe('ManifestCache', () => {
  it('logs the hit rate of the digests looked up, each counted once', () => {
    const known = digests(5294)
    const cache = new ManifestCache(Object.fromEntries(known.slice(0, 5234).map(d => [d, { children: [] }])))
    for (const d of known) cache.get(d)
    for (const d of known.slice(5234)) cache.put(d, { children: [] })
    for (const d of known) cache.get(d)
    expect(cache.hitRate()).toBe('manifest cache: 5,234 of 5,294 digests (99%)')
  })

  it('never rounds a miss up to 100%', () => {
    const known = digests(1000)
    const cache = new ManifestCache(Object.fromEntries(known.slice(1).map(d => [d, { children: [] }])))
    known.forEach(d => cache.get(d))
    expect(cache.hitRate()).toBe('manifest cache: 999 of 1,000 digests (99%)')
  })

  it('says nothing when nothing was looked up, and saves nothing when nothing new was read', () => {
    const cache = new ManifestCache({ [digests(1)[0]]: { children: [] } })
    expect(cache.hitRate()).toBeUndefined()
    cache.get(digests(1)[0])
    expect(cache.toSave()).toBeUndefined()
  })

  it('keeps for the next run what this run used and what another used in the last 30 days', () => {
    const [used, recent, old, fresh] = digests(4)
    const now = Date.parse('2026-12-01T00:00:00Z')
    const day = 86_400_000
    const cache = new ManifestCache(
      { [used]: { children: [] }, [recent]: { children: [] }, [old]: { children: [] } },
      { [used]: now - 90 * day, [recent]: now - 29 * day, [old]: now - 31 * day },
      now
    )
    cache.get(used)
    cache.put(fresh, { children: [] })
    expect(cache.toSave()).toEqual({
      manifests: { [used]: { children: [] }, [recent]: { children: [] }, [fresh]: { children: [] } },
      usedAt: { [used]: now, [recent]: now - 29 * day, [fresh]: now }
    })
  })

  it('saves to renew an entry last used more than a day ago, even when nothing new was read', () => {
    const [entry] = digests(1)
    const now = Date.parse('2026-12-01T00:00:00Z')
    const cache = new ManifestCache({ [entry]: { children: [] } }, { [entry]: now - 2 * 86_400_000 }, now)
    cache.get(entry)
    expect(cache.toSave()?.usedAt).toEqual({ [entry]: now })
  })

  it('drops malformed entries, entries naming anything but sha256 digests, and keys of another form', () => {
    const [good, bad, badChild, badSubject] = digests(4)
    const child = `sha256:${'a'.repeat(64)}`
    const cache = new ManifestCache({
      [good]: { children: [child] },
      [bad]: { children: 'x' } as never,
      [badChild]: { children: ['../../v2/_catalog'] },
      [badSubject]: { children: [], subject: `sha256:${'A'.repeat(64)}` },
      // A format 1 key: the digest alone, for any registry and package.
      [child]: { children: [] }
    })
    expect(cache.get(good)).toEqual({ children: [child] })
    expect([bad, badChild, badSubject, child].map(key => cache.get(key))).toEqual([
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
    first.put(digests(1)[0], {
      children: [`sha256:${'1'.repeat(64)}`],
      mediaType: 'application/vnd.oci.image.index.v1+json'
    })
    await saveManifestCache(first, store, log)
    expect(log.lines).toEqual(['info: manifest cache: 0 of 1 digests (0%)'])
    const second = await loadManifestCache(directoryStore(dir), log)
    expect(second.get(digests(1)[0])?.children).toEqual([`sha256:${'1'.repeat(64)}`])
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
    cache.put(digests(1)[0], { children: [] })
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
    await expect(store.save({ manifests: {}, usedAt: {} })).resolves.toBeUndefined()
  })
})
