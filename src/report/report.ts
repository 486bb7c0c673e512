/**
 * Turns a run into what users read: the step outputs, the job summary, and the plan file. Building them is
 * pure (buildReport); publishReport only hands them to the runner.
 */
import * as core from '@actions/core'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RunJournal } from '../run/record.js'
import type {
  AfterRunCheck,
  Decision,
  ExecutedWrite,
  PackageReport,
  PackageType,
  VersionRef
} from '../types.js'

export interface RunReport {
  owner: string
  packageType: PackageType
  mode: 'delete' | 'restore'
  dryRun: boolean
  startedAt: Date
  packages: PackageReport[]
  requests: number
  manifestReads: number
  /** The run's record (JSON Lines), which outputs cut for size point at. */
  journalFile?: string
}

interface VersionItem {
  package: string
  id: number
  name: string
  tags: string[]
}

/** GitHub refuses job summaries over 1 MiB; leave room for other steps' summaries. */
const SUMMARY_BUDGET = 512 * 1024
const MAX_ROWS = 200
/** GitHub allows 1 MB per output; a list output is cut under this, its last item pointing at the record. */
export const OUTPUT_BUDGET = 900 * 1024
/** Messages from GitHub or from elsewhere are cut to this many characters in the summary. */
const MAX_MESSAGE = 300

/** How a version is named to users: its tags and digest, or its name. */
export function label(version: VersionRef): string {
  return version.tags.length > 0 ? `${version.tags.join(', ')} (${version.name})` : version.name
}

/** Where requested restores that match no package are reported. */
const NO_PACKAGE = ''

/** Files each write under its package's report; writes of no package (unknown restore ids) under their own. */
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
  let kept = 0
  for (const pkg of run.packages) {
    kept += pkg.plan?.decisions.filter(d => d.action === 'keep').length ?? 0
    if (pkg.error)
      failed.push({ package: pkg.name, id: 0, name: '', tags: [], status: 0, message: pkg.error })
    for (const { version, outcome } of pkg.writes) {
      const item = { package: pkg.name, id: version.id, name: version.name, tags: version.tags }
      if (outcome.kind === 'done') done.push(item)
      else if (outcome.kind === 'skipped')
        skipped.push({ ...item, reason: `${outcome.reason}: ${outcome.detail}` })
      else failed.push({ ...item, status: outcome.status, message: outcome.message })
    }
  }
  const list = (items: unknown[]) => cappedJson(items, run.journalFile)
  const verbOutputs: Record<string, string> =
    run.mode === 'delete'
      ? { 'deleted-count': String(done.length), deleted: list(done) }
      : { 'restored-count': String(done.length), restored: list(done) }
  return {
    outputs: {
      ...verbOutputs,
      'skipped-count': String(skipped.length),
      skipped: list(skipped),
      'failed-count': String(failed.length),
      failed: list(failed),
      'kept-count': String(kept)
    },
    summary: summaryMarkdown(run),
    plan: planDocument(run)
  }
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
 * Before the first write: the plan file (the plan, no outcomes yet) and the run's record are written next to
 * each other, so that a run killed at any point leaves them (the action sets both paths as outputs then).
 */
export function startRecord(run: RunReport, directory: string): { planFile: string; journal: RunJournal } {
  const planFile = join(directory, `package-retention-plan-${run.startedAt.getTime()}.json`)
  writeFileSync(planFile, JSON.stringify(planDocument(run), null, 2))
  const journal = RunJournal.create(planFile.replace(/\.json$/, '.jsonl'), {
    owner: run.owner,
    packageType: run.packageType,
    mode: run.mode,
    dryRun: run.dryRun,
    startedAt: run.startedAt.toISOString(),
    planFile
  })
  return { planFile, journal }
}

/** After the writes: outputs, the summary, and the plan file again, now with every outcome. */
export async function publishReport(run: RunReport, planFile: string): Promise<{ failed: number }> {
  const { outputs, summary, plan } = buildReport(run)
  writeFileSync(planFile, JSON.stringify(plan, null, 2))
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  // The runner always sets GITHUB_STEP_SUMMARY; a local run may not, and then the log is the report.
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write()
  else core.info(summary)
  return { failed: Number(outputs['failed-count']) }
}

function planDocument(run: RunReport): unknown {
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
        ...(pkg.check ? { check: pkg.check } : {}),
        versions: (pkg.plan?.decisions ?? pkg.writes).map(d => ({
          ...d.version,
          ...('action' in d ? { action: d.action, reasons: d.reasons } : {}),
          ...(outcomes.has(d.version.id) ? { outcome: outcomes.get(d.version.id) } : {})
        }))
      }
    })
  }
}

function summaryMarkdown(run: RunReport): string {
  const verb = run.mode === 'delete' ? 'Deleted' : 'Restored'
  const title = `## Package retention: ${run.owner} (${run.packageType})${run.dryRun ? ' — dry run, nothing changed' : ''}`
  const lines = [
    title,
    '',
    `| Package | Versions | ${verb} | Skipped | Failed | Kept |`,
    '|---|--:|--:|--:|--:|--:|'
  ]
  for (const pkg of run.packages) {
    const c = counts(pkg)
    lines.push(
      `| ${cell(pkg.name)} | ${pkg.plan?.decisions.length ?? pkg.writes.length} | ${c.done} | ${c.skipped} | ${c.failed} | ${c.kept} |`
    )
  }
  lines.push('', `${run.requests} API requests, ${run.manifestReads} manifest reads.`, '')
  const checks = run.packages.filter(p => p.check !== undefined)
  if (checks.length > 0) lines.push(checkSummary(checks), '')
  let size = lines.join('\n').length
  const add = (text: string): boolean => {
    if (size + text.length > SUMMARY_BUDGET) return false
    lines.push(text)
    size += text.length + 1
    return true
  }
  for (const pkg of run.packages) {
    if (!add(`### ${pkg.name === NO_PACKAGE ? 'Found in none of the packages' : cell(pkg.name)}`)) break
    if (pkg.error) add(`:x: ${cell(pkg.error)}`)
    if (pkg.check) add(checkDetails(pkg.check))
    const heading = run.dryRun ? `Would be ${verb.toLowerCase()}` : verb
    const reasonsOf = new Map(pkg.plan?.decisions.map(d => [d.version.id, d.reasons]) ?? [])
    const rows = (kind: 'done' | 'skipped' | 'failed') =>
      pkg.writes
        .filter(w => w.outcome.kind === kind)
        .map(w => [label(w.version), outcomeText(w, reasonsOf.get(w.version.id))] as [string, string])
    add(table(heading, rows('done'), false))
    add(table('Skipped', rows('skipped'), false))
    add(table('Failed', rows('failed'), false))
    const kept = pkg.plan?.decisions.filter(d => d.action === 'keep') ?? []
    add(
      table(
        'Kept',
        kept.map(d => [label(d.version), reasonText(d)]),
        true
      )
    )
  }
  if (size >= SUMMARY_BUDGET - 1024)
    lines.push('', '_The summary is cut short here; the plan file has everything._')
  return lines.join('\n')
}

function counts(pkg: PackageReport) {
  const of = (kind: string) => pkg.writes.filter(w => w.outcome.kind === kind).length
  return {
    done: of('done'),
    skipped: of('skipped'),
    failed: of('failed') + (pkg.error ? 1 : 0),
    kept: pkg.plan?.decisions.filter(d => d.action === 'keep').length ?? 0
  }
}

function outcomeText(write: ExecutedWrite, reasons: string[] | undefined): string {
  const { outcome } = write
  if (outcome.kind === 'skipped') return `${outcome.reason}: ${outcome.detail}`
  if (outcome.kind === 'failed') return `${outcome.status} ${outcome.message}`
  return [...(reasons ?? []), ...(outcome.note ? [outcome.note] : [])].join('; ')
}

function reasonText(decision: Decision): string {
  return decision.reasons.join('; ')
}

function table(heading: string, rows: [string, string][], folded: boolean): string {
  if (rows.length === 0) return ''
  const shown = rows.slice(0, MAX_ROWS)
  const body = ['| Version | Why |', '|---|---|', ...shown.map(([v, why]) => `| ${cell(v)} | ${cell(why)} |`)]
  if (rows.length > shown.length) body.push(`| … ${rows.length - shown.length} more in the plan file | |`)
  const title = `${heading} (${rows.length})`
  return folded
    ? `<details><summary>${title}</summary>\n\n${body.join('\n')}\n\n</details>\n`
    : `**${title}**\n\n${body.join('\n')}\n`
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
