import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ManifestCache,
  actionsCacheStore,
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

const digests = (count: number) =>
  Array.from({ length: count }, (_, i) => `sha256:${String(i).padStart(64, '0')}`)

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

  it('drops malformed entries', () => {
    const [good, bad] = digests(2)
    const cache = new ManifestCache({ [good]: { children: [] }, [bad]: { children: 'x' } as never })
    expect(cache.get(good)).toEqual({ children: [] })
    expect(cache.get(bad)).toBeUndefined()
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
      children: [digests(2)[1]],
      mediaType: 'application/vnd.oci.image.index.v1+json'
    })
    await saveManifestCache(first, store, log)
    expect(log.lines).toEqual(['info: manifest cache: 0 of 1 digests (0%)'])
    const second = await loadManifestCache(directoryStore(dir), log)
    expect(second.get(digests(1)[0])?.children).toEqual([digests(2)[1]])
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
    await expect(store.save({})).resolves.toBeUndefined()
  })
})
