/** Wires the steps: inputs → config → list versions → plan → execute → report. Decides nothing itself. */
import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { readConfig, type Config } from './config.js'
import { ConfigError } from './errors.js'
import { executeWrites, writerFor } from './executor.js'
import { GitHubPackagesClient } from './github-client.js'
import {
  checkAfterWrites,
  planDeletes,
  planRestore,
  refusedImageParts,
  resolvePackageNames
} from './inventory.js'
import { loadManifestCache, manifestStore, saveManifestCache } from './manifest-cache.js'
import { RegistryClient } from './registry-client.js'
import { attachWrites, publishReport, startRecord } from './report.js'

/** Requests kept back from the primary budget for the report and for other steps sharing the token. */
const BUDGET_RESERVE = 10
/** Writes in flight at once; the pace itself is the client's sliding window. */
const WRITE_CONCURRENCY = 8

export async function run(): Promise<void> {
  let config: Config
  try {
    config = readConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    error.problems.forEach(problem => core.error(problem))
    core.setFailed(`${error.problems.length} input(s) are invalid; nothing was requested or changed.`)
    return
  }
  core.setSecret(config.token)

  const startedAt = new Date()
  const client = new GitHubPackagesClient({ ...config, log: core })
  const store = manifestStore()
  const manifests =
    config.packageType === 'container' && !config.restore ? await loadManifestCache(store, core) : undefined
  const registry = new RegistryClient({ ...config, log: core, cache: manifests })
  const scope = await client.detectOwner(config.owner)
  const names = await resolvePackageNames(client, scope, config.packageType, config.packageNames, core)
  core.info(
    `${scope.kind} ${scope.login}: ${names.length} ${config.packageType} package(s): ${names.join(', ')}`
  )

  const verb = config.restore ? 'restore' : 'delete'
  const work = await core.group(`Plan ${names.length} package(s)`, () =>
    config.restore
      ? planRestore(client, scope, names, config.restore, config.policy, startedAt, core)
      : planDeletes(client, registry, scope, names, config.policy, startedAt, core)
  )
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
  const { planFile, journal } = startRecord(run, process.env.RUNNER_TEMP || tmpdir())
  const title = `${config.dryRun ? 'Would ' : ''}${verb} ${work.targets.length} version(s)`
  const writes = await core.group(title, () =>
    executeWrites(work.targets, writerFor(client, scope, config, verb), {
      verb,
      maxWrites: verb === 'delete' ? config.maxDeletions : undefined,
      reserve: BUDGET_RESERVE,
      concurrency: WRITE_CONCURRENCY,
      log: core,
      onSend: target => journal.sent(target),
      onOutcome: write => journal.ended(write),
      onRefused: refusedImageParts(registry, scope, work.packages)
    })
  )
  if (manifests) await saveManifestCache(manifests, store, core)

  let packages = attachWrites(work.packages, [...writes, ...work.alreadyFailed])
  if (verb === 'delete' && !config.dryRun) {
    packages = await core.group('Check the packages after the run', () =>
      checkAfterWrites(client, scope, config.packageType, packages, core)
    )
    // Writes the check found not done are recorded again, so that the record says what really went.
    const before = new Map(writes.map(w => [w.version.id, w.outcome]))
    for (const pkg of packages)
      for (const w of pkg.writes)
        if (before.has(w.version.id) && before.get(w.version.id) !== w.outcome) journal.ended(w)
  }

  const { failed } = await publishReport(
    {
      ...run,
      packages,
      requests: client.requestCount,
      manifestReads: registry.manifestReads,
      journalFile: journal.path
    },
    planFile
  )
  if (failed > 0) core.setFailed(`${failed} version(s) or package(s) failed; see the job summary.`)
}
