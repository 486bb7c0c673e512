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
  /**
   * Called when a write that others wait for (`WriteTarget.after`) ends other than done: returns the ids (same
   * package) to hold back as `image-not-deleted`.
   */
  onRefused?: (target: WriteTarget) => Promise<readonly number[]>
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

  const dependencies = new WriteDependencies(targets, options.onRefused)

  const runOne = async (target: WriteTarget, index: number): Promise<void> => {
    const held = await dependencies.waitFor(target)
    if (held !== undefined) {
      results[index] = { ...target, outcome: skip('image-not-deleted', held) }
      await dependencies.settle(target, results[index].outcome)
      return
    }
    results[index] = await runWrite(target, index)
    await dependencies.settle(target, results[index].outcome)
  }

  const runWrite = async (target: WriteTarget, index: number): Promise<ExecutedWrite> => {
    const left = writer.budgetLeft()
    if (index >= cap) {
      return {
        ...target,
        outcome: skip('max-deletions', `over max-deletions (${cap}); left for the next run`)
      }
    }
    if (budgetSpent || (left !== undefined && left - inFlight <= options.reserve)) {
      budgetSpent = true
      return { ...target, outcome: skip('rate-limit', 'API rate limit nearly spent; left for the next run') }
    }
    inFlight++
    const outcome = classify(await writer.write(target).catch(noAnswer), verb)
    inFlight--
    if (outcome.kind === 'skipped' && outcome.reason === 'rate-limit') budgetSpent = true
    if (outcome.kind === 'skipped' && outcome.reason === 'download-limit') {
      log.warning(`${target.packageName} ${label(target.version)}: ${outcome.detail}`)
    }
    done++
    const now = clock()
    if (now - lastProgress >= (options.progressEveryMs ?? 10_000)) {
      lastProgress = now
      log.info(progressLine(done, Math.min(targets.length, cap), now - started, verb))
    }
    return { ...target, outcome }
  }

  // Targets are taken in order, so the oldest go first and a cap or a spent budget cuts the newest.
  await mapWithConcurrency(targets, Math.max(1, concurrency), runOne)
  if (done > 0 && targets.length > 0)
    log.info(progressLine(done, Math.min(targets.length, cap), clock() - started, verb))
  return results
}

/**
 * The order a plan sets between writes of one package: a part waits for the images it belongs to (`partOf`)
 * and is skipped unless each was done; a possible part waits for the unread images it may belong to (`after`),
 * and is skipped if one of them was refused and named it (`onRefused`). Targets come in an order where every
 * write waits only for earlier ones, so waiting never blocks the writes it waits for.
 */
class WriteDependencies {
  private readonly settled = new Map<string, { promise: Promise<Outcome>; resolve: (o: Outcome) => void }>()
  private readonly heldBack = new Map<string, string>()
  /** Per awaited write: the ids that wait for it whatever it answers (`after`). */
  private readonly waiting = new Map<string, number[]>()

  constructor(
    targets: readonly WriteTarget[],
    private readonly onRefused?: (target: WriteTarget) => Promise<readonly number[]>
  ) {
    const awaited = new Set<string>()
    for (const target of targets) {
      for (const id of target.partOf ?? []) awaited.add(key(target.packageName, id))
      for (const id of target.after ?? []) {
        const k = key(target.packageName, id)
        awaited.add(k)
        const list = this.waiting.get(k)
        if (list === undefined) this.waiting.set(k, [target.version.id])
        else list.push(target.version.id)
      }
    }
    for (const target of targets) {
      const k = key(target.packageName, target.version.id)
      if (!awaited.has(k)) continue
      let resolve: (o: Outcome) => void = () => undefined
      const promise = new Promise<Outcome>(r => (resolve = r))
      this.settled.set(k, { promise, resolve })
    }
  }

  /** Waits for the writes this one depends on; the reason to skip it, or undefined to go ahead. */
  async waitFor(target: WriteTarget): Promise<string | undefined> {
    const { packageName } = target
    for (const id of target.partOf ?? []) {
      const outcome = await this.settled.get(key(packageName, id))?.promise
      if (outcome !== undefined && outcome.kind !== 'done')
        return `image ${id}, which it belongs to, was not deleted; it stays with it`
    }
    for (const id of target.after ?? []) await this.settled.get(key(packageName, id))?.promise
    return this.heldBack.get(key(packageName, target.version.id))
  }

  /** Records how a write ended; when others wait for it and it was not done, asks which of them to hold back. */
  async settle(target: WriteTarget, outcome: Outcome): Promise<void> {
    const k = key(target.packageName, target.version.id)
    const entry = this.settled.get(k)
    if (entry === undefined) return
    const waiting = this.waiting.get(k) ?? []
    // A write left for the next run leaves every later one (its dependents among them) for it too.
    const leftForNextRun =
      outcome.kind === 'skipped' && (outcome.reason === 'max-deletions' || outcome.reason === 'rate-limit')
    if (outcome.kind !== 'done' && !leftForNextRun && waiting.length > 0) {
      const reason = `image ${label(target.version)} was not deleted, and this is one of its parts`
      let ids: readonly number[]
      try {
        ids = this.onRefused ? await this.onRefused(target) : waiting
      } catch {
        ids = waiting
      }
      for (const id of ids) this.heldBack.set(key(target.packageName, id), reason)
    }
    entry.resolve(outcome)
  }
}

function key(packageName: string, id: number): string {
  return `${packageName}\u0000${id}`
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
