/** The action: inputs → config → the run → the report. Wires only; decides nothing itself. */
import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { loadConfig, type Config } from './config/inputs.js'
import { ConfigError, errorMessage } from './errors.js'
import { publishFailure, publishReport } from './report/publish.js'
import { runRetention } from './run/run.js'

export async function run(): Promise<void> {
  let config: Config
  try {
    config = await loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    error.problems.forEach(problem => core.error(problem))
    await publishFailure('invalid inputs, nothing was requested', error.problems)
    core.setFailed(`${error.problems.length} input(s) are invalid; nothing was requested or changed.`)
    return
  }
  core.setSecret(config.token)

  let outcome: Awaited<ReturnType<typeof runRetention>>
  try {
    outcome = await runRetention(config, {
      log: core,
      group: core.group,
      recordDirectory: process.env.RUNNER_TEMP || tmpdir(),
      onRecord: (plan, record) => {
        core.setOutput('plan-file', plan)
        core.setOutput('journal-file', record)
      }
    })
  } catch (error) {
    // Before any plan (a rejected token, an unknown owner, the API down): nothing changed.
    await publishFailure(`${config.owner} (${config.packageType}), the run stopped`, [errorMessage(error)])
    throw error
  }
  const { failed, failedPackages } = await publishReport(outcome.report, outcome.planFile)
  if (outcome.stopped)
    core.setFailed(
      `Stopped by ${outcome.stopped}: no write was sent after it; the job summary says what was done.`
    )
  else if (failed > 0 || failedPackages > 0)
    core.setFailed(
      `${failed} version(s) failed and ${failedPackages} package(s) could not be listed or planned; see the job summary.`
    )
}
