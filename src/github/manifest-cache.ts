/**
 * Manifests remembered between runs. A manifest addressed by its digest never changes, so a body read once holds
 * for every later run, and each read saved is a download of the package saved. The cache keeps the bodies
 * themselves, as the registry sent them, and believes none it cannot check: on load, an entry whose body does not
 * hash to the digest in its key is dropped (and read again), and what a body says (children, subject) is parsed
 * from it again by the registry client. Entries are keyed by registry host, repository (owner and package) and digest, so that one package's
 * or one registry's entries never answer for another; entries unused for 30 days age out. Kept in the runner's
 * cache service (`@actions/cache`) when it offers one, or in a directory named by
 * `PACKAGE_RETENTION_MANIFEST_CACHE_DIR`; skipped without a word when neither is there or either fails, since
 * the cache only saves reads.
 */
import { createHash } from 'node:crypto'
import { errorMessage } from '../errors.js'
import { actionsCache, cacheStore, directoryCache, type CacheKind, type CacheStore } from './cache-store.js'
import type { Logger } from '../types.js'

/** What a store keeps: manifest bodies by key (`host/owner/package@digest`), and when each was last used (ms). */
export interface SavedManifests {
  manifests: Record<string, string>
  usedAt: Record<string, number>
}

/** Where the entries live between runs. */
export type ManifestStore = CacheStore<SavedManifests>

export const CACHE_DIR_VARIABLE = 'PACKAGE_RETENTION_MANIFEST_CACHE_DIR'
/**
 * 2: keys name registry host, owner and package as well as the digest; entries are manifest bodies, checked
 * against the key's digest when loaded, and carry when they were used.
 */
const FORMAT = 2
const KEY_PREFIX = `package-retention-manifests-v${FORMAT}-`
const DAY_MS = 86_400_000
/** An entry no run used for this long is not saved again. */
const AGE_OUT_MS = 30 * DAY_MS

/**
 * The key of a manifest: the registry's host with its port (as a URL's `host` names it), the repository
 * (`owner/package`, lower case) and the digest; two registries on one host never share entries.
 */
export function manifestKey(registryHost: string, repository: string, digest: string): string {
  return `${registryHost}/${repository.toLowerCase()}@${digest}`
}

/** The manifests known at the start of a run and those read during it; counts what the run looked up. */
export class ManifestCache {
  private readonly known: Map<string, string>
  private readonly usedAt: Map<string, number>
  private readonly used = new Set<string>()
  private lookups = 0
  private hits = 0
  private added = 0
  /** Entries loaded but not taken: a body that does not hash to its key's digest (read again if needed). */
  readonly dropped: number

  constructor(
    entries: Record<string, unknown> = {},
    usedAt: Record<string, number> = {},
    private readonly now = Date.now()
  ) {
    const all = Object.entries(entries)
    this.known = new Map(
      all.filter((entry): entry is [string, string] => {
        const [key, body] = entry
        return typeof body === 'string' && KEY.exec(key)?.[1] === sha256(body)
      })
    )
    this.dropped = all.length - this.known.size
    this.usedAt = new Map(
      [...this.known.keys()].map(key => [key, typeof usedAt[key] === 'number' ? usedAt[key] : now])
    )
  }

  get(key: string): string | undefined {
    const info = this.known.get(key)
    if (!this.used.has(key)) {
      this.lookups++
      if (info !== undefined) {
        this.hits++
        this.used.add(key)
      }
    }
    return info
  }

  /** An entry without counting it as needed (kept for the next run only if used). */
  peek(key: string): string | undefined {
    const info = this.known.get(key)
    if (info !== undefined) this.used.add(key)
    return info
  }

  /** A body the registry sent for the key's digest, verified by the caller. */
  put(key: string, info: string): void {
    if (!this.known.has(key)) this.added++
    this.known.set(key, info)
    this.used.add(key)
  }

  /** `manifest cache: 5,234 of 5,294 digests (99%)`; undefined when nothing was looked up. */
  hitRate(): string | undefined {
    if (this.lookups === 0) return undefined
    const percent = Math.round((this.hits * 100) / this.lookups)
    const shown = this.hits < this.lookups ? Math.min(percent, 99) : percent
    const number = (n: number) => n.toLocaleString('en-US')
    return `manifest cache: ${number(this.hits)} of ${number(this.lookups)} digests (${shown}%)`
  }

  /**
   * What to keep for the next run: the entries this run used, and those another run used in the last 30 days.
   * Undefined when nothing new was read and no entry's last use needs renewing (saved at most daily).
   */
  toSave(): SavedManifests | undefined {
    const stale = [...this.used].some(key => (this.usedAt.get(key) ?? 0) < this.now - DAY_MS)
    if (this.added === 0 && !stale) return undefined
    const manifests: Record<string, string> = {}
    const usedAt: Record<string, number> = {}
    for (const [key, info] of this.known) {
      const last = this.used.has(key) ? this.now : (this.usedAt.get(key) ?? 0)
      if (last < this.now - AGE_OUT_MS) continue
      manifests[key] = info
      usedAt[key] = last
    }
    return { manifests, usedAt }
  }
}

/** `host/owner/package@sha256:…`, as `manifestKey` writes it; the digest captured. */
const KEY = /^[^/@\s]+\/[^@\s]+@(sha256:[0-9a-f]{64})$/

/** `sha256:<hex>` of a text's UTF-8 bytes, as a registry names a manifest. */
export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`
}

const MANIFESTS: CacheKind<SavedManifests> = {
  variable: CACHE_DIR_VARIABLE,
  folder: 'package-retention-manifests',
  file: 'manifests.json',
  keyPrefix: KEY_PREFIX,
  format: FORMAT,
  read: parsed =>
    typeof parsed.manifests === 'object' && parsed.manifests !== null
      ? {
          manifests: parsed.manifests as Record<string, string>,
          usedAt: (parsed.usedAt ?? {}) as Record<string, number>
        }
      : undefined
}

/** A directory on this machine: the demo's and the tests' store, or a self-hosted runner's disk. */
export const directoryStore = (dir: string): ManifestStore => directoryCache(MANIFESTS, dir)

/** The runner's cache service. */
export const actionsCacheStore = (env: NodeJS.ProcessEnv): ManifestStore => actionsCache(MANIFESTS, env)

/** The store this run uses: the directory the environment names, else the runner's cache service. */
export const manifestStore = (env: NodeJS.ProcessEnv = process.env): ManifestStore =>
  cacheStore(MANIFESTS, env)

/** Loads the cache from a store; a store that fails gives an empty cache, with a debug line. */
export async function loadManifestCache(store: ManifestStore, log: Logger): Promise<ManifestCache> {
  try {
    const saved = await store.load()
    const cache = new ManifestCache(saved?.manifests, saved?.usedAt)
    if (cache.dropped > 0)
      log.debug(
        `manifest cache: ${cache.dropped} entry(ies) whose body does not hash to its digest dropped; read again`
      )
    return cache
  } catch (error) {
    log.debug(`manifest cache not restored: ${errorMessage(error)}`)
    return new ManifestCache()
  }
}

/** Logs the hit rate and saves what is new; a failing store costs only the next run's reads. */
export async function saveManifestCache(
  cache: ManifestCache,
  store: ManifestStore,
  log: Logger
): Promise<void> {
  const rate = cache.hitRate()
  if (rate !== undefined) log.info(rate)
  const entries = cache.toSave()
  if (entries === undefined) return
  try {
    await store.save(entries)
  } catch (error) {
    log.debug(`manifest cache not saved: ${errorMessage(error)}`)
  }
}
