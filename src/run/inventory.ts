/**
 * Finds what a run applies to: which packages `package-names` means; then, for a delete run, each package's
 * versions and plan, and for a restore run, the deleted versions to bring back. It reads through the clients
 * and leaves the deciding to the pure engine (policy, restore).
 */
import { errorMessage } from '../errors.js'
import { BudgetSpent } from '../github/budget.js'
import { parseTime } from '../engine/time.js'
import type { GitHubPackagesClient } from '../github/rest-client.js'
import { compileGlobList, isPattern } from '../engine/globs.js'
import { PartsWalker, imageName, isGhost, isTagged, linkImages, shortDigest } from '../engine/images.js'
import { planDeletions, policyFor } from '../engine/policy.js'
import { planWithReads, UnreadableManifests } from '../engine/reads.js'
import type { RegistryClient } from '../github/registry-client.js'
import type { NpmRegistryClient } from '../github/npm-registry.js'
import { label } from '../report/report.js'
import { selectRestorations, trustDeletedList } from '../engine/restore.js'
import { checkRun, withKeptParts } from './check.js'
import { withRepositoryFacts, type RepositoryFactsReader } from './repository-facts.js'
import type {
  AfterRunCheck,
  DeletionPlan,
  ExecutedWrite,
  ListedVersion,
  Logger,
  OwnerScope,
  PackageReport,
  PackageSummary,
  PackageType,
  RestoreRequest,
  RetentionPolicy,
  UnmatchedRestore,
  VersionRef,
  WriteTarget
} from '../types.js'

/** The API reads a plan needs; the client, or a stand-in in tests. */
export type PackageReader = Pick<GitHubPackagesClient, 'listPackageNames' | 'listVersions'> &
  Partial<Pick<GitHubPackagesClient, 'packageVisibility' | 'packageRepository'>>
/** The registry reads a container plan needs. */
export type ImageReader = Pick<RegistryClient, 'readImageStructure' | 'rememberedStructure'> & {
  readonly registryUrl?: string
}
/** The npm registry read an npm plan needs: the dist-tags, whose versions stay. */
export type DistTagReader = Pick<NpmRegistryClient, 'readDistTags'>

/**
 * What a plan may spend of the rate budget: the requests left, and what reading a package is expected to cost.
 * Plain numbers: the budget itself is the client's.
 */
export interface PlanBudget {
  left(): number
  /** Requests that listing the package (or listing it again, for the check) is expected to cost. */
  listingCost(name: string): number
  /**
   * What the run sends for a package after planning it, which the listing of the next package must leave room
   * for: `writes`, its deletions (up to `maxDeletions` in all) and the check after them; `visibility`, a dry
   * run's one read of a package that would lose versions. Unset: nothing.
   */
  after?: { kind: 'writes'; maxDeletions?: number } | { kind: 'visibility' }
}

/**
 * The requests a planned package will cost after planning (see PlanBudget.after), and how many deletions that
 * leaves under max-deletions.
 */
export function costAfterPlanning(
  plan: DeletionPlan,
  after: PlanBudget['after'],
  deletionsLeft: number
): { requests: number; deletionsLeft: number } {
  const wanted = plan.deletions.length
  if (after === undefined || wanted === 0) return { requests: 0, deletionsLeft }
  if (after.kind === 'visibility') return { requests: 1, deletionsLeft }
  const deletes = Math.min(wanted, deletionsLeft)
  const check = deletes > 0 ? listingCost(plan.decisions.length - deletes) : 0
  return { requests: deletes + check, deletionsLeft: deletionsLeft - deletes }
}

/** A package listing of `versions` versions: one page, or two pages more than there are (see listAllPages). */
export function listingCost(versions: number | undefined): number {
  const pages = Math.max(1, Math.ceil((versions ?? 0) / 100))
  return pages === 1 ? 1 : pages + 2
}

/** What a run will write: per package its report so far, and the writes to carry out, in order. */
export interface WorkPlan {
  packages: PackageReport[]
  targets: WriteTarget[]
  /** Restore runs: writes that failed before any was sent: versions GitHub's deleted list cannot be trusted on. */
  alreadyFailed: ExecutedWrite[]
  /** Restore runs: requested ids found in none of the packages' deleted versions. */
  unmatched: UnmatchedRestore[]
}

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
): Promise<PackageSummary[]> {
  const negatives = patterns.filter(p => p.startsWith('!'))
  const positives = patterns.filter(p => !p.startsWith('!'))
  const globs = positives.filter(isPattern)
  const excluded = compileGlobList(negatives.map(p => p.slice(1)))
  const kept = (name: string) => negatives.length === 0 || !excluded.match(name)
  const exact = positives.filter(p => !isPattern(p) && kept(p))
  // Only exclusions (`!legacy-*`) mean every package but those, which needs the listing too.
  if (globs.length === 0 && positives.length > 0) return [...new Set(exact)].sort().map(name => ({ name }))

  const available = await client.listPackageNames(scope, type)
  const chosen = new Map<string, PackageSummary>(exact.map(name => [name, { name }]))
  for (const p of available) if (chosen.has(p.name)) chosen.set(p.name, p)
  for (const glob of globs.length > 0 ? globs : ['**']) {
    const matcher = compileGlobList([glob])
    const matches = available.filter(p => matcher.match(p.name) && kept(p.name))
    if (matches.length === 0)
      log.warning(`package-names: "${glob}" matches none of ${scope.login}'s ${type} packages`)
    matches.forEach(p => chosen.set(p.name, p))
  }
  return [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * Lists a package's versions and plans them. For container images it reads only what the decisions need:
 * first it plans with what is known (the cache), taking unread tagged manifests as having no parts; then it
 * reads the manifests that plan keeps and that could have parts, and plans again, until nothing kept is left
 * unread. In a public package a deletion candidate is never read (a read is a download, and could push a
 * version past GitHub's 5,000-download limit): its parts are the untagged versions that are part of no kept
 * image, and they wait for it (`Decision.after`) so that they stay if GitHub refuses it (`refusedImageParts`).
 * A read that fails fails the package, naming the registry and the digests: nothing of it is deleted.
 */
export async function listAndPlanPackage(
  client: PackageReader,
  registry: ImageReader,
  scope: OwnerScope,
  name: string,
  policy: RetentionPolicy,
  now: Date,
  log?: Logger,
  npm?: DistTagReader,
  repository?: RepositoryFactsReader
): Promise<DeletionPlan> {
  // A container's visibility decides which manifests may be read; asked for while the versions are listed.
  const visibility =
    policy.packageType === 'container'
      ? client.packageVisibility?.(scope, policy.packageType, name)
      : undefined
  const versions = await client.listVersions(scope, policy.packageType, name)
  policy = await withRepositoryFacts(
    policy,
    versions,
    async () => client.packageRepository?.(scope, policy.packageType, name),
    repository
  )
  if (policy.packageType === 'npm' && npm !== undefined) {
    const distTags = await npm.readDistTags(scope.login, name).catch((error: unknown) => {
      throw new Error(`${errorMessage(error)}: nothing of this package is deleted in this run`)
    })
    const listed = new Set(versions.map(v => v.name.replace(/^v/, '')))
    for (const [tag, version] of Object.entries(distTags))
      if (!listed.has(version.replace(/^v/, '')))
        log?.debug(`${name}: dist-tag ${tag} points at ${version}, which is not among the listed versions`)
    return planDeletions(versions, { ...policy, distTags }, now)
  }
  if (policy.packageType !== 'container') return planDeletions(versions, policy, now)
  // In a private or internal package a read costs no download that matters: deletion candidates are read
  // too, so that a deleted image's parts go with it. Unknown visibility is taken as public.
  const readCandidates = ['private', 'internal'].includes((await visibility) ?? 'public')
  const { plan, incomplete, structure } = await planWithReads(
    versions,
    policy,
    now,
    digests => registry.readImageStructure(scope.login, name, digests),
    digests => registry.rememberedStructure(scope.login, name, digests),
    readCandidates
  ).catch((error: unknown) => {
    if (!(error instanceof UnreadableManifests)) throw error
    const where = registry.registryUrl === undefined ? 'the registry' : `registry ${registry.registryUrl}`
    throw new Error(UnreadableManifests.describe(error.digests, error.heldBack, where))
  })
  const kept = new Set(plan.decisions.filter(d => d.action === 'keep').map(d => d.version.id))
  for (const image of incomplete.filter(i => kept.has(i.version.id))) {
    const missing = `${image.missing.length} of the ${image.listed} manifests it lists`
    log?.warning(
      isGhost(image)
        ? `${name}: ${imageName(image.version)} is a ghost image: none of the ${image.listed} manifests it lists is left, so it no longer pulls; select it for deletion to remove it.`
        : `${name}: ${imageName(image.version)} is a partial image: ${missing} are gone (${image.missing.map(shortDigest).join(', ')}), so those platforms no longer pull.`
    )
  }
  return withKeptParts(plan, structure)
}

/**
 * What the executor holds back when GitHub refuses to delete a tagged image whose manifest was not read: the
 * image is read then (its download count no longer matters), nested indexes followed, and the ids of the
 * versions the plan deletes that are its parts, recursively (platform manifests, attestations, signatures),
 * are returned. Throws when it cannot be read: its parts are unknown.
 */
export function refusedImageParts(
  registry: ImageReader,
  scope: OwnerScope,
  packages: readonly PackageReport[]
): (target: WriteTarget) => Promise<readonly number[]> {
  return async target => {
    const plan = packages.find(p => p.name === target.packageName)?.plan
    const structure = await registry.readImageStructure(scope.login, target.packageName, [
      target.version.name
    ])
    if (structure === undefined) throw new Error('its manifest could not be read, so its parts are unknown')
    // The image and every version of the package, linked as the planner links them.
    const others = (plan?.decisions ?? []).map(d => d.version).filter(v => v.id !== target.version.id)
    const versions = [target.version, ...others]
    const parts = new PartsWalker(linkImages(versions, structure)).partsOf(0).map(p => versions[p].id)
    const deleted = new Set((plan?.deletions ?? []).map(d => d.version.id))
    return parts.filter(id => deleted.has(id))
  }
}

/**
 * A delete run's plan: every package planned, each decision logged; a package that cannot be read is reported
 * with its error and the others go on. The deletions of all packages go oldest first (`oldestFirstAcross`).
 */
export async function planDeleteRun(
  client: PackageReader,
  registry: ImageReader,
  scope: OwnerScope,
  names: readonly string[],
  policy: RetentionPolicy,
  now: Date,
  log: Logger,
  npm?: DistTagReader,
  budget?: PlanBudget,
  repository?: RepositoryFactsReader
): Promise<WorkPlan> {
  const packages: PackageReport[] = []
  // Once one package does not fit in the budget, the rest wait too: the next run takes them first. A package
  // fits when its listing does, beside what the packages planned before it will send (their deletes and
  // checks): a budget is not spent listing packages that no request is left to clean.
  let stopped = false
  let committed = 0
  // The package whose writes the budget left cannot all take: its writes go after every other package's, so
  // that a stop leaves one package unfinished, not each of them (the next run would list them all again).
  let overflowing: PackageReport | undefined
  let deletionsLeft = budget?.after?.kind === 'writes' ? (budget.after.maxDeletions ?? Infinity) : Infinity
  for (const name of names) {
    if (stopped || (budget !== undefined && budget.listingCost(name) + committed > budget.left())) {
      stopped = true
      packages.push({ name, pending: true, writes: [] })
      continue
    }
    try {
      const plan = await listAndPlanPackage(
        client,
        registry,
        scope,
        name,
        policyFor(policy, name),
        now,
        log,
        npm,
        repository
      )
      log.info(`${name}: ${plan.decisions.length} versions, ${plan.deletions.length} to delete`)
      const unknown = plan.decisions.filter(d => d.version.tagsUnknown).length
      if (unknown > 0)
        log.warning(
          `${name}: GitHub sent no tag list for ${unknown} version(s); they are kept (tags unknown)`
        )
      for (const d of plan.decisions)
        log.info(`  ${d.action} ${d.version.id} ${label(d.version)}: ${d.reasons.join('; ')}`)
      const pkg: PackageReport = { name, plan, writes: [] }
      packages.push(pkg)
      const after = costAfterPlanning(plan, budget?.after, deletionsLeft)
      committed += after.requests
      deletionsLeft = after.deletionsLeft
      if (budget !== undefined && overflowing === undefined && committed > budget.left()) overflowing = pkg
    } catch (error) {
      stopped = error instanceof BudgetSpent
      packages.push(stopped ? { name, pending: true, writes: [] } : failedPackage(name, error, log))
    }
  }
  const targets = [
    ...oldestFirstAcross(packages.filter(p => p !== overflowing)),
    ...oldestFirstAcross(overflowing ? [overflowing] : [])
  ]
  return { packages, targets, alreadyFailed: [], unmatched: [] }
}

/**
 * The deletions of all packages in one sequence, oldest image first across packages (so that max-deletions
 * takes the oldest wherever they are), each package's own order kept: an image before its parts. A part goes
 * under the time of the newest image that takes it along.
 */
export function oldestFirstAcross(packages: readonly PackageReport[]): WriteTarget[] {
  const queues = packages.map(p => {
    const deletions = p.plan?.deletions ?? []
    const times = new Map(deletions.map(d => [d.version.id, parseTime(d.version.createdAt)]))
    return deletions.map(d => ({
      time: d.partOf
        ? Math.max(...d.partOf.map(id => times.get(id) ?? -Infinity))
        : parseTime(d.version.createdAt),
      target: {
        packageName: p.name,
        version: d.version,
        ...(d.partOf ? { partOf: d.partOf } : {}),
        ...(d.after ? { after: d.after } : {})
      }
    }))
  })
  const heads = queues.map(() => 0)
  const targets: WriteTarget[] = []
  for (;;) {
    let best = -1
    for (let q = 0; q < queues.length; q++) {
      if (heads[q] >= queues[q].length) continue
      if (best === -1 || queues[q][heads[q]].time < queues[best][heads[best]].time) best = q
    }
    if (best === -1) return targets
    targets.push(queues[best][heads[best]++].target)
  }
}

/**
 * A restore run's plan: the deleted versions of each package that the request brings back; ids found in no
 * package's deleted versions fail, never silently dropped.
 */
export async function planRestoreRun(
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
  const untrusted: ExecutedWrite[] = []
  for (const name of names) {
    try {
      const deleted = await client.listVersions(scope, policy.packageType, name, 'deleted')
      // A "deleted" list is checked against the active one before anything in it is restored.
      const active = deleted.length > 0 ? await client.listVersions(scope, policy.packageType, name) : []
      const trust = trustDeletedList(deleted, new Set(active.map(v => v.id)))
      if (trust.listProblem) throw new Error(trust.listProblem)
      const chosen = selectRestorations(trust.trusted, request, policyFor(policy, name), now)
      log.info(`${name}: ${deleted.length} deleted versions, ${chosen.length} to restore`)
      targets.push(...restoreTargets(name, chosen, policy.packageType))
      for (const { version, reason } of trust.untrusted) {
        if (request.kind === 'ids' && !request.ids.includes(version.id)) continue
        log.warning(`${name}: version ${version.id} ${label(version)} ${reason}`)
        untrusted.push({
          packageName: name,
          version,
          outcome: { kind: 'failed', cause: 'untrusted', message: reason }
        })
      }
      packages.push({ name, writes: [] })
    } catch (error) {
      packages.push(failedPackage(name, error, log))
    }
  }
  const found = new Set([...targets, ...untrusted].map(t => t.version.id))
  const requested = request.kind === 'ids' ? request.ids : []
  const unsure = new Set(request.kind === 'ids' ? (request.unsure ?? []) : [])
  for (const id of requested.filter(id => !found.has(id) && unsure.has(id)))
    log.info(
      `id ${id}: its delete was sent but never answered, and it is not among the deleted versions; it did not go`
    )
  const unmatched = requested
    .filter(id => !found.has(id) && !unsure.has(id))
    .map(id => ({ id, searched: names }))
  return { packages, targets, alreadyFailed: untrusted, unmatched }
}

/**
 * Restores in reverse of deleting: parts before the images that need them. Deleted manifests cannot be read,
 * so an image's parts are not known; every untagged container version being restored is taken as a possible
 * part of every tagged one in the same package: the tagged versions are sent only once all the untagged ones
 * have answered (`after`), whatever they answered, so that no tag comes back before what it may need.
 */
export function restoreTargets(
  packageName: string,
  chosen: readonly ListedVersion[],
  type: PackageType
): WriteTarget[] {
  if (type !== 'container') return chosen.map(version => ({ packageName, version }))
  const parts = chosen.filter(v => !isTagged(v))
  const images = chosen.filter(isTagged)
  const after = parts.map(v => v.id)
  return [
    ...parts.map(version => ({ packageName, version })),
    ...images.map(version => ({ packageName, version, ...(after.length > 0 ? { after } : {}) }))
  ]
}

/**
 * Lists each package the run wrote to again and checks the run against it (`checkRun`); writes reported done
 * but still listed come back as failed. Problems are warnings naming the versions.
 */
export async function listAndCheckRun(
  client: PackageReader,
  scope: OwnerScope,
  type: PackageType,
  packages: readonly PackageReport[],
  log: Logger,
  budget?: PlanBudget
): Promise<PackageReport[]> {
  const checked: PackageReport[] = []
  for (const pkg of packages) {
    const sent = pkg.writes.some(w => w.outcome.kind !== 'skipped' || w.outcome.reason === 'already-gone')
    if (!pkg.plan || !sent) {
      checked.push(pkg)
      continue
    }
    const cost = budget?.listingCost(pkg.name) ?? 0
    if (budget !== undefined && cost > budget.left()) {
      const note = `not listed again: the API rate budget left does not cover it (${cost} request(s)); the next run's listing shows what went`
      log.info(`${pkg.name}: ${note}`)
      checked.push({ ...pkg, check: uncheckedBecause(note) })
      continue
    }
    try {
      const after = await client.listVersions(scope, type, pkg.name)
      const { writes, check } = checkRun(pkg, after)
      const names = (list: readonly VersionRef[]) => list.map(v => `${label(v)} (id ${v.id})`).join(', ')
      if (check.stillListed.length > 0)
        log.warning(
          `${pkg.name}: reported deleted but still listed after the run: ${names(check.stillListed)}`
        )
      for (const { image, missing } of check.brokenImages)
        log.warning(
          `${pkg.name}: kept image ${label(image)} lost part(s) no longer listed: ${names(missing)}`
        )
      if (check.disappeared.length > 0)
        log.warning(
          `${pkg.name}: ${check.disappeared.length} version(s) went while the run ran, not deleted by it (another run or a person?): ${names(check.disappeared)}`
        )
      if (check.appeared.length > 0)
        log.info(
          `${pkg.name}: ${check.appeared.length} version(s) appeared while the run ran: ${names(check.appeared)}`
        )
      checked.push({ ...pkg, writes, check })
    } catch (error) {
      log.warning(`${pkg.name}: could not list it again to check the run: ${errorMessage(error)}`)
      checked.push({ ...pkg, check: uncheckedBecause(errorMessage(error)) })
    }
  }
  return checked
}

function uncheckedBecause(error: string): AfterRunCheck {
  return { error, confirmed: 0, stillListed: [], brokenImages: [], disappeared: [], appeared: [] }
}

function failedPackage(name: string, error: unknown, log: Logger): PackageReport {
  log.error(`${name}: ${errorMessage(error)}`)
  return { name, error: errorMessage(error), writes: [] }
}
