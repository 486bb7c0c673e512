/**
 * The one place that hands a run's report to the runner and the disk: it sets the step outputs, writes the job
 * summary, the plan file and starts the run's record. What they say is built from data in report.ts.
 */
import * as core from '@actions/core'
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { RunRecord } from '../run/record.js'
import { EMPTY_OUTPUTS, buildReport, failureSummary, planDocument, type RunReport } from './report.js'

/**
 * Before the first write: the plan file (the plan, no outcomes yet) and the run's record are written next to
 * each other, so that a run killed at any point leaves them (the action sets both paths as outputs then).
 */
export function startRecord(run: RunReport, directory: string): { planFile: string; record: RunRecord } {
  const planFile = join(directory, `package-retention-plan-${run.startedAt.getTime()}.json`)
  writeJsonFile(planFile, planDocument(run))
  const record = RunRecord.create(planFile.replace(/\.json$/, '.jsonl'), {
    owner: run.owner,
    packageType: run.packageType,
    mode: run.mode,
    dryRun: run.dryRun,
    startedAt: run.startedAt.toISOString(),
    planFile
  })
  return { planFile, record }
}

/**
 * After the writes: outputs, the summary, and the plan file again, now with every outcome. Returns how many
 * versions failed and how many packages could not be listed or planned.
 */
export async function publishReport(
  run: RunReport,
  planFile: string
): Promise<{ failed: number; failedPackages: number }> {
  const { outputs, summary, plan } = buildReport(run)
  writeJsonFile(planFile, plan)
  await publish(outputs, summary)
  return {
    failed: Number(outputs['failed-count']),
    failedPackages: run.packages.filter(p => p.error !== undefined).length
  }
}

/**
 * A run that ended before planning (bad inputs, a rejected token, an unknown owner, the API down): every
 * output empty, and the summary says why.
 */
export async function publishFailure(title: string, problems: readonly string[]): Promise<void> {
  await publish(EMPTY_OUTPUTS, failureSummary(title, problems))
}

async function publish(outputs: Readonly<Record<string, string>>, summary: string): Promise<void> {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  // The runner always sets GITHUB_STEP_SUMMARY; a local run may not, and then the log is the report.
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write()
  else core.info(summary)
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, piece by piece: the plan of a large organisation
 * (a million decisions, about 600 bytes each) is longer than the longest string V8 can hold (about 512 MB), so
 * it is never made into one string. Objects and arrays are written member by member down to `depth`, and each
 * member below it as one string.
 */
export function writeJsonFile(path: string, value: unknown, depth = 3): void {
  const fd = openSync(path, 'w')
  let chunk = ''
  const put = (text: string) => {
    chunk += text
    if (chunk.length >= 1 << 20) {
      writeSync(fd, chunk)
      chunk = ''
    }
  }
  const write = (item: unknown, indent: string, level: number) => {
    const json = jsonOf(item)
    if (level >= depth || json === null || typeof json !== 'object') {
      put((JSON.stringify(json, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`))
      return
    }
    const inner = `${indent}  `
    const members = Array.isArray(json)
      ? json.map(member => [undefined, member] as const)
      : Object.entries(json as Record<string, unknown>).filter(([, member]) => jsonOf(member) !== undefined)
    if (members.length === 0) return put(Array.isArray(json) ? '[]' : '{}')
    put(Array.isArray(json) ? '[' : '{')
    members.forEach(([key, member], i) => {
      put(`${i > 0 ? ',' : ''}\n${inner}${key === undefined ? '' : `${JSON.stringify(key)}: `}`)
      write(member, inner, level + 1)
    })
    put(`\n${indent}${Array.isArray(json) ? ']' : '}'}`)
  }
  try {
    write(value, '', 0)
    writeSync(fd, chunk)
  } finally {
    closeSync(fd)
  }
}

/** What JSON.stringify makes of a value before writing it: toJSON applied; undefined for what it leaves out. */
function jsonOf(value: unknown): unknown {
  const json =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value
  return typeof json === 'function' || typeof json === 'symbol' ? undefined : json
}
