/** The action: inputs → config → the run → the report. Wires only; decides nothing itself. */
import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { readConfig, type Config } from './config/inputs.js'
import { ConfigError } from './errors.js'
import { publishReport } from './report/report.js'
import { runRetention } from './run/run.js'

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

  const { report, planFile, stopped } = await runRetention(config, {
    log: core,
    group: core.group,
    recordDirectory: process.env.RUNNER_TEMP || tmpdir(),
    onRecord: (plan, journal) => {
      core.setOutput('plan-file', plan)
      core.setOutput('journal-file', journal)
    }
  })
  const { failed } = await publishReport(report, planFile)
  if (stopped)
    core.setFailed(`Stopped by ${stopped}: no write was sent after it; the job summary says what was done.`)
  else if (failed > 0) core.setFailed(`${failed} version(s) or package(s) failed; see the job summary.`)
}
