/**
 * Manifests remembered between runs, by digest. A manifest addressed by its digest never changes, so what a
 * run read once (children, subject, media type) holds for every later run, and each read saved is a download
 * of the package saved. Kept in the runner's cache service (`@actions/cache`) when it offers one, or in a
 * directory named by `PACKAGE_RETENTION_MANIFEST_CACHE_DIR`; skipped without a word when neither is there or
 * either fails, since the cache only saves reads.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorMessage } from '../errors.js'
import type { Logger, ManifestInfo } from '../types.js'

/** Where the entries live between runs. */
export interface ManifestStore {
  /** Undefined when there is nothing yet (or the store is not available). */
  load(): Promise<Record<string, ManifestInfo> | undefined>
  save(entries: Record<string, ManifestInfo>): Promise<void>
}

export const CACHE_DIR_VARIABLE = 'PACKAGE_RETENTION_MANIFEST_CACHE_DIR'
const FILE = 'manifests.json'
const FORMAT = 1
const KEY_PREFIX = `package-retention-manifests-v${FORMAT}-`

/** The manifests known at the start of a run and those read during it; counts what the run looked up. */
export class ManifestCache {
  private readonly known: Map<string, ManifestInfo>
  private readonly used = new Map<string, ManifestInfo>()
  private lookups = 0
  private hits = 0
  private added = 0

  constructor(entries: Record<string, ManifestInfo> = {}) {
    this.known = new Map(Object.entries(entries).filter(([, info]) => isManifestInfo(info)))
  }

  get(digest: string): ManifestInfo | undefined {
    const info = this.known.get(digest)
    if (!this.used.has(digest)) {
      this.lookups++
      if (info !== undefined) {
        this.hits++
        this.used.set(digest, info)
      }
    }
    return info
  }

  /** An entry without counting it as needed (kept for the next run only if used). */
  peek(digest: string): ManifestInfo | undefined {
    const info = this.known.get(digest)
    if (info !== undefined) this.used.set(digest, info)
    return info
  }

  put(digest: string, info: ManifestInfo): void {
    if (!this.known.has(digest)) this.added++
    this.known.set(digest, info)
    this.used.set(digest, info)
  }

  /** `manifest cache: 5,234 of 5,294 digests (99%)`; undefined when nothing was looked up. */
  hitRate(): string | undefined {
    if (this.lookups === 0) return undefined
    const percent = Math.round((this.hits * 100) / this.lookups)
    const shown = this.hits < this.lookups ? Math.min(percent, 99) : percent
    const number = (n: number) => n.toLocaleString('en-US')
    return `manifest cache: ${number(this.hits)} of ${number(this.lookups)} digests (${shown}%)`
  }

  /** What to keep for the next run: the entries this run used. Undefined when nothing new was read. */
  toSave(): Record<string, ManifestInfo> | undefined {
    return this.added === 0 ? undefined : Object.fromEntries(this.used)
  }
}

function isManifestInfo(value: unknown): value is ManifestInfo {
  const info = value as ManifestInfo | null
  return (
    typeof info === 'object' &&
    info !== null &&
    Array.isArray(info.children) &&
    info.children.every(child => typeof child === 'string') &&
    (info.subject === undefined || typeof info.subject === 'string') &&
    (info.indexChildren === undefined || Array.isArray(info.indexChildren))
  )
}

async function readEntries(file: string): Promise<Record<string, ManifestInfo> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const parsed = JSON.parse(text) as { format?: number; manifests?: Record<string, ManifestInfo> }
  return parsed.format === FORMAT ? parsed.manifests : undefined
}

async function writeEntries(dir: string, entries: Record<string, ManifestInfo>): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, FILE), JSON.stringify({ format: FORMAT, manifests: entries }))
}

/** A directory on this machine: the demo's and the tests' store, or a self-hosted runner's disk. */
export function directoryStore(dir: string): ManifestStore {
  return { load: () => readEntries(join(dir, FILE)), save: entries => writeEntries(dir, entries) }
}

/**
 * The runner's cache service. Each save is a new entry (entries cannot be overwritten); a restore takes the
 * newest. `@actions/cache` is loaded only when the runner offers the service.
 */
export function actionsCacheStore(env: NodeJS.ProcessEnv): ManifestStore {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'package-retention-manifests')
  const available =
    Boolean(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL) && Boolean(env.ACTIONS_RUNTIME_TOKEN)
  const service = async () => {
    if (!available) return undefined
    const cache = await import('@actions/cache')
    return cache.isFeatureAvailable() ? cache : undefined
  }
  return {
    load: async () => {
      const cache = await service()
      if (!cache || (await cache.restoreCache([dir], `${KEY_PREFIX}none`, [KEY_PREFIX])) === undefined)
        return undefined
      return readEntries(join(dir, FILE))
    },
    save: async entries => {
      const cache = await service()
      if (!cache) return
      await writeEntries(dir, entries)
      const run = `${env.GITHUB_RUN_ID ?? '0'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`
      await cache.saveCache([dir], `${KEY_PREFIX}${run}`)
    }
  }
}

/** The store this run uses: the directory the environment names, else the runner's cache service. */
export function manifestStore(env: NodeJS.ProcessEnv = process.env): ManifestStore {
  const dir = env[CACHE_DIR_VARIABLE]
  return dir ? directoryStore(dir) : actionsCacheStore(env)
}

/** Loads the cache from a store; a store that fails gives an empty cache, with a debug line. */
export async function loadManifestCache(store: ManifestStore, log: Logger): Promise<ManifestCache> {
  try {
    return new ManifestCache((await store.load()) ?? {})
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
