/**
 * The action as a command line, for a local preview: the same inputs as flags (`--owner acme --package-type
 * npm`), read by the same config module with the same messages, the same engine and client. It is a dry run
 * unless `--delete` is given; the token comes from GITHUB_TOKEN. Prints the plan with its reasons, and the
 * counts. Wires, like main.ts; decides nothing itself.
 */
import { tmpdir } from 'node:os'
import { readConfig, INPUT_NAMES, type Config } from './config/inputs.js'
import { ConfigError, errorMessage } from './errors.js'
import { buildReport, label } from './report/report.js'
import { runRetention } from './run/run.js'
import type { Logger } from './types.js'

const USAGE = `Usage: package-retention --owner LOGIN --package-type TYPE [--package-names NAMES] [--policy FILE]
                         [--keep-last N] [--min-age 30d] [--delete-tags GLOBS] [--keep-tags GLOBS] [--untagged MODE]
                         [--max-deletions N] [--api-url URL] [--registry-url URL] [--restore ...] [--delete] [--verbose]
A dry run unless --delete is given. The token is read from GITHUB_TOKEN. Flags are the action's inputs.`

/** Inputs the action's runner fills from the workflow's context, and the command line must default itself. */
const DEFAULTS: Record<string, string> = {
  'api-url': 'https://api.github.com'
}
const SWITCHES = ['delete', 'dry-run', 'verbose', 'help']

class UsageError extends Error {}

/** Flags to inputs: `--name value`, `--name=value`, and the switches alone. */
function parseArgs(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i])
    if (!match) throw new UsageError(`${JSON.stringify(argv[i])} is not a flag (--name value)`)
    const [, name, inline] = match
    if (name === 'token')
      throw new UsageError('--token: give the token in GITHUB_TOKEN, not on the command line')
    if (!SWITCHES.includes(name) && !INPUT_NAMES.includes(name))
      throw new UsageError(
        `--${name} is not a flag; the flags are the inputs: ${INPUT_NAMES.filter(n => n !== 'token').join(', ')}`
      )
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`)
    let value = inline
    if (value === undefined && SWITCHES.includes(name) && name !== 'dry-run') value = 'true'
    if (value === undefined && name === 'dry-run')
      value = /^(true|false)$/.test(argv[i + 1] ?? '') ? argv[++i] : 'true'
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`)
      value = argv[++i]
    }
    flags.set(name, value)
  }
  if (flags.has('delete') && flags.get('dry-run') === 'true')
    throw new UsageError('--delete and --dry-run contradict each other')
  return flags
}

function stderrLogger(verbose: boolean): Logger {
  return {
    debug: message => verbose && process.stderr.write(`debug: ${message}\n`),
    info: message => verbose && process.stderr.write(`${message}\n`),
    warning: message => process.stderr.write(`warning: ${message}\n`),
    error: message => process.stderr.write(`error: ${message}\n`)
  } as Logger
}

async function cli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void
): Promise<number> {
  let flags: Map<string, string>
  let config: Config
  try {
    flags = parseArgs(argv)
    if (flags.has('help')) {
      out(USAGE)
      return 0
    }
    const dryRun = flags.has('delete') ? 'false' : 'true'
    const read = (name: string): string =>
      name === 'token'
        ? (env.GITHUB_TOKEN ?? '')
        : name === 'dry-run'
          ? dryRun
          : (flags.get(name) ?? DEFAULTS[name] ?? '')
    const workspace = { ...env, GITHUB_WORKSPACE: env.GITHUB_WORKSPACE || process.cwd() }
    config = readConfig(read, workspace, stderrLogger(flags.has('verbose')))
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`)
      return 2
    }
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) process.stderr.write(`${problem}\n`)
    process.stderr.write(`${error.problems.length} input(s) are invalid; nothing was requested or changed.\n`)
    return 2
  }

  const log = stderrLogger(flags.has('verbose'))
  const { report, stopped } = await runRetention(config, {
    log,
    group: (_title, step) => step(),
    recordDirectory: tmpdir()
  })
  const verb = report.mode
  for (const pkg of report.packages) {
    if (pkg.error) out(`${pkg.name}: ${pkg.error}`)
    if (!pkg.plan) continue
    out(`${pkg.name}: ${pkg.plan.decisions.length} versions, ${pkg.plan.deletions.length} to delete`)
    for (const d of pkg.plan.decisions)
      out(`  ${d.action.padEnd(6)} ${d.version.id} ${label(d.version)}: ${d.reasons.join('; ')}`)
  }
  for (const write of verb === 'restore' ? report.packages.flatMap(p => p.writes) : [])
    out(`  restore ${write.packageName} ${write.version.id} ${label(write.version)}`)
  const { outputs } = buildReport(report)
  const done = verb === 'delete' ? outputs['deleted-count'] : outputs['restored-count']
  out(
    `${config.dryRun ? `Dry run: would ${verb}` : verb === 'delete' ? 'Deleted' : 'Restored'} ${done}, ` +
      `kept ${outputs['kept-count']}, skipped ${outputs['skipped-count']}, failed ${outputs['failed-count']}` +
      (config.dryRun ? ' (give --delete to delete)' : '')
  )
  if (!config.dryRun) out(`record: ${report.journalFile} (undo with --restore ${report.journalFile})`)
  for (const failure of JSON.parse(outputs.failed) as { package: string; id: number; message: string }[])
    out(`failed: ${failure.package} ${failure.id}: ${failure.message}`)
  if (stopped) out(`stopped by ${stopped}: no write was sent after it`)
  return stopped || Number(outputs['failed-count']) > 0 ? 1 : 0
}

/** Runs the command line on this process's flags and environment; the exit code says how it went. */
export function runCommandLine(): void {
  cli(process.argv.slice(2), process.env, line => process.stdout.write(`${line}\n`)).then(
    code => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`error: ${errorMessage(error)}\n`)
      process.exitCode = 1
    }
  )
}
