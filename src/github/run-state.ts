/**
 * What a run remembers for the next one, so that a package nothing happened to costs no listing: per package the
 * pair the package list gave (`version_count`, `updated_at`) for the versions the run left, a hash of the
 * policy that planned it, and when its decisions next change with time; and the packages the rate budget left
 * unreached, which the next run takes first. One entry per owner, package type and shard, kept as the manifest
 * cache is (the runner's cache service, or the directory `PACKAGE_RETENTION_RUN_STATE_DIR` names). Believed only
 * when it reads as this format for this owner, type and shard; anything else is no state: every package listed.
 */
import { cacheStore, type CacheKind, type CacheStore } from './cache-store.js'
import type { PackageType } from '../types.js'

export const RUN_STATE_DIR_VARIABLE = 'PACKAGE_RETENTION_RUN_STATE_DIR'
const FORMAT = 1

/** One package as the last run left it, finished. */
export interface RememberedPackage {
  versionCount: number
  updatedAt: string
  /** The hash of the effective policy (`policyHash`). */
  policy: string
  /** When its decisions next change with time (ISO), or `never`. */
  nextChangeAt: string
}

export interface RunState {
  owner: string
  packageType: PackageType
  /** `K/N`, or `all` without a shard. */
  shard: string
  packages: Record<string, RememberedPackage>
  /** Packages the rate budget left unreached or unfinished: listed first next time. */
  pending: string[]
}

export type RunStateStore = CacheStore<RunState>

const isRemembered = (p: unknown): p is RememberedPackage => {
  const r = p as Partial<RememberedPackage> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.versionCount) &&
    typeof r.updatedAt === 'string' &&
    typeof r.policy === 'string' &&
    (r.nextChangeAt === 'never' ||
      (typeof r.nextChangeAt === 'string' && !Number.isNaN(Date.parse(r.nextChangeAt))))
  )
}

/** The state of one owner, type and shard; a file of another owner, type or shard, or of another shape, is none. */
function runStateKind(owner: string, packageType: PackageType, shard: string): CacheKind<RunState> {
  const name = `${owner.toLowerCase()}-${packageType}-${shard.replace('/', 'of')}`
  return {
    variable: RUN_STATE_DIR_VARIABLE,
    folder: 'package-retention-run-state',
    file: `run-state-${name}.json`,
    keyPrefix: `package-retention-run-state-v${FORMAT}-${name}-`,
    format: FORMAT,
    read: parsed => {
      const { packages, pending } = parsed
      if (
        typeof parsed.owner !== 'string' ||
        parsed.owner.toLowerCase() !== owner.toLowerCase() ||
        parsed.packageType !== packageType ||
        parsed.shard !== shard ||
        typeof packages !== 'object' ||
        packages === null ||
        !Object.values(packages).every(isRemembered) ||
        !Array.isArray(pending) ||
        !pending.every(name => typeof name === 'string')
      )
        return undefined
      return {
        owner,
        packageType,
        shard,
        packages: packages as Record<string, RememberedPackage>,
        pending
      }
    }
  }
}

/** The store of this owner's, type's and shard's state. */
export function runStateStore(
  owner: string,
  packageType: PackageType,
  shard: string,
  env: NodeJS.ProcessEnv = process.env
): RunStateStore {
  return cacheStore(runStateKind(owner, packageType, shard), env)
}
