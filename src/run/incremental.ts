/**
 * Incremental runs: a package the package list shows as the last run left it (its `version_count` and
 * `updated_at`), planned under the same policy, whose decisions change with no time that has passed, and that
 * reads no other facts (npm dist-tags, the repository), is not listed: its plan would be the same, with nothing
 * to delete. This holds as long as a publish moves `updated_at` and a delete changes `version_count`. Only a
 * package the last run finished (every planned deletion done and checked) is remembered; anything else is
 * listed. The packages the rate budget left go first.
 */
import { createHash } from 'node:crypto'
import { nextDecisionChange, policyFor } from '../engine/policy.js'
import type { RememberedPackage, RunState } from '../github/run-state.js'
import type { PackageReport, PackageSummary, RetentionPolicy } from '../types.js'
import { VERSION } from '../version.js'

/** The hash of what decides a package's plan: its effective policy, and the action's version that applies it. */
function policyHash(policy: RetentionPolicy, name: string): string {
  const json = JSON.stringify({ action: VERSION, policy: policyFor(policy, name) })
  return createHash('sha256').update(json).digest('hex')
}

/** A plan that reads facts besides the versions: never taken from the last run. */
const readsOtherFacts = (policy: RetentionPolicy) =>
  policy.packageType === 'npm' || policy.repository !== undefined

/** The packages that need no listing, each reported as unchanged with why. */
export function unchangedPackages(
  state: RunState | undefined,
  packages: readonly PackageSummary[],
  policy: RetentionPolicy,
  now: Date
): Map<string, PackageReport> {
  const unchanged = new Map<string, PackageReport>()
  if (state === undefined || readsOtherFacts(policy)) return unchanged
  for (const { name, versionCount, updatedAt } of packages) {
    const last = Object.hasOwn(state.packages, name) ? state.packages[name] : undefined
    if (
      last === undefined ||
      state.pending.includes(name) ||
      last.versionCount !== versionCount ||
      last.updatedAt !== updatedAt ||
      last.policy !== policyHash(policy, name) ||
      (last.nextChangeAt !== 'never' && Date.parse(last.nextChangeAt) <= now.getTime())
    )
      continue
    const until = last.nextChangeAt === 'never' ? '' : `, and no decision changes before ${last.nextChangeAt}`
    const reason = `unchanged since the last run (${versionCount} versions, updated ${updatedAt}, the same policy${until}): not listed, every version kept`
    unchanged.set(name, { name, writes: [], unchanged: { versions: versionCount, reason } })
  }
  return unchanged
}

/** The names in the order to list them: those the last run left pending first, in the order it left them. */
export function pendingFirst(names: readonly string[], state: RunState | undefined): string[] {
  const matched = new Set(names)
  const pending = (state?.pending ?? []).filter(n => matched.has(n))
  const first = new Set(pending)
  return [...pending, ...names.filter(n => !first.has(n))]
}

/**
 * What the next run starts from: each package this run finished, with the pair the package list gave less the
 * versions deleted; the unchanged packages as they were; the packages the budget left, pending.
 */
export function nextRunState(
  base: Pick<RunState, 'owner' | 'packageType' | 'shard'>,
  last: RunState | undefined,
  summaries: readonly PackageSummary[],
  reports: readonly PackageReport[],
  policy: RetentionPolicy,
  now: Date
): RunState {
  const byName = new Map(summaries.map(s => [s.name, s]))
  const packages: Record<string, RememberedPackage> = {}
  const pending: string[] = []
  // Not reached first, then those with deletions left.
  const unfinished: string[] = []
  for (const pkg of reports) {
    const summary = byName.get(pkg.name)
    const stopped = pkg.writes.some(w => w.outcome.kind === 'skipped' && w.outcome.reason === 'rate-limit')
    if (pkg.pending) pending.push(pkg.name)
    else if (stopped) unfinished.push(pkg.name)
    else if (pkg.unchanged && last?.packages[pkg.name]) packages[pkg.name] = last.packages[pkg.name]
    else if (summary && !readsOtherFacts(policy)) {
      const left = finished(pkg, summary)
      if (left === undefined || pkg.plan === undefined) continue
      const next = nextDecisionChange(pkg.plan, policyFor(policy, pkg.name), now)
      packages[pkg.name] = {
        versionCount: left,
        updatedAt: summary.updatedAt as string,
        policy: policyHash(policy, pkg.name),
        nextChangeAt: next === Infinity ? 'never' : new Date(next).toISOString()
      }
    }
  }
  return { ...base, packages, pending: [...pending, ...unfinished] }
}

/**
 * The versions a package has after this run, when the run finished it: the listing agreed with the package
 * list, every planned deletion was done, and the check after the writes found what the run did and no more.
 * Undefined otherwise (listed next time).
 */
function finished(pkg: PackageReport, summary: PackageSummary): number | undefined {
  const { plan, check } = pkg
  if (plan === undefined || pkg.error !== undefined) return undefined
  if (summary.versionCount !== plan.decisions.length || summary.updatedAt === undefined) return undefined
  const done = new Set(pkg.writes.filter(w => w.outcome.kind === 'done').map(w => w.version.id))
  if (!plan.deletions.every(d => done.has(d.version.id))) return undefined
  if (pkg.writes.length > 0) {
    const clean =
      check !== undefined &&
      check.error === undefined &&
      check.stillListed.length === 0 &&
      check.brokenImages.length === 0 &&
      check.disappeared.length === 0 &&
      check.appeared.length === 0
    if (!clean) return undefined
  }
  return plan.decisions.length - plan.deletions.length
}
