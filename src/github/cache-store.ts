/**
 * Where what a run remembers lives between runs: one JSON file, kept in the runner's cache service
 * (`@actions/cache`) when it offers one, or in the directory a `PACKAGE_RETENTION_…_DIR` variable names (a
 * self-hosted runner's disk, the demo, the tests). The file carries its format; a file of another format, or
 * one that does not read, is nothing.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where the entries live between runs. */
export interface CacheStore<T> {
  /** Undefined when there is nothing yet (or the store is not available). */
  load(): Promise<T | undefined>
  /** Whether it was kept: false when no store is available. */
  save(entries: T): Promise<boolean>
}

/** One kind of remembered file: its variable, file name, cache key prefix and format. */
export interface CacheKind<T> {
  /** `PACKAGE_RETENTION_…_DIR`: a directory to keep the file in. */
  variable: string
  /** The directory (under RUNNER_TEMP) the runner's cache service saves and restores. */
  folder: string
  file: string
  /** Cache keys start with it; the newest entry whose key starts with it is restored. */
  keyPrefix: string
  format: number
  /** What a parsed file of this format holds; undefined when its shape is not the expected one. */
  read(parsed: Record<string, unknown>): T | undefined
}

async function readEntries<T>(kind: CacheKind<T>, file: string): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const parsed = JSON.parse(text) as unknown
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { format?: unknown }).format !== kind.format
  )
    return undefined
  return kind.read(parsed as Record<string, unknown>)
}

async function writeEntries<T extends object>(kind: CacheKind<T>, dir: string, entries: T): Promise<boolean> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, kind.file), JSON.stringify({ format: kind.format, ...entries }))
  return true
}

/** A directory on this machine: the demo's and the tests' store, or a self-hosted runner's disk. */
export function directoryCache<T extends object>(kind: CacheKind<T>, dir: string): CacheStore<T> {
  return {
    load: () => readEntries(kind, join(dir, kind.file)),
    save: entries => writeEntries(kind, dir, entries)
  }
}

/**
 * The runner's cache service. Each save is a new entry (entries cannot be overwritten); a restore takes the
 * newest. `@actions/cache` is loaded only when the runner offers the service.
 */
export function actionsCache<T extends object>(kind: CacheKind<T>, env: NodeJS.ProcessEnv): CacheStore<T> {
  const dir = join(env.RUNNER_TEMP || tmpdir(), kind.folder)
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
      if (
        !cache ||
        (await cache.restoreCache([dir], `${kind.keyPrefix}none`, [kind.keyPrefix])) === undefined
      )
        return undefined
      return readEntries(kind, join(dir, kind.file))
    },
    save: async entries => {
      const cache = await service()
      if (!cache) return false
      await writeEntries(kind, dir, entries)
      const run = `${env.GITHUB_RUN_ID ?? '0'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`
      await cache.saveCache([dir], `${kind.keyPrefix}${run}`)
      return true
    }
  }
}

/** The store a run uses: the directory the kind's variable names, else the runner's cache service. */
export function cacheStore<T extends object>(kind: CacheKind<T>, env: NodeJS.ProcessEnv): CacheStore<T> {
  const dir = env[kind.variable]
  return dir ? directoryCache(kind, dir) : actionsCache(kind, env)
}
