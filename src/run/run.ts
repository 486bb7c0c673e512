/**
 * One run, step by step, for the action and the command line alike: list → plan → record → execute → check.
 * It decides nothing itself; main.ts (the action) and cli.ts (the local preview) wire it to their inputs and
 * outputs.
 */
import type { Config } from '../config/inputs.js'
import { executeWrites, writerFor, type VersionWriter } from './execute.js'
import { GitHubPackagesClient, REQUEST_CONCURRENCY } from '../github/rest-client.js'
import {
  listAndCheckRun,
  planDeleteRun,
  planRestoreRun,
  refusedImageParts,
  listingCost,
  resolvePackageNames,
  type ImageReader,
  type PlanBudget
} from './inventory.js'
import { loadManifestCache, manifestStore, saveManifestCache } from '../github/manifest-cache.js'
import { RegistryClient } from '../github/registry-client.js'
import { RepositoryClient } from '../github/repository-client.js'
import { RepositoryFactsReader } from './repository-facts.js'
import { NpmRegistryClient } from '../github/npm-registry.js'
import { attachWrites, type BudgetReport, type RunReport } from '../report/report.js'
import type { BudgetGauge } from '../github/budget.js'
import { startRecord } from '../report/publish.js'
import { inShard } from './shard.js'
import { nextRunState, pendingFirst, unchangedPackages } from './incremental.js'
import { RUN_STATE_DIR_VARIABLE, runStateStore } from '../github/run-state.js'
import { errorMessage } from '../errors.js'
import type { Logger, OwnerScope, PackageReport, RateReserve, RestoreRequest, Shard } from '../types.js'
import { VERSION } from '../version.js'

/** Writes in flight at once; the pace itself is the client's sliding window. */
const WRITE_CONCURRENCY = 8
/** GitHub's limit of requests in flight for a token, shared by every job of a matrix. */
const TOKEN_CONCURRENCY = 100

export interface RunIO {
  log: Logger
  /** Folds the lines of one step together (a log group on the runner). */
  group<T>(title: string, step: () => Promise<T>): Promise<T>
  /** Where the plan file and the run's record go. */
  recordDirectory: string
  /** Called once the plan file and the record exist, before the first write. */
  onRecord?(planFile: string, recordFile: string): void
}

export async function runRetention(
  config: Config,
  io: RunIO
): Promise<{ report: RunReport; planFile: string; stopped?: string }> {
  const { log } = io
  log.debug(`package-retention ${VERSION} on Node ${process.version}`)
  const startedAt = new Date()
  // A cancelled workflow sends SIGINT, then SIGTERM: from then on nothing is sent (a read, a write waiting in the
  // pacing window, a retry); the writes in flight are awaited briefly, and the run reports what it did.
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted)
      log.warning(`${signal}: nothing more is sent; waiting briefly for the writes in flight.`)
    stop.abort(signal)
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  try {
    return await stoppableRun(config, io, startedAt, stop.signal)
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
  }
}

async function stoppableRun(
  config: Config,
  io: RunIO,
  startedAt: Date,
  signal: AbortSignal
): Promise<{ report: RunReport; planFile: string; stopped?: string }> {
  const { log, group } = io
  const shards = config.shard?.count ?? 1
  const concurrency = Math.max(1, Math.min(REQUEST_CONCURRENCY, Math.floor(TOKEN_CONCURRENCY / shards)))
  const client = new GitHubPackagesClient({ ...config, log, signal, concurrency })
  // The budget before the first request, at no cost; the reserve and this job's share are kept from it.
  await client.readRateBudget()
  const known = client.budget.budget
  if (known !== undefined) {
    const reserve = reserveOf(config.rateLimitReserve, known.limit)
    client.budget.keep(reserve, shards)
    log.info(
      `API rate budget: ${known.remaining} of ${known.limit} left, resets at ${client.budget.resetAt}; ${reserve} kept back${shards > 1 ? `, this job plans within 1/${shards} of it` : ''}`
    )
  }
  const store = manifestStore()
  const manifests =
    config.packageType === 'container' && !config.restore ? await loadManifestCache(store, log) : undefined
  // Made on the first read a container plan asks for: other runs never touch a registry.
  let registryClient: RegistryClient | undefined
  const registryFor = () => (registryClient ??= new RegistryClient({ ...config, log, cache: manifests }))
  const registry: ImageReader = {
    readImageStructure: (owner, name, digests) => registryFor().readImageStructure(owner, name, digests),
    rememberedStructure: (owner, name, digests) => registryFor().rememberedStructure(owner, name, digests),
    registryUrl: config.registryUrl
  }
  // npm's dist-tags are read for every npm package planned: a version one points at is never deleted.
  const npm = config.packageType === 'npm' ? new NpmRegistryClient(config) : undefined
  const repository = config.policy.repository
    ? new RepositoryFactsReader(new RepositoryClient(client))
    : undefined
  const scope = await client.detectOwner(config.owner)
  const resolved = await resolvePackageNames(client, scope, config.packageType, config.packageNames, log)
  const matched = config.shard ? resolved.filter(p => inShard(p.name, config.shard as Shard)) : resolved
  // What the last run of this owner, type and shard left: none for a restore, which plans from the deleted list.
  const stateOf = {
    owner: scope.login,
    packageType: config.packageType,
    shard: config.shard ? `${config.shard.index}/${config.shard.count}` : 'all'
  }
  const stateStore = config.restore
    ? undefined
    : runStateStore(stateOf.owner, stateOf.packageType, stateOf.shard)
  const lastState = await stateStore?.load().catch((error: unknown) => {
    log.debug(`run state not restored: ${errorMessage(error)}; every package is listed`)
    return undefined
  })
  const names = pendingFirst(
    matched.map(p => p.name),
    lastState
  )
  const unchanged = unchangedPackages(lastState, matched, config.policy, startedAt)
  const share = config.shard
    ? ` (shard ${config.shard.index}/${config.shard.count} of ${resolved.length})`
    : ''
  log.info(
    `${scope.kind} ${scope.login}: ${names.length} ${config.packageType} package(s)${share}: ${names.join(', ')}`
  )
  const versionCounts = new Map(matched.map(p => [p.name, p.versionCount]))
  const budget: PlanBudget = {
    left: () => client.budget.left(),
    listingCost: name => listingCost(versionCounts.get(name)),
    after: config.dryRun ? { kind: 'visibility' } : { kind: 'writes', maxDeletions: config.maxDeletions }
  }

  const verb = config.restore ? 'restore' : 'delete'
  for (const pkg of unchanged.values()) log.info(`${pkg.name}: ${pkg.unchanged?.reason}`)
  const listed = names.filter(name => !unchanged.has(name))
  const work = await group(`Plan ${listed.length} package(s)`, () =>
    config.restore
      ? planRestoreRun(client, scope, listed, config.restore, config.policy, startedAt, log)
      : planDeleteRun(client, registry, scope, listed, config.policy, startedAt, log, npm, budget, repository)
  )
  const planned = new Map(work.packages.map(p => [p.name, p]))
  work.packages = names.map(name => unchanged.get(name) ?? (planned.get(name) as PackageReport))
  if (config.dryRun && !config.restore)
    work.packages = await markVisibility(client, scope, config, work.packages, log)
  const run = {
    owner: scope.login,
    packageType: config.packageType,
    mode: verb,
    dryRun: config.dryRun,
    startedAt,
    ...(config.shard ? { shard: config.shard } : {}),
    packages: work.packages,
    requests: 0,
    manifestReads: 0
  } as const
  // Written before the first write, appended to as each ends: a killed run still leaves its record.
  const { planFile, record } = startRecord(run, io.recordDirectory)
  io.onRecord?.(planFile, record.path)
  const title = `${config.dryRun ? 'Would ' : ''}${verb} ${work.targets.length} version(s)`
  // Each package written to holds back what listing it again for the check will cost.
  const checkCosts = new Map(
    work.packages.map(p => [p.name, listingCost(p.plan && p.plan.decisions.length - p.plan.deletions.length)])
  )
  const writer = writerFor(client, scope, config, verb)
  const writes = await group(title, () =>
    executeWrites(work.targets, config.dryRun ? writer : holdingChecks(writer, client.budget, checkCosts), {
      signal,
      verb,
      packageType: config.packageType,
      maxWrites: verb === 'delete' ? config.maxDeletions : undefined,
      // The writer's budget is what is left after the reserve already.
      reserve: 0,
      concurrency: Math.min(WRITE_CONCURRENCY, concurrency),
      log,
      onSend: target => record.sent(target),
      onOutcome: write => record.ended(write),
      onRefused: refusedImageParts(registry, scope, work.packages)
    })
  )
  client.budget.release()
  const stopped = signal.aborted ? String(signal.reason) : undefined
  if (manifests && !stopped) await saveManifestCache(manifests, store, log)

  let packages = attachWrites(work.packages, [...writes, ...work.alreadyFailed])
  // A stopped run has seconds left: it reports what it did, and the next run's check sees the rest.
  if (verb === 'delete' && !config.dryRun && !stopped) {
    const afterCosts: PlanBudget = {
      left: budget.left,
      listingCost: name => checkCosts.get(name) ?? 1
    }
    packages = await group('Check the packages after the run', () =>
      listAndCheckRun(client, scope, config.packageType, packages, log, afterCosts)
    )
    // Writes the check found not done are recorded again, so that the record says what really went.
    const before = new Map(writes.map(w => [w.version.id, w.outcome]))
    for (const pkg of packages)
      for (const w of pkg.writes)
        if (before.has(w.version.id) && before.get(w.version.id) !== w.outcome) record.ended(w)
  }
  const pending = pendingWork(packages, client.budget.resetAt)
  const remembered =
    stateStore !== undefined &&
    !stopped &&
    (await stateStore
      .save(nextRunState(stateOf, lastState, matched, packages, config.policy, startedAt))
      .catch((error: unknown) => {
        log.debug(`run state not saved: ${errorMessage(error)}`)
        return false
      }))
  const forgotten = remembered ? undefined : `no cache service, and ${RUN_STATE_DIR_VARIABLE} not set`
  const next = forgotten
    ? `nothing remembers which were not reached (${forgotten}), so the next run takes the packages in name order`
    : 'the packages not reached go first next time'
  if (pending.packages > 0)
    log.warning(
      `Stopped for the API rate budget: ${pending.packages} package(s) left for the next run (${names.length - pending.packages} served), ${pending.versions} planned deletion(s) not sent; ${next}. The budget resets at ${pending.resetAt ?? 'an unknown time'}.`
    )
  const report: RunReport = {
    ...run,
    packages,
    budget: { ...pending, ...(forgotten ? { forgotten } : {}) },
    requests: client.requestCount,
    manifestReads: registryClient?.manifestReads ?? 0,
    recordFile: record.path,
    ...(config.restore ? { restoring: restoreWords(config.restore), unmatched: work.unmatched } : {})
  }
  return { report, planFile, ...(stopped ? { stopped } : {}) }
}

/** `rate-limit-reserve` in requests: a percentage is of the limit GitHub reports. */
function reserveOf(reserve: RateReserve, limit: number): number {
  return 'requests' in reserve ? reserve.requests : Math.ceil((limit * reserve.percent) / 100)
}

/**
 * The writer, holding back for each package it first writes to what listing that package again will cost, so
 * that the check after the run fits in the budget: a write that does not fit then is answered as a spent budget.
 */
function holdingChecks(
  writer: VersionWriter,
  budget: BudgetGauge,
  checkCosts: ReadonlyMap<string, number>
): VersionWriter {
  const held = new Set<string>()
  return {
    budgetLeft: () => writer.budgetLeft(),
    write: target => {
      if (!held.has(target.packageName)) {
        held.add(target.packageName)
        budget.hold(checkCosts.get(target.packageName) ?? 1)
      }
      return writer.write(target)
    }
  }
}

/** What the rate budget left for the next run: packages not reached or not finished, deletions not sent. */
function pendingWork(packages: readonly PackageReport[], resetAt: string | undefined): BudgetReport {
  const stopped = (pkg: PackageReport) =>
    pkg.writes.filter(w => w.outcome.kind === 'skipped' && w.outcome.reason === 'rate-limit').length
  return {
    packages: packages.filter(p => p.pending || stopped(p) > 0).length,
    versions: packages.reduce((n, p) => n + stopped(p), 0),
    ...(resetAt ? { resetAt } : {})
  }
}

/**
 * Dry runs: each package that would lose versions is read once for its visibility. GitHub refuses to delete a
 * public version with more than 5,000 downloads, and no API tells the count, so a dry run says which deletes
 * may be refused instead of promising them (public, or unknown when GitHub does not say).
 */
async function markVisibility(
  client: Pick<GitHubPackagesClient, 'packageVisibility'>,
  scope: OwnerScope,
  config: Config,
  packages: PackageReport[],
  log: Logger
): Promise<PackageReport[]> {
  const marked: PackageReport[] = []
  for (const pkg of packages) {
    if (!pkg.plan || pkg.plan.deletions.length === 0) {
      marked.push(pkg)
      continue
    }
    const visibility = await client.packageVisibility(scope, config.packageType, pkg.name)
    if (visibility !== 'private' && visibility !== 'internal')
      log.warning(
        `${pkg.name}: ${visibility === 'public' ? 'public' : 'visibility unknown'}: GitHub refuses to delete a public version with more than 5,000 downloads, and no API tells the count, so a real run may skip some of the ${pkg.plan.deletions.length} version(s) this dry run lists`
      )
    marked.push({ ...pkg, ...(visibility ? { visibility } : {}) })
  }
  return marked
}

/** What a restore run was asked for, for each restored version's Why. */
function restoreWords(request: RestoreRequest): string {
  if (request.kind === 'deleted-within') return `deleted within the last ${request.windowText}`
  return request.unsure ? 'deleted by the run whose record was given' : 'requested by id'
}
