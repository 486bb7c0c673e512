/**
 * Carries out planned writes (deletes, or restores) one version at a time and classifies every answer, so that
 * each version ends deleted, skipped with a reason, or failed with GitHub's status and message. One failure
 * never stops the others; a spent rate-limit budget or the max-deletions cap leaves the rest for the next run.
 */
import { mapWithConcurrency } from './concurrency.js'
import { errorMessage } from './errors.js'
import type { GitHubPackagesClient } from './github-client.js'
import { label } from './report.js'
import { formatAge } from './time.js'
import type {
  ApiAnswer,
  ExecutedWrite,
  OwnerScope,
  Outcome,
  PackageType,
  SkipReason,
  WriteTarget,
  WriteVerb
} from './types.js'

/** The narrow view of the client the executor needs; a dry run passes one that writes nothing. */
export interface VersionWriter {
  write(target: WriteTarget): Promise<ApiAnswer>
  /** Requests left in the primary budget, as the last answer said; undefined when unknown. */
  budgetLeft(): number | undefined
}

/** The one place a dry run differs: its writer answers as GitHub would on success and sends nothing. */
export function writerFor(
  client: Pick<GitHubPackagesClient, 'deleteVersion' | 'restoreVersion' | 'rateLimitRemaining'>,
  scope: OwnerScope,
  config: { dryRun: boolean; packageType: PackageType },
  verb: WriteVerb
): VersionWriter {
  if (config.dryRun) return { write: async () => ({ status: 204, message: '' }), budgetLeft: () => undefined }
  const send = verb === 'delete' ? client.deleteVersion.bind(client) : client.restoreVersion.bind(client)
  return {
    write: target => send(scope, config.packageType, target.packageName, target.version.id),
    budgetLeft: () => client.rateLimitRemaining
  }
}

export interface ExecuteOptions {
  verb: WriteVerb
  maxWrites?: number
  /** Stop while this many requests are still left, for the other steps and runs sharing the token. */
  reserve: number
  concurrency: number
  log: { info(message: string): void; warning(message: string): void }
  /** Milliseconds; injectable so progress lines can be tested. */
  clock?: () => number
  progressEveryMs?: number
}

export async function executeWrites(
  targets: WriteTarget[],
  writer: VersionWriter,
  options: ExecuteOptions
): Promise<ExecutedWrite[]> {
  const { log, verb, concurrency } = options
  const clock = options.clock ?? Date.now
  const started = clock()
  let lastProgress = started
  let done = 0
  let budgetSpent = false
  // Writes sent but not answered yet: the budget the last answer reported does not count them.
  let inFlight = 0
  const results: ExecutedWrite[] = new Array(targets.length)
  const cap = options.maxWrites ?? Infinity

  const runOne = async (target: WriteTarget, index: number): Promise<void> => {
    const left = writer.budgetLeft()
    if (index >= cap) {
      results[index] = {
        ...target,
        outcome: skip('max-deletions', `over max-deletions (${cap}); left for the next run`)
      }
      return
    }
    if (budgetSpent || (left !== undefined && left - inFlight <= options.reserve)) {
      budgetSpent = true
      results[index] = {
        ...target,
        outcome: skip('rate-limit', 'API rate limit nearly spent; left for the next run')
      }
      return
    }
    inFlight++
    const outcome = classify(await writer.write(target).catch(noAnswer), verb)
    inFlight--
    if (outcome.kind === 'skipped' && outcome.reason === 'rate-limit') budgetSpent = true
    if (outcome.kind === 'skipped' && outcome.reason === 'download-limit') {
      log.warning(`${target.packageName} ${label(target.version)}: ${outcome.detail}`)
    }
    results[index] = { ...target, outcome }
    done++
    const now = clock()
    if (now - lastProgress >= (options.progressEveryMs ?? 10_000)) {
      lastProgress = now
      log.info(progressLine(done, Math.min(targets.length, cap), now - started, verb))
    }
  }

  // Targets are taken in order, so the oldest go first and a cap or a spent budget cuts the newest.
  await mapWithConcurrency(targets, Math.max(1, concurrency), runOne)
  if (done > 0 && targets.length > 0)
    log.info(progressLine(done, Math.min(targets.length, cap), clock() - started, verb))
  return results
}

/** What one answer means for the run. The texts are GitHub's (see api-facts), matched loosely on purpose. */
export function classify(answer: ApiAnswer, verb: WriteVerb): Outcome {
  const { status, message } = answer
  if (status >= 200 && status < 300) return { kind: 'done' }
  if (status === 404 && verb === 'delete') return { kind: 'done', note: `already gone (${message || '404'})` }
  if (status === 400 && /more than 5000 downloads/i.test(message)) {
    return skip(
      'download-limit',
      'public version with more than 5,000 downloads; GitHub refuses to delete it'
    )
  }
  if (status === 400 && /cannot delete the last/i.test(message)) return skip('last-version', message)
  if ((status === 403 || status === 429) && /rate limit/i.test(message)) {
    return skip('rate-limit', `${message}; left for the next run`)
  }
  if (status === 401) return fail(status, `${message}: the token was rejected; check the token input`)
  if (status === 403) return fail(status, `${message}. ${permissionHint(verb)}`)
  if (status === 404) {
    return fail(
      status,
      `${message}: the version is not deleted, or was deleted more than 30 days ago and cannot come back`
    )
  }
  if (status === 400 && /already exists/i.test(message)) {
    return fail(status, `${message} A newer version now has this name; delete it first to restore this one.`)
  }
  return fail(status, message || 'no answer from GitHub')
}

/** A write that threw instead of answering still ends as a failure of that one version. */
function noAnswer(error: unknown): ApiAnswer {
  return { status: 0, message: errorMessage(error) }
}

function permissionHint(verb: WriteVerb): string {
  const scope = verb === 'delete' ? 'delete:packages' : 'write:packages'
  return `A classic token needs read:packages and ${scope}; GITHUB_TOKEN needs "permissions: packages: write" and the Admin role for this repository in the package's "Manage Actions access".`
}

function skip(reason: SkipReason, detail: string): Outcome {
  return { kind: 'skipped', reason, detail }
}

function fail(status: number, message: string): Outcome {
  return { kind: 'failed', status, message }
}

function progressLine(done: number, total: number, elapsedMs: number, verb: string): string {
  const perMinute = elapsedMs > 0 ? (done * 60_000) / elapsedMs : 0
  const leftMs = perMinute > 0 ? ((total - done) / perMinute) * 60_000 : 0
  return `${verb}: ${done} of ${total} done, ${Math.round(perMinute)} a minute, about ${formatAge(leftMs)} left`
}
