/**
 * Turns a run into what users read, from data alone: the step outputs, the job summary and the plan file.
 * Nothing here writes; publish.ts hands them to the runner and the disk.
 */
import { shortDigest } from '../engine/images.js'
import { formatAge, parseTime } from '../engine/time.js'
import type {
  AfterRunCheck,
  ExecutedWrite,
  Failure,
  PackageReport,
  PackageType,
  Shard,
  UnmatchedRestore,
  VersionRef
} from '../types.js'

export interface RunReport {
  owner: string
  packageType: PackageType
  mode: 'delete' | 'restore'
  dryRun: boolean
  startedAt: Date
  /** A matrix job's share of the packages. */
  shard?: Shard
  packages: PackageReport[]
  requests: number
  manifestReads: number
  /** The run's record (JSON Lines), which outputs cut for size point at. */
  recordFile?: string
  /** Restore runs: what was asked for, in words (`requested by id`), for each version's Why. */
  restoring?: string
  /** Restore runs: requested ids found in none of the packages, reported failed after every package. */
  unmatched?: readonly UnmatchedRestore[]
  /** What the rate budget left for the next run. */
  budget?: BudgetReport
}

/** What the rate budget left for the next run, and when it resets (ISO 8601; undefined when no budget is known). */
export interface BudgetReport {
  packages: number
  versions: number
  resetAt?: string
  /** Why nothing remembers which packages this run did not reach (the next run takes them in name order). */
  forgotten?: string
}

interface VersionItem {
  package: string
  id: number
  name: string
  tags: string[]
  /**
   * Dry runs: a version of a public package (or one of unknown visibility), which GitHub refuses to delete if
   * it has more than 5,000 downloads; no API tells the count.
   */
  mayBeRefused?: true
}

/** GitHub refuses job summaries over 1 MiB a step; leave room for other steps' summaries. */
export const SUMMARY_BUDGET = 512 * 1024
/** Kept free while rows are added: the headings and "more" lines of the packages still to come. */
const SUMMARY_RESERVE = 16 * 1024
const MAX_ROWS = 200
/** GitHub allows 1 MB per output; a list output is cut under this, its last item pointing at the record. */
export const OUTPUT_BUDGET = 900 * 1024
/** Messages from GitHub or from elsewhere are cut to this many characters in the summary. */
const MAX_MESSAGE = 300

/** How a version is named to users: its tags and short digest (`v1, latest (sha256:0c7f60d6…)`), or its name. */
export function label(version: VersionRef): string {
  const name = shortDigest(version.name)
  return version.tags.length > 0 ? `${version.tags.join(', ')} (${name})` : name
}

/**
 * The status users see for a failure (the `failed` output, the summary): GitHub's where it answered, else 0,
 * as the action has always shown a failure that no answer of GitHub's is behind.
 */
export function shownStatus(failure: Failure): number {
  return 'status' in failure ? failure.status : 0
}

/**
 * A requested restore id found in no package, as users see it: a failed version of no package (`''`), named by
 * its id, with the status GitHub answers a restore of a version it does not hold as deleted.
 */
function unmatchedFailure({ id, searched }: UnmatchedRestore) {
  return {
    version: { id, name: `id ${id}`, tags: [] as string[] },
    status: 404,
    message: `not among the deleted versions: it is not deleted, or was deleted more than 30 days ago (searched: ${searched.join(', ')})`
  }
}

/** Files each write under its package's report. */
export function attachWrites(packages: PackageReport[], writes: ExecutedWrite[]): PackageReport[] {
  const byName = new Map(packages.map(p => [p.name, { ...p, writes: [...p.writes] }]))
  for (const write of writes) {
    let report = byName.get(write.packageName)
    if (report === undefined)
      byName.set(write.packageName, (report = { name: write.packageName, writes: [] }))
    report.writes.push(write)
  }
  return [...byName.values()]
}

export function buildReport(run: RunReport): {
  outputs: Record<string, string>
  summary: string
  plan: unknown
} {
  const done: VersionItem[] = []
  const skipped: (VersionItem & { reason: string })[] = []
  const failed: (VersionItem & { status: number; message: string })[] = []
  const failedPackages: { package: string; message: string }[] = []
  let kept = 0
  for (const pkg of run.packages) {
    kept += pkg.plan?.decisions.filter(d => d.action === 'keep').length ?? pkg.unchanged?.versions ?? 0
    if (pkg.error) failedPackages.push({ package: pkg.name, message: pkg.error })
    const refusable = run.dryRun && run.mode === 'delete' && mayBeRefused(pkg)
    for (const { version, outcome } of pkg.writes) {
      const item: VersionItem = { package: pkg.name, id: version.id, name: version.name, tags: version.tags }
      if (outcome.kind === 'done') done.push(refusable ? { ...item, mayBeRefused: true } : item)
      else if (outcome.kind === 'skipped')
        skipped.push({ ...item, reason: `${outcome.reason}: ${outcome.detail}` })
      else failed.push({ ...item, status: shownStatus(outcome), message: outcome.message })
    }
  }
  for (const { version, status, message } of (run.unmatched ?? []).map(unmatchedFailure))
    failed.push({ package: '', ...version, status, message })
  const list = (items: unknown[]) => cappedJson(items, run.recordFile)
  return {
    outputs: {
      ...EMPTY_OUTPUTS,
      [`${run.mode}d-count`]: String(done.length),
      [`${run.mode}d`]: list(done),
      'skipped-count': String(skipped.length),
      skipped: list(skipped),
      'failed-count': String(failed.length),
      failed: list(failed),
      'failed-packages': list(failedPackages),
      'kept-count': String(kept),
      'pending-packages': String(run.budget?.packages ?? 0),
      'pending-versions': String(run.budget?.versions ?? 0),
      'rate-limit-reset': run.budget?.resetAt ?? ''
    },
    summary: summaryMarkdown(run),
    plan: planDocument(run)
  }
}

/**
 * Every list and count output, empty: what a run that ends before planning sets, so that expressions such as
 * `steps.retention.outputs.deleted-count > 0` never read an empty value.
 */
export const EMPTY_OUTPUTS: Readonly<Record<string, string>> = {
  'deleted-count': '0',
  deleted: '[]',
  'restored-count': '0',
  restored: '[]',
  'skipped-count': '0',
  skipped: '[]',
  'failed-count': '0',
  failed: '[]',
  'failed-packages': '[]',
  'kept-count': '0',
  'pending-packages': '0',
  'pending-versions': '0',
  'rate-limit-reset': ''
}

/** Whether GitHub may refuse to delete the package's versions: public, or of unknown visibility. */
function mayBeRefused(pkg: PackageReport): boolean {
  return pkg.visibility !== 'private' && pkg.visibility !== 'internal'
}

/**
 * A JSON list within OUTPUT_BUDGET: as many items as fit, then `{"more": N, "see": file}` naming how many were
 * left out and the record that has them all.
 */
export function cappedJson(items: unknown[], file: string | undefined, budget = OUTPUT_BUDGET): string {
  const whole = JSON.stringify(items)
  if (whole.length <= budget) return whole
  const parts: string[] = []
  let size = 2 + 200 + (file?.length ?? 0)
  for (const item of items) {
    const text = JSON.stringify(item)
    if (size + text.length + 1 > budget) break
    parts.push(text)
    size += text.length + 1
  }
  const more = { more: items.length - parts.length, see: file ?? 'the plan file' }
  return `[${[...parts, JSON.stringify(more)].join(',')}]`
}

/**
 * The summary of a run that ended before planning (bad inputs, a rejected token, an unknown owner, the API
 * down): the title, and why.
 */
export function failureSummary(title: string, problems: readonly string[]): string {
  return [`## Package retention: ${cell(title)}`, '', ...problems.map(p => `:x: ${cell(p)}`), ''].join('\n')
}

/** The plan file: every package's versions, what was decided and why, and each write's outcome. */
export function planDocument(run: RunReport): unknown {
  return {
    owner: run.owner,
    packageType: run.packageType,
    mode: run.mode,
    dryRun: run.dryRun,
    startedAt: run.startedAt.toISOString(),
    packages: run.packages.map(pkg => {
      const outcomes = new Map(pkg.writes.map(w => [w.version.id, w.outcome]))
      return {
        name: pkg.name,
        ...(pkg.error ? { error: pkg.error } : {}),
        ...(pkg.pending ? { pending: true } : {}),
        ...(pkg.unchanged ? { unchanged: pkg.unchanged.reason } : {}),
        ...(pkg.check ? { check: pkg.check } : {}),
        versions: (pkg.plan?.decisions ?? pkg.writes).map(d => ({
          ...d.version,
          ...('action' in d ? { action: d.action, reasons: d.reasons, codes: d.codes } : {}),
          ...(outcomes.has(d.version.id) ? { outcome: outcomes.get(d.version.id) } : {})
        }))
      }
    }),
    ...(run.unmatched?.length ? { unmatched: run.unmatched } : {})
  }
}

function summaryMarkdown(run: RunReport): string {
  const verb = run.mode === 'delete' ? 'Deleted' : 'Restored'
  const shard = run.shard ? `, shard ${run.shard.index}/${run.shard.count}` : ''
  const title = `## Package retention: ${run.owner} (${run.packageType}${shard})${run.dryRun ? ' — dry run, nothing changed' : ''}`
  const lines = [
    title,
    '',
    `| Package | Versions | ${run.dryRun ? `Would be ${verb.toLowerCase()}` : verb} | Skipped | Failed | Kept |`,
    '|---|--:|--:|--:|--:|--:|'
  ]
  for (const pkg of run.packages) {
    const c = counts(pkg)
    const versions = pkg.error
      ? ':x: not listed or planned'
      : pkg.pending
        ? 'not reached: rate budget'
        : pkg.unchanged
          ? `${pkg.unchanged.versions}, unchanged: not listed`
          : String(pkg.plan?.decisions.length ?? pkg.writes.length)
    lines.push(`| ${cell(pkg.name)} | ${versions} | ${c.done} | ${c.skipped} | ${c.failed} | ${c.kept} |`)
  }
  const unmatched = (run.unmatched ?? []).map(unmatchedFailure)
  if (unmatched.length > 0) lines.push(`|  | ${unmatched.length} | 0 | 0 | ${unmatched.length} | 0 |`)
  lines.push('', `${run.requests} API requests, ${run.manifestReads} manifest reads.`, '')
  if (run.budget && run.budget.packages > 0)
    lines.push(
      `:hourglass: **Stopped for the API rate budget**: ${run.budget.packages} package(s) and ${run.budget.versions} planned deletion(s) are left for the next run, which takes ${run.budget.forgotten ? `the packages in name order (nothing remembers which were not reached: ${run.budget.forgotten})` : 'the packages not reached first'}; the budget resets at ${run.budget.resetAt ?? 'an unknown time'} (outputs \`pending-packages\`, \`pending-versions\`, \`rate-limit-reset\`).`,
      ''
    )
  const unplanned = run.packages.filter(p => p.error !== undefined)
  if (unplanned.length > 0)
    lines.push(
      `:x: **${unplanned.length} package(s) could not be listed or planned**, so nothing of them changed: ${unplanned.map(p => cell(p.name)).join(', ')} (the \`failed-packages\` output; why below).`,
      ''
    )
  const refusable = run.dryRun && run.mode === 'delete' ? run.packages.filter(mayBeRefused) : []
  if (refusable.some(p => p.writes.length > 0))
    lines.push(`:warning: ${REFUSAL_NOTE} (marked \`mayBeRefused\` in the \`deleted\` output).`, '')
  const checks = run.packages.filter(p => p.check !== undefined)
  if (checks.length > 0) lines.push(checkSummary(checks), '')

  // Bytes, as GitHub counts them.
  let size = Buffer.byteLength(lines.join('\n'))
  let left = 0
  const add = (text: string): void => {
    lines.push(text)
    size += Buffer.byteLength(text) + 1
  }
  // Rows go in while they fit, each table cut with a line naming how many more the plan file has.
  const table = (heading: string, rows: Row[], folded: boolean): void => {
    if (rows.length === 0) return
    const body = ['| Version | Age | Why |', '|---|--:|---|']
    let length = Buffer.byteLength(body.join('\n') + heading) + 64
    let shown = 0
    for (const row of rows.slice(0, MAX_ROWS)) {
      const text = `| ${row.version} | ${row.age} | ${row.why} |`
      const bytes = Buffer.byteLength(text) + 1
      if (size + length + bytes > SUMMARY_BUDGET - SUMMARY_RESERVE) break
      body.push(text)
      length += bytes
      shown++
    }
    if (rows.length > shown) {
      body.push(`| … ${rows.length - shown} more in the plan file | | |`)
      left += rows.length - shown
    }
    const title = `${heading} (${rows.length})`
    add(
      folded
        ? `<details><summary>${title}</summary>\n\n${body.join('\n')}\n\n</details>\n`
        : `**${title}**\n\n${body.join('\n')}\n`
    )
  }
  const now = run.startedAt.getTime()
  const row = (version: VersionRef, why: string): Row => ({
    version: linked(version),
    age: version.createdAt === undefined ? '' : ageText(now - parseTime(version.createdAt)),
    why: cell(why)
  })
  // Each package, then the restore ids found in none of them.
  const groups = unmatched.length > 0 ? [...run.packages, unmatched] : run.packages
  for (const [index, pkg] of groups.entries()) {
    if (size > SUMMARY_BUDGET - SUMMARY_RESERVE / 2) {
      const rest = groups.slice(index)
      const versions = rest.reduce(
        (n, p) => n + (Array.isArray(p) ? p.length : (p.plan?.decisions.length ?? p.writes.length)),
        0
      )
      add(`… ${rest.length} more package(s), ${versions} version(s), in the plan file`)
      break
    }
    if (Array.isArray(pkg)) {
      add('### Found in none of the packages')
      table(
        'Failed',
        pkg.map(f => row(f.version, `${f.status} ${f.message}`)),
        false
      )
      continue
    }
    add(`### ${cell(pkg.name)}`)
    if (pkg.error) add(`:x: Not listed or planned: ${cell(pkg.error)}`)
    if (pkg.check) add(checkDetails(pkg.check))
    const heading = run.dryRun ? `Would be ${verb.toLowerCase()}` : verb
    const decisions = new Map(pkg.plan?.decisions.map(d => [d.version.id, d]) ?? [])
    const marked = refusable.includes(pkg)
    const rows = (kind: 'done' | 'skipped' | 'failed') =>
      pkg.writes
        .filter(w => w.outcome.kind === kind)
        .map(w => {
          const version = decisions.get(w.version.id)?.version ?? w.version
          const why = outcomeText(w, decisions.get(w.version.id)?.reasons, run.restoring, now)
          return row(version, kind === 'done' && marked ? `:warning: may be refused (public); ${why}` : why)
        })
    table(heading, rows('done'), false)
    table('Skipped', rows('skipped'), false)
    table('Failed', rows('failed'), false)
    const kept = pkg.plan?.decisions.filter(d => d.action === 'keep') ?? []
    table(
      'Kept',
      kept.map(d => row(d.version, d.reasons.join('; '))),
      true
    )
  }
  if (left > 0)
    add(`\n_… ${left} more version(s) in the plan file: the summary stays within GitHub's size limit._`)
  return lines.join('\n')
}

const REFUSAL_NOTE =
  'Public packages (or of unknown visibility): GitHub refuses to delete a public version with more than 5,000 downloads, and no API tells the count, so a real run may skip some of these'

interface Row {
  version: string
  age: string
  why: string
}

/** A version's label, linked to its page on GitHub when the API gave one. */
function linked(version: VersionRef): string {
  const text = cell(label(version))
  const url = version.htmlUrl
  return url && /^https?:\/\/[^\s()<>|[\]]+$/.test(url) ? `[${text}](${url})` : text
}

function ageText(ms: number): string {
  return Number.isFinite(ms) ? formatAge(ms) : ''
}

function counts(pkg: PackageReport) {
  const of = (kind: string) => pkg.writes.filter(w => w.outcome.kind === kind).length
  return {
    done: of('done'),
    skipped: of('skipped'),
    failed: of('failed'),
    kept: pkg.plan?.decisions.filter(d => d.action === 'keep').length ?? pkg.unchanged?.versions ?? 0
  }
}

function outcomeText(
  write: ExecutedWrite,
  reasons: string[] | undefined,
  restoring: string | undefined,
  now: number
): string {
  const { outcome, version } = write
  if (outcome.kind === 'skipped') return `${outcome.reason}: ${outcome.detail}`
  if (outcome.kind === 'failed') return `${shownStatus(outcome)} ${outcome.message}`
  const deleted = version.deletedAt ? `deleted ${ageText(now - parseTime(version.deletedAt))} ago` : ''
  const why = reasons ?? (restoring ? [`restore: ${restoring}${deleted ? `, ${deleted}` : ''}`] : [])
  return [...why, ...(outcome.note ? [outcome.note] : [])].join('; ')
}

/** The check after the run, over all packages, in one line. */
function checkSummary(packages: PackageReport[]): string {
  const total = (f: (c: AfterRunCheck) => number) =>
    packages.reduce((n, p) => n + f(p.check as AfterRunCheck), 0)
  const unchecked = packages.filter(p => p.check?.error).length
  const problems = total(c => c.stillListed.length + c.brokenImages.length)
  const others = total(c => c.disappeared.length + c.appeared.length)
  return [
    `**Checked after the run** (each package listed again): ${total(c => c.confirmed)} deleted version(s) confirmed gone`,
    problems > 0 ? `, :warning: ${problems} problem(s) below` : ', every kept image still whole',
    others > 0
      ? `; ${others} version(s) came or went that this run did not touch (another run or a person?)`
      : '',
    unchecked > 0 ? `; ${unchecked} package(s) could not be listed again` : '',
    '.'
  ].join('')
}

function checkDetails(check: AfterRunCheck): string {
  const names = (list: VersionRef[]) => list.map(v => `${cell(label(v))} (id ${v.id})`).join(', ')
  const lines: string[] = []
  if (check.error) lines.push(`:warning: Not checked after the run: ${cell(check.error)}`)
  if (check.stillListed.length > 0)
    lines.push(`:x: Reported deleted, still listed (moved to failed): ${names(check.stillListed)}`)
  for (const { image, missing } of check.brokenImages)
    lines.push(`:warning: Kept image ${cell(label(image))} lost part(s): ${names(missing)}`)
  if (check.disappeared.length > 0)
    lines.push(`Went while the run ran, not deleted by it: ${names(check.disappeared)}`)
  if (check.appeared.length > 0) lines.push(`Appeared while the run ran: ${names(check.appeared)}`)
  return lines.length > 0 ? `${lines.join('\n\n')}\n` : ''
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '`': '&#96;' }

/**
 * Text from GitHub or from names, made inert in a Markdown table cell: pipes and newlines would break the row,
 * `<`, `>`, `&` and backticks would become markup; long messages are cut.
 */
export function cell(text: string): string {
  const short = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text
  return short
    .replace(/[<>&`]/g, c => HTML[c])
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
}
