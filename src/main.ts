/** Wires the steps: inputs → config → list versions → plan → execute → report. Decides nothing itself. */
import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { ConfigError, readConfig, type Config } from './config.js'
import { executeWrites, type ExecutedWrite, type VersionWriter, type WriteTarget } from './executor.js'
import { errorMessage, GitHubPackagesClient, type Logger, type OwnerScope } from './github-client.js'
import { planPackage, resolvePackageNames } from './inventory.js'
import { publishReport, type PackageReport } from './report.js'
import { selectRestorations, trustDeletedList } from './restore.js'

/** Requests kept back from the primary budget for the report and for other steps sharing the token. */
const BUDGET_RESERVE = 10
const WRITE_CONCURRENCY = 4
const NOT_RESTORABLE =
  'not among the deleted versions: it is not deleted, or was deleted more than 30 days ago'

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

  const startedAt = new Date()
  const log: Logger = core
  const client = new GitHubPackagesClient({ ...config, log })
  const scope = await client.detectOwner(config.owner)
  const names = await resolvePackageNames(client, scope, config.packageType, config.packageNames, log)
  core.info(
    `${scope.kind} ${scope.login}: ${names.length} ${config.packageType} package(s): ${names.join(', ')}`
  )

  const packages = config.restore
    ? await restorePackages(config, client, scope, names, startedAt)
    : await deleteFromPackages(config, client, scope, names, startedAt)

  const { failed } = await publishReport(
    {
      owner: scope.login,
      packageType: config.packageType,
      mode: config.restore ? 'restore' : 'delete',
      dryRun: config.dryRun,
      startedAt,
      packages,
      requests: client.requestCount,
      manifestReads: client.manifestReads
    },
    process.env.RUNNER_TEMP || tmpdir()
  )
  if (failed > 0) core.setFailed(`${failed} version(s) or package(s) failed; see the job summary.`)
}

async function deleteFromPackages(
  config: Config,
  client: GitHubPackagesClient,
  scope: OwnerScope,
  names: string[],
  now: Date
): Promise<PackageReport[]> {
  const reports: PackageReport[] = []
  for (const name of names) {
    await core.group(`Plan ${name}`, async () => {
      try {
        const plan = await planPackage(client, scope, name, config.policy, now)
        const deletes = plan.deletions.length
        core.info(
          `${plan.decisions.length} versions, ${deletes} to delete, ${client.manifestReads} manifests read so far`
        )
        for (const d of plan.decisions)
          core.info(`${d.action} ${d.version.id} ${d.version.name}: ${d.reasons.join('; ')}`)
        reports.push({ name, plan, writes: [] })
      } catch (error) {
        core.error(`${name}: ${errorMessage(error)}`)
        reports.push({ name, error: errorMessage(error), writes: [] })
      }
    })
  }
  const targets = reports.flatMap(r =>
    (r.plan?.deletions ?? []).map(d => ({ packageName: r.name, version: d.version }))
  )
  const writes = await execute('delete', targets, config, client, scope)
  return attach(reports, writes)
}

async function restorePackages(
  config: Config,
  client: GitHubPackagesClient,
  scope: OwnerScope,
  names: string[],
  now: Date
): Promise<PackageReport[]> {
  const request = config.restore!
  const reports: PackageReport[] = []
  const targets: WriteTarget[] = []
  const untrustedWrites: ExecutedWrite[] = []
  for (const name of names) {
    try {
      const deleted = await client.listVersions(scope, config.packageType, name, 'deleted')
      // A "deleted" list is checked against the active one before anything in it is restored.
      const active = deleted.length > 0 ? await client.listVersions(scope, config.packageType, name) : []
      const { trusted, untrusted, listProblem } = trustDeletedList(deleted, new Set(active.map(v => v.id)))
      if (listProblem) throw new Error(listProblem)
      const chosen = selectRestorations(trusted, request, config.policy, now)
      core.info(`${name}: ${deleted.length} deleted versions, ${chosen.length} to restore`)
      chosen.forEach(version => targets.push({ packageName: name, version }))
      for (const { version, reason } of untrusted)
        if (request.kind === 'deleted-within' || request.ids.includes(version.id)) {
          core.warning(`${name}: version ${version.id} ${version.name} ${reason}`)
          untrustedWrites.push({
            packageName: name,
            version,
            outcome: { kind: 'failed', status: 0, message: reason }
          })
        }
      reports.push({ name, writes: [] })
    } catch (error) {
      core.error(`${name}: ${errorMessage(error)}`)
      reports.push({ name, error: errorMessage(error), writes: [] })
    }
  }
  const writes = [...(await execute('restore', targets, config, client, scope)), ...untrustedWrites]
  if (request.kind === 'ids') {
    // Ids found in no package's deleted versions are reported, never silently dropped.
    const found = new Set([...targets, ...untrustedWrites].map(t => t.version.id))
    const searched = names.join(', ')
    for (const id of request.ids.filter(id => !found.has(id))) {
      writes.push({
        packageName: searched,
        version: { id, name: `id ${id}`, tags: [], createdAt: '', updatedAt: '' },
        outcome: { kind: 'failed', status: 404, message: NOT_RESTORABLE }
      })
      if (!reports.some(r => r.name === searched)) reports.push({ name: searched, writes: [] })
    }
  }
  return attach(reports, writes)
}

function execute(
  verb: 'delete' | 'restore',
  targets: WriteTarget[],
  config: Config,
  client: GitHubPackagesClient,
  scope: OwnerScope
): Promise<ExecutedWrite[]> {
  const title = `${config.dryRun ? `Would ${verb}` : verb === 'delete' ? 'Delete' : 'Restore'} ${targets.length} version(s)`
  return core.group(title, () =>
    executeWrites(targets, writerFor(config, client, scope, verb), {
      verb,
      maxWrites: verb === 'delete' ? config.maxDeletions : undefined,
      reserve: BUDGET_RESERVE,
      concurrency: WRITE_CONCURRENCY,
      log: core
    })
  )
}

/** The one place a dry run differs: its writer answers as GitHub would on success and sends nothing. */
function writerFor(
  config: Config,
  client: GitHubPackagesClient,
  scope: OwnerScope,
  verb: 'delete' | 'restore'
): VersionWriter {
  if (config.dryRun) return { write: async () => ({ status: 204, message: '' }), budgetLeft: () => undefined }
  const send = verb === 'delete' ? client.deleteVersion.bind(client) : client.restoreVersion.bind(client)
  return {
    write: target => send(scope, config.packageType, target.packageName, target.version.id),
    budgetLeft: () => client.rateLimitRemaining
  }
}

function attach(reports: PackageReport[], writes: ExecutedWrite[]): PackageReport[] {
  for (const write of writes) reports.find(r => r.name === write.packageName)?.writes.push(write)
  return reports
}
