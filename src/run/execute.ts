/**
 * Carries out planned writes (deletes, or restores) one version at a time and classifies every answer, so that
 * each version ends deleted, skipped with a reason, or failed with GitHub's status and message. One failure
 * never stops the others; a spent rate-limit budget or the max-deletions cap leaves the rest for the next run.
 */
import { mapWithConcurrency } from '../github/concurrency.js'
import { errorMessage } from '../errors.js'
import { REPOSITORY_SCOPED, StoppedError, type GitHubPackagesClient } from '../github/rest-client.js'
import { noAnswer, type WriteAnswer } from '../github/answers.js'
import { label, shownStatus } from '../report/report.js'
import { formatAge } from '../engine/time.js'
import type {
  ExecutedWrite,
  OwnerScope,
  Outcome,
  PackageType,
  SkipReason,
  WriteTarget,
  WriteVerb
} from '../types.js'

/** The narrow view of the client the executor needs; a dry run passes one that writes nothing. */
export interface VersionWriter {
  /** True for a dry run's writer: it sends nothing, and the run says what it would do. */
  readonly dryRun?: boolean
  write(target: WriteTarget): Promise<WriteAnswer>
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
  if (config.dryRun)
    return {
      dryRun: true,
      write: async () => ({ kind: 'done', status: 204, message: '' }),
      budgetLeft: () => undefined
    }
  const send = verb === 'delete' ? client.deleteVersion.bind(client) : client.restoreVersion.bind(client)
  return {
    write: target => send(scope, config.packageType, target.packageName, target.version.id),
    budgetLeft: () => client.rateLimitRemaining
  }
}

export interface ExecuteOptions {
  verb: WriteVerb
  /** Names the scopes a refused write needs (repository-scoped registries need `repo`). */
  packageType?: PackageType
  maxWrites?: number
  /** Stop while this many requests are still left, for the other steps and runs sharing the token. */
  reserve: number
  concurrency: number
  log: { info(message: string): void; warning(message: string): void; error?(message: string): void }
  /** Milliseconds; injectable so progress lines can be tested. */
  clock?: () => number
  progressEveryMs?: number
  /** Just before a write is sent: a run killed after this may or may not have changed the version. */
  onSend?: (target: WriteTarget) => void
  /** As each target ends, in the order they end (the run's record is written from this). */
  onOutcome?: (write: ExecutedWrite) => void
  /**
   * GitHub refused or failed a target that others wait for (`after`): returns the ids (same package) of the
   * targets to hold back as `image-not-deleted`, e.g. the parts of a refused image read only now. When it
   * throws, every target waiting for that one, directly or in turn, is held back.
   */
  onRefused?: (target: WriteTarget) => Promise<readonly number[]>
  /**
   * Aborted when the run must stop (a cancelled workflow): no new write is sent, and the writes in flight are
   * awaited for `graceMs` (3 s by default); those still unanswered then end failed, as sent without an answer.
   */
  signal?: AbortSignal
  graceMs?: number
}

const keyOf = (packageName: string, id: number) => `${packageName}\u0000${id}`

/** Whether a write ended so that the versions depending on it may go: done, or already gone before. */
export function cleared(outcome: Outcome): boolean {
  return outcome.kind === 'done' || (outcome.kind === 'skipped' && outcome.reason === 'already-gone')
}

/**
 * Carries out the writes in order, each once the writes it depends on have answered: a target with `partOf`
 * only when each of those cleared (else it is skipped, naming them), one with `after` once those answered
 * anything. Results come back in the order of `targets`.
 */
export async function executeWrites(
  targets: WriteTarget[],
  writer: VersionWriter,
  options: ExecuteOptions
): Promise<ExecutedWrite[]> {
  return new WriteRun(targets, writer, options).run()
}

/** One run of the executor: its targets in dependency order, and what has happened to them so far. */
class WriteRun {
  private readonly clock: () => number
  private readonly started: number
  private lastProgress: number
  private readonly cap: number
  private readonly order: WriteTarget[]
  /** Each target's place in `order`, by package and id. */
  private readonly position = new Map<string, number>()
  /** Per target others wait for (`after`): the ids of those waiting. */
  private readonly waiters = new Map<string, number[]>()
  private readonly settled: Deferred<Outcome>[]
  /** Targets whose write was sent: only those GitHub refused are read (a read is a download). */
  private readonly sent = new Set<WriteTarget>()
  /** Targets held back by a refusal: why, naming the refused image. */
  private readonly held = new Map<string, string>()
  private readonly results = new Map<WriteTarget, ExecutedWrite>()
  private answered = 0
  private budgetSpent = false
  /** Writes sent but not answered yet: the budget the last answer reported does not count them. */
  private inFlight = 0
  /** Why no new write may be sent: a hard failure (the record could not be written); undefined while none. */
  private halted: string | undefined

  constructor(
    private readonly targets: WriteTarget[],
    private readonly writer: VersionWriter,
    private readonly options: ExecuteOptions
  ) {
    this.clock = options.clock ?? Date.now
    this.started = this.lastProgress = this.clock()
    this.cap = options.maxWrites ?? Infinity
    this.order = dependencyOrder(targets)
    this.order.forEach((t, i) => this.position.set(keyOf(t.packageName, t.version.id), i))
    for (const t of this.order)
      for (const id of t.after ?? []) {
        const key = keyOf(t.packageName, id)
        const list = this.waiters.get(key)
        if (list === undefined) this.waiters.set(key, [t.version.id])
        else list.push(t.version.id)
      }
    this.settled = this.order.map(() => deferred<Outcome>())
  }

  /** Takes the targets in order, so the oldest go first and a cap or a spent budget cuts the newest. */
  async run(): Promise<ExecutedWrite[]> {
    const { signal, verb } = this.options
    const work = mapWithConcurrency(this.order, Math.max(1, this.options.concurrency), (t, i) =>
      this.runOne(t, i)
    )
    await (signal ? untilStoppedAndGrace(work, signal, this.options.graceMs ?? 3_000) : work)
    if (this.answered > 0 && this.targets.length > 0) this.logProgress(this.clock())
    // Writes without an outcome when a stopped run's grace ran out: those sent may or may not have gone; the
    // others (not yet started, or waiting for one of those) were never sent.
    const all = this.targets.map(
      (t): ExecutedWrite =>
        this.results.get(t) ?? {
          ...t,
          outcome: this.sent.has(t)
            ? {
                kind: 'failed',
                cause: 'no-answer',
                message: 'sent, but no answer came before the run stopped; it may or may not have gone'
              }
            : this.stopped()
        }
    )
    const stopped = all.filter(w => w.outcome.kind === 'skipped' && w.outcome.reason === 'rate-limit').length
    if (stopped > 0)
      this.options.log.warning(
        `Stopped by the API rate limit: ${stopped} version(s) not ${verb}d, left for the next run.`
      )
    return all
  }

  /** One target, from waiting for its dependencies to its outcome, recorded and passed on. */
  private async runOne(target: WriteTarget, index: number): Promise<void> {
    let outcome: Outcome = notSent('not attempted')
    try {
      outcome = await this.decide(target, index)
    } finally {
      // Ended as GitHub answered, even when the run stops before what it holds back is known.
      const write = { ...target, outcome }
      this.results.set(target, write)
      try {
        this.options.onOutcome?.(write)
      } catch (error) {
        this.halt(error)
      }
    }
    try {
      if (!cleared(outcome)) await this.holdBack(target, outcome)
    } finally {
      this.settled[index].resolve(outcome)
    }
    const now = this.clock()
    if (now - this.lastProgress >= (this.options.progressEveryMs ?? 10_000)) this.logProgress(now)
  }

  private async decide(target: WriteTarget, index: number): Promise<Outcome> {
    if (index >= this.cap)
      return skip('max-deletions', `over max-deletions (${this.cap}); left for the next run`)
    const blockers = await this.blockersOf(target, index)
    if (blockers.length > 0) {
      return this.options.verb === 'delete'
        ? skip('image-not-deleted', `kept with its image: ${blockers.join('; ')}`)
        : skip('part-not-restored', `restored only with all its parts: ${blockers.join('; ')}`)
    }
    return this.whyNotSend() ?? this.send(target)
  }

  /**
   * Waits for the writes the target depends on, and says which of them keep it: a `partOf` that did not
   * clear, or a refusal that held it back. Only writes earlier in the order are waited for; a later one (a
   * cycle) counts as not done.
   */
  private async blockersOf(target: WriteTarget, index: number): Promise<string[]> {
    const earlier = (id: number) => {
      const at = this.position.get(keyOf(target.packageName, id))
      return at !== undefined && at < index ? at : undefined
    }
    for (const id of target.after ?? []) {
      const at = earlier(id)
      if (at !== undefined) await this.settled[at].promise
    }
    const blockers: string[] = []
    for (const id of target.partOf ?? []) {
      const at = earlier(id)
      const outcome = at === undefined ? undefined : await this.settled[at].promise
      if (outcome === undefined || !cleared(outcome)) blockers.push(this.blockerText(id, at, outcome))
    }
    const heldBy = this.held.get(keyOf(target.packageName, target.version.id))
    if (heldBy !== undefined) blockers.push(heldBy)
    return blockers
  }

  private blockerText(id: number, at: number | undefined, outcome: Outcome | undefined): string {
    const { verb } = this.options
    const name = at === undefined ? `id ${id}` : `${label(this.order[at].version)}, id ${id}`
    const what = verb === 'delete' ? 'image' : 'part'
    if (outcome === undefined) return `${what} ${name} is not ${verb}d in this run`
    return `${what} ${name} was not ${verb}d (${shortOutcome(outcome)})`
  }

  /** Why no write may be sent now: a halted or stopped run, or a budget (nearly) spent; undefined if none. */
  private whyNotSend(): Outcome | undefined {
    if (this.halted !== undefined) return notSent(this.halted)
    if (this.options.signal?.aborted) return this.stopped()
    const left = this.writer.budgetLeft()
    if (this.budgetSpent || (left !== undefined && left - this.inFlight <= this.options.reserve)) {
      this.budgetSpent = true
      return skip('rate-limit', 'API rate limit nearly spent; left for the next run')
    }
    return undefined
  }

  /** Sends the write and classifies GitHub's answer. */
  private async send(target: WriteTarget): Promise<Outcome> {
    const { options } = this
    try {
      options.onSend?.(target)
    } catch (error) {
      return notSent(this.halt(error))
    }
    this.inFlight++
    this.sent.add(target)
    const answer = await this.writer.write(target).catch(noAnswer)
    const outcome = classify(answer, options.verb, options.packageType)
    this.inFlight--
    if (answer.kind === 'not-sent') {
      this.sent.delete(target)
      return outcome
    }
    this.answered++
    if (outcome.kind === 'skipped' && outcome.reason === 'rate-limit') this.budgetSpent = true
    if (outcome.kind === 'skipped' && outcome.reason === 'download-limit') {
      options.log.warning(`${target.packageName} ${label(target.version)}: ${outcome.detail}`)
    }
    return outcome
  }

  /**
   * A target others wait for (`after`) did not end done. A wait is an order, not a dependency: what waits for
   * a target GitHub never saw (capped, rate-limited, held back, stopped) goes on. When GitHub refused or
   * failed it, `onRefused` names what to hold back (its parts, read now); when that fails, or there is no
   * `onRefused`, everything waiting for it, directly or in turn, is held back.
   */
  private async holdBack(target: WriteTarget, outcome: Outcome): Promise<void> {
    const { onRefused, verb, log } = this.options
    const key = keyOf(target.packageName, target.version.id)
    if (!this.waiters.has(key) || !this.sent.has(target)) return
    if (outcome.kind === 'skipped' && outcome.reason === 'rate-limit') return
    const why = `${label(target.version)}, id ${target.version.id}, was not ${verb}d (${shortOutcome(outcome)})`
    let ids: readonly number[] | undefined
    try {
      ids = await onRefused?.(target)
    } catch (error) {
      log.warning(
        `${target.packageName} ${label(target.version)}: ${errorMessage(error)}; the writes waiting for it are held back`
      )
    }
    for (const id of ids ?? this.waitingFor(target))
      this.held.set(keyOf(target.packageName, id), `image ${why}`)
  }

  /** The ids of the targets waiting for this one (`after`), directly or in turn. */
  private waitingFor(target: WriteTarget): number[] {
    const found = new Set<number>()
    const stack = [target.version.id]
    while (stack.length > 0)
      for (const id of this.waiters.get(keyOf(target.packageName, stack.pop() as number)) ?? [])
        if (!found.has(id)) {
          found.add(id)
          stack.push(id)
        }
    return [...found]
  }

  /** A hard failure (the run's record could not be written): no further write is sent. Returns why. */
  private halt(error: unknown): string {
    if (this.halted !== undefined) return this.halted
    this.halted = `the run's record could not be written (${errorMessage(error)}); no further write is sent`
    ;(this.options.log.error ?? this.options.log.warning)(this.halted)
    return this.halted
  }

  /** A write not sent because the run was stopped. */
  private stopped(): Outcome {
    return classify(
      { kind: 'not-sent', message: new StoppedError(this.options.signal?.reason).message },
      this.options.verb
    )
  }

  private logProgress(now: number): void {
    this.lastProgress = now
    const { verb, log } = this.options
    const total = Math.min(this.targets.length, this.cap)
    log.info(
      this.writer.dryRun
        ? `would ${verb} ${this.answered} of ${total} (a dry run: nothing was sent)`
        : progressLine(this.answered, total, now - this.started, verb)
    )
  }
}

/**
 * The targets with every write they depend on (`partOf`, `after`) moved before them, otherwise in the given
 * order. A cycle is left as it is; the executor then treats the later write as not done.
 */
export function dependencyOrder(targets: readonly WriteTarget[]): WriteTarget[] {
  const byKey = new Map(targets.map(t => [keyOf(t.packageName, t.version.id), t]))
  const seen = new Set<WriteTarget>()
  const order: WriteTarget[] = []
  // A depth-first walk with its own stack: a chain of 10,000 waits would overflow the call stack.
  const stack: { target: WriteTarget; deps: readonly number[]; next: number }[] = []
  const enter = (target: WriteTarget) => {
    seen.add(target)
    stack.push({ target, deps: [...(target.partOf ?? []), ...(target.after ?? [])], next: 0 })
  }
  for (const root of targets) {
    if (seen.has(root)) continue
    enter(root)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      if (top.next < top.deps.length) {
        const dep = byKey.get(keyOf(top.target.packageName, top.deps[top.next++]))
        if (dep !== undefined && !seen.has(dep)) enter(dep)
      } else {
        stack.pop()
        order.push(top.target)
      }
    }
  }
  return order
}

/** Resolves when `work` does, or `graceMs` after `signal` aborts, whichever comes first. */
async function untilStoppedAndGrace(
  work: Promise<unknown>,
  signal: AbortSignal,
  graceMs: number
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>(resolve => {
    const start = () => (timer = setTimeout(resolve, graceMs))
    if (signal.aborted) start()
    else signal.addEventListener('abort', start, { once: true })
  })
  try {
    await Promise.race([work, grace])
  } finally {
    clearTimeout(timer)
  }
}

function shortOutcome(outcome: Outcome): string {
  if (outcome.kind === 'done') return 'done'
  return outcome.kind === 'skipped' ? `skipped: ${outcome.reason}` : `failed: ${shownStatus(outcome)}`
}

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>(r => (resolve = r))
  return { promise, resolve }
}

/** What one of GitHub's answers, decoded, means for the run. */
export function classify(answer: WriteAnswer, verb: WriteVerb, type?: PackageType): Outcome {
  if (answer.kind === 'no-answer')
    return { kind: 'failed', cause: 'no-answer', message: answer.message || 'no answer from GitHub' }
  if (answer.kind === 'not-sent') return skip('stopped', `not sent: ${answer.message}; left for the next run`)
  const { status, message } = answer
  const refused = (text: string): Outcome => ({ kind: 'failed', cause: 'refused', status, message: text })
  switch (answer.kind) {
    case 'done':
      return { kind: 'done' }
    case 'gone-after-lost-answer':
      return {
        kind: 'done',
        note: 'the answer to the delete was lost and its retry found the version gone: deleted by this run'
      }
    case 'already-gone':
      return skip('already-gone', `already gone (${message}): deleted by someone else first, not by this run`)
    case 'download-limit':
      return skip(
        'download-limit',
        'public version with more than 5,000 downloads; GitHub refuses to delete it'
      )
    case 'last-version':
      return skip('last-version', message)
    case 'rate-limited':
      return skip('rate-limit', `${message}; left for the next run`)
    case 'token-rejected':
      return refused(`${message}: the token was rejected; check the token input`)
    case 'no-access':
      return refused(`${message}. ${permissionHint(verb, type)}`)
    case 'version-missing':
      return refused(
        `${message}: the version is not deleted, or was deleted more than 30 days ago and cannot come back`
      )
    // GitHub answers 404 "Package not found." to a token that may read a package but not manage it.
    case 'package-missing':
      return refused(`${message} The token may not ${verb} here. ${permissionHint(verb, type)}`)
    case 'name-taken':
      return refused(`${message} A newer version now has this name; delete it first to restore this one.`)
    case 'server-error':
      return { kind: 'failed', cause: 'server-error', status, message: message || 'no answer from GitHub' }
    case 'other':
      return refused(message || 'no answer from GitHub')
  }
}

function permissionHint(verb: WriteVerb, type: PackageType | undefined): string {
  const scope = verb === 'delete' ? 'delete:packages' : 'write:packages'
  const repo =
    type && REPOSITORY_SCOPED.has(type) ? ` and repo (${type} packages are scoped to a repository)` : ''
  return `A classic token needs read:packages and ${scope}${repo}; GITHUB_TOKEN needs "permissions: packages: write" and the Admin role for this repository in the package's "Manage Actions access".`
}

function skip(reason: SkipReason, detail: string): Outcome {
  return { kind: 'skipped', reason, detail }
}

/** A write never sent, because the run halted: it cannot have gone. */
function notSent(why: string): Outcome {
  return { kind: 'failed', cause: 'not-sent', message: `not sent: ${why}` }
}

function progressLine(done: number, total: number, elapsedMs: number, verb: string): string {
  const perMinute = elapsedMs > 0 ? (done * 60_000) / elapsedMs : 0
  const leftMs = perMinute > 0 ? ((total - done) / perMinute) * 60_000 : 0
  return `${verb}: ${done} of ${total} done, ${Math.round(perMinute)} a minute, about ${formatAge(leftMs)} left`
}
