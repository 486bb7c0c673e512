/**
 * Finds what a run applies to: which packages `package-names` means; then, for a delete run, each package's
 * versions and plan, and for a restore run, the deleted versions to bring back. It reads through the clients
 * and leaves the deciding to the pure engine (policy, restore).
 */
import { errorMessage } from './errors.js'
import type { GitHubPackagesClient } from './github-client.js'
import { compileGlobList } from './globs.js'
import { planDeletions, policyFor } from './policy.js'
import { manifestsToRead, unreadKeptUntagged } from './reads.js'
import type { RegistryClient } from './registry-client.js'
import { selectRestorations } from './restore.js'
import type {
  DeletionPlan,
  ExecutedWrite,
  Logger,
  OwnerScope,
  PackageReport,
  PackageType,
  RestoreRequest,
  RetentionPolicy,
  WriteTarget
} from './types.js'

/** The API reads a plan needs; the client, or a stand-in in tests. */
export type PackageReader = Pick<GitHubPackagesClient, 'listPackageNames' | 'listVersions'>
/** The registry reads a container plan needs. */
export type ImageReader = Pick<RegistryClient, 'readImageStructure'>

/** What a run will write: per package its report so far, and the writes to carry out, in order. */
export interface WorkPlan {
  packages: PackageReport[]
  targets: WriteTarget[]
  /** Restore runs: requested ids found in none of the packages' deleted versions, already failed. */
  unmatched: ExecutedWrite[]
}

const NOT_RESTORABLE =
  'not among the deleted versions: it is not deleted, or was deleted more than 30 days ago'

const GLOB_CHARS = /[*?[\]{}!]/

/**
 * Exact names are taken as they are, with no listing, so GITHUB_TOKEN (which cannot list packages) works
 * with them; globs are matched against the owner's packages of the type. `!glob` excludes.
 */
export async function resolvePackageNames(
  client: PackageReader,
  scope: OwnerScope,
  type: PackageType,
  patterns: readonly string[],
  log: Logger
): Promise<string[]> {
  const negatives = patterns.filter(p => p.startsWith('!'))
  const positives = patterns.filter(p => !p.startsWith('!'))
  const globs = positives.filter(p => GLOB_CHARS.test(p))
  const excluded = compileGlobList(negatives.map(p => p.slice(1)))
  const kept = (name: string) => negatives.length === 0 || !excluded.match(name)
  const chosen = new Set(positives.filter(p => !GLOB_CHARS.test(p) && kept(p)))
  // Only exclusions (`!legacy-*`) mean every package but those, which needs the listing too.
  if (globs.length === 0 && positives.length > 0) return [...chosen].sort()

  const available = await client.listPackageNames(scope, type)
  for (const glob of globs.length > 0 ? globs : ['**']) {
    const matcher = compileGlobList([glob])
    const matches = available.filter(name => matcher.match(name) && kept(name))
    if (matches.length === 0)
      log.warning(`package-names: "${glob}" matches none of ${scope.login}'s ${type} packages`)
    matches.forEach(name => chosen.add(name))
  }
  return [...chosen].sort()
}

/**
 * Lists a package's versions and plans them. For container images it first reads the manifests the plan
 * needs, then those of untagged versions the plan keeps that could be indexes, and plans again until no
 * kept version is left unread. An unreadable registry leaves the structure unknown: no untagged version goes.
 */
export async function planPackage(
  client: PackageReader,
  registry: ImageReader,
  scope: OwnerScope,
  name: string,
  policy: RetentionPolicy,
  now: Date
): Promise<DeletionPlan> {
  const versions = await client.listVersions(scope, policy.packageType, name)
  if (policy.packageType !== 'container') return planDeletions(versions, policy, now)
  const digests = manifestsToRead(versions, policy, now)
  let structure = await registry.readImageStructure(scope.login, name, digests)
  let plan = planDeletions(versions, policy, now, structure)
  while (structure && digests.length > 0 && policy.untagged !== 'exclude') {
    const unread = unreadKeptUntagged(plan, structure)
    if (unread.length === 0) break
    const more = await registry.readImageStructure(scope.login, name, unread)
    structure = more && new Map([...structure, ...more])
    plan = planDeletions(versions, policy, now, structure)
  }
  return plan
}

/**
 * A delete run's plan: every package planned, each decision logged; a package that cannot be read is reported
 * with its error and the others go on. Deletions are taken package by package, each package oldest first.
 */
export async function planDeletes(
  client: PackageReader,
  registry: ImageReader,
  scope: OwnerScope,
  names: readonly string[],
  policy: RetentionPolicy,
  now: Date,
  log: Logger
): Promise<WorkPlan> {
  const packages: PackageReport[] = []
  for (const name of names) {
    try {
      const plan = await planPackage(client, registry, scope, name, policyFor(policy, name), now)
      log.info(`${name}: ${plan.decisions.length} versions, ${plan.deletions.length} to delete`)
      for (const d of plan.decisions)
        log.info(`  ${d.action} ${d.version.id} ${d.version.name}: ${d.reasons.join('; ')}`)
      packages.push({ name, plan, writes: [] })
    } catch (error) {
      packages.push(failedPackage(name, error, log))
    }
  }
  const targets = packages.flatMap(p =>
    (p.plan?.deletions ?? []).map(d => ({ packageName: p.name, version: d.version }))
  )
  return { packages, targets, unmatched: [] }
}

/**
 * A restore run's plan: the deleted versions of each package that the request brings back; ids found in no
 * package's deleted versions fail, never silently dropped.
 */
export async function planRestore(
  client: PackageReader,
  scope: OwnerScope,
  names: readonly string[],
  request: RestoreRequest,
  policy: RetentionPolicy,
  now: Date,
  log: Logger
): Promise<WorkPlan> {
  const packages: PackageReport[] = []
  const targets: WriteTarget[] = []
  for (const name of names) {
    try {
      const deleted = await client.listVersions(scope, policy.packageType, name, 'deleted')
      const chosen = selectRestorations(deleted, request, policyFor(policy, name), now)
      log.info(`${name}: ${deleted.length} deleted versions, ${chosen.length} to restore`)
      chosen.forEach(version => targets.push({ packageName: name, version }))
      packages.push({ name, writes: [] })
    } catch (error) {
      packages.push(failedPackage(name, error, log))
    }
  }
  const found = new Set(targets.map(t => t.version.id))
  const requested = request.kind === 'ids' ? request.ids : []
  const unmatched = requested
    .filter(id => !found.has(id))
    .map((id): ExecutedWrite => ({
      packageName: '',
      version: { id, name: `id ${id}`, tags: [] },
      outcome: { kind: 'failed', status: 404, message: `${NOT_RESTORABLE} (searched: ${names.join(', ')})` }
    }))
  return { packages, targets, unmatched }
}

function failedPackage(name: string, error: unknown, log: Logger): PackageReport {
  log.error(`${name}: ${errorMessage(error)}`)
  return { name, error: errorMessage(error), writes: [] }
}
