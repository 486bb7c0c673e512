/**
 * The one place that hands a run's report to the runner and the disk: it sets the step outputs, writes the job
 * summary, the plan file and starts the run's record. What they say is built from data in report.ts.
 */
import * as core from '@actions/core'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RunRecord } from '../run/record.js'
import { EMPTY_OUTPUTS, buildReport, failureSummary, planDocument, type RunReport } from './report.js'

/**
 * Before the first write: the plan file (the plan, no outcomes yet) and the run's record are written next to
 * each other, so that a run killed at any point leaves them (the action sets both paths as outputs then).
 */
export function startRecord(run: RunReport, directory: string): { planFile: string; record: RunRecord } {
  const planFile = join(directory, `package-retention-plan-${run.startedAt.getTime()}.json`)
  writeFileSync(planFile, JSON.stringify(planDocument(run), null, 2))
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
  writeFileSync(planFile, JSON.stringify(plan, null, 2))
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
