/**
 * One run, step by step, for the action and the command line alike: list → plan → record → execute → check.
 * It decides nothing itself; main.ts (the action) and cli.ts (the local preview) wire it to their inputs and
 * outputs.
 */
import type { Config } from '../config/inputs.js'
import { executeWrites, writerFor } from './execute.js'
import { GitHubPackagesClient } from '../github/rest-client.js'
import {
  listAndCheckRun,
  planDeleteRun,
  planRestoreRun,
  refusedImageParts,
  resolvePackageNames,
  type ImageReader
} from './inventory.js'
import { loadManifestCache, manifestStore, saveManifestCache } from '../github/manifest-cache.js'
import { RegistryClient } from '../github/registry-client.js'
import { RepositoryClient } from '../github/repository-client.js'
import { RepositoryFactsReader } from './repository-facts.js'
import { NpmRegistryClient } from '../github/npm-registry.js'
import { attachWrites, type RunReport } from '../report/report.js'
import { startRecord } from '../report/publish.js'
import type { Logger, OwnerScope, PackageReport, RestoreRequest } from '../types.js'

/** Requests kept back from the primary budget for the report and for other steps sharing the token. */
const BUDGET_RESERVE = 10
/** Writes in flight at once; the pace itself is the client's sliding window. */
const WRITE_CONCURRENCY = 8

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
  const { log, group } = io
  const startedAt = new Date()
  const client = new GitHubPackagesClient({ ...config, log })
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
  const names = await resolvePackageNames(client, scope, config.packageType, config.packageNames, log)
  log.info(
    `${scope.kind} ${scope.login}: ${names.length} ${config.packageType} package(s): ${names.join(', ')}`
  )

  const verb = config.restore ? 'restore' : 'delete'
  const work = await group(`Plan ${names.length} package(s)`, () =>
    config.restore
      ? planRestoreRun(client, scope, names, config.restore, config.policy, startedAt, log)
      : planDeleteRun(client, registry, scope, names, config.policy, startedAt, log, npm, repository)
  )
  if (config.dryRun && !config.restore)
    work.packages = await markVisibility(client, scope, config, work.packages, log)
  const run = {
    owner: scope.login,
    packageType: config.packageType,
    mode: verb,
    dryRun: config.dryRun,
    startedAt,
    packages: work.packages,
    requests: 0,
    manifestReads: 0
  } as const
  // Written before the first write, appended to as each ends: a killed run still leaves its record.
  const { planFile, record } = startRecord(run, io.recordDirectory)
  io.onRecord?.(planFile, record.path)
  const title = `${config.dryRun ? 'Would ' : ''}${verb} ${work.targets.length} version(s)`
  // A cancelled workflow sends SIGINT, then SIGTERM: no new write is sent, those in flight are awaited briefly.
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted)
      log.warning(`${signal}: no new write is sent; waiting briefly for those in flight.`)
    stop.abort(signal)
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  const writes = await group(title, () =>
    executeWrites(work.targets, writerFor(client, scope, config, verb), {
      signal: stop.signal,
      verb,
      packageType: config.packageType,
      maxWrites: verb === 'delete' ? config.maxDeletions : undefined,
      reserve: BUDGET_RESERVE,
      concurrency: WRITE_CONCURRENCY,
      log,
      onSend: target => record.sent(target),
      onOutcome: write => record.ended(write),
      onRefused: refusedImageParts(registry, scope, work.packages)
    })
  ).finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal))
  const stopped = stop.signal.aborted ? String(stop.signal.reason) : undefined
  if (manifests && !stopped) await saveManifestCache(manifests, store, log)

  let packages = attachWrites(work.packages, [...writes, ...work.alreadyFailed])
  // A stopped run has seconds left: it reports what it did, and the next run's check sees the rest.
  if (verb === 'delete' && !config.dryRun && !stopped) {
    packages = await group('Check the packages after the run', () =>
      listAndCheckRun(client, scope, config.packageType, packages, log)
    )
    // Writes the check found not done are recorded again, so that the record says what really went.
    const before = new Map(writes.map(w => [w.version.id, w.outcome]))
    for (const pkg of packages)
      for (const w of pkg.writes)
        if (before.has(w.version.id) && before.get(w.version.id) !== w.outcome) record.ended(w)
  }
  const report: RunReport = {
    ...run,
    packages,
    requests: client.requestCount,
    manifestReads: registryClient?.manifestReads ?? 0,
    recordFile: record.path,
    ...(config.restore ? { restoring: restoreWords(config.restore), unmatched: work.unmatched } : {})
  }
  return { report, planFile, ...(stopped ? { stopped } : {}) }
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
