/**
 * The action as a command line, for a local preview: the same inputs as flags (`--owner acme --package-type
 * npm`), read by the same config module (its messages naming the flags), the same engine and client. It is a
 * dry run unless `--delete` is given; the token comes from GITHUB_TOKEN. Prints the plan with its reasons, and
 * the counts. Wires, like main.ts; decides nothing itself.
 */
import { tmpdir } from 'node:os'
import { parseArgs } from 'node:util'
import { workspaceOf } from './config/files.js'
import { loadConfig, INPUT_NAMES, type Config, type InputWords } from './config/inputs.js'
import { ConfigError, errorMessage } from './errors.js'
import { buildReport, label } from './report/report.js'
import { runRetention } from './run/run.js'
import type { Logger } from './types.js'
import { VERSION } from './version.js'

/** Flags a run cannot do without: the command line has no workflow, event or repository to take them from. */
const REQUIRED = ['owner', 'package-type', 'package-names']
/** What each value flag takes, as the usage shows it; VALUE for any other. */
const PLACEHOLDERS: Record<string, string> = {
  owner: 'LOGIN',
  'package-type': 'TYPE',
  'package-names': 'NAMES',
  policy: 'FILE',
  'keep-last': 'N',
  'min-age': 'AGE',
  'delete-tags': 'GLOBS',
  'keep-tags': 'GLOBS',
  untagged: 'MODE',
  order: 'ORDER',
  'keep-last-per': 'LINE',
  'max-deletions': 'N',
  'api-url': 'URL',
  'registry-url': 'URL',
  restore: 'RECORD'
}

const EXAMPLES = `A dry run unless --delete is given. The token is read from GITHUB_TOKEN in the environment (a classic token
with read:packages and delete:packages; write:packages to restore). The flags are the action's inputs; those
in [brackets] may be left out.

Examples, one for each way the action is started:
  On a schedule: what a nightly clean-up of every app-* image would delete (a dry run)
    GITHUB_TOKEN=ghp_... package-retention --owner acme --package-type container \\
      --package-names 'app-*' --keep-last 10 --min-age 7d --untagged include
  After a publish (registry_package): keep the 10 newest versions of the package just published, for real
    GITHUB_TOKEN=ghp_... package-retention --owner acme --package-type npm --package-names web-ui \\
      --keep-last 10 --min-age 7d --delete
  By hand (workflow_dispatch): a policy file, then undo that run from its record
    GITHUB_TOKEN=ghp_... package-retention --owner acme --package-type container --package-names app \\
      --policy retention.yml --delete
    GITHUB_TOKEN=ghp_... package-retention --owner acme --package-type container --package-names app \\
      --restore RECORD.jsonl --delete`

/** Inputs the action's runner fills from the workflow's context, and the command line must default itself. */
const DEFAULTS: Record<string, string> = {
  'api-url': 'https://api.github.com'
}

/** Switches take no value: `--delete=false` is an error, never a delete. */
const SWITCHES = ['delete', 'dry-run', 'verbose', 'help', 'version'] as const
const VALUE_FLAGS = INPUT_NAMES.filter(name => name !== 'token' && name !== 'dry-run')
/** Every flag the command line takes: what it parses, and what its usage and its messages list. */
const OPTIONS: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.fromEntries([
  ...VALUE_FLAGS.map(name => [name, { type: 'string' }] as const),
  ...SWITCHES.map(
    name => [name, name === 'help' ? { type: 'boolean', short: 'h' } : { type: 'boolean' }] as const
  )
])

/** The usage, from OPTIONS: every flag, the required ones without brackets, wrapped as a terminal shows it. */
function usage(): string {
  const command = 'Usage: package-retention'
  const words = Object.entries(OPTIONS).map(([name, option]) => {
    const flag = option.type === 'string' ? `--${name} ${PLACEHOLDERS[name] ?? 'VALUE'}` : `--${name}`
    return REQUIRED.includes(name) ? flag : `[${flag}]`
  })
  const lines = [command]
  for (const word of words)
    if (lines[lines.length - 1].length + word.length + 1 > 110)
      lines.push(`${' '.repeat(command.length)} ${word}`)
    else lines[lines.length - 1] += ` ${word}`
  return `${lines.join('\n')}\n\n${EXAMPLES}`
}

/** The config module's messages, speaking of flags and of GITHUB_TOKEN in the environment. */
const FLAG_WORDS: InputWords = {
  name: input => `--${input}`,
  noToken:
    'GITHUB_TOKEN: is not set; export a token in the environment (a classic token with read:packages and delete:packages)',
  packageTypeSource: ''
}

class UsageError extends Error {}

const takesNoValue = (flag: string) => `${flag} takes no value; a run is a dry run unless --delete is given`

/**
 * Flags to inputs, strictly (`node:util` parseArgs): a value flag takes one value (`--name value` or
 * `--name=value`), a switch none; an unknown, repeated or positional argument is an error. The messages are
 * checked here first, so that each names the flag and what is allowed; parseArgs then parses.
 */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true
  })
  const seen = new Set<string>()
  for (const [i, token] of tokens.entries()) {
    const before = tokens[i - 1]
    if (token.kind === 'positional' && before?.kind === 'option' && before.value === undefined)
      throw new UsageError(`${before.rawName} ${token.value}: ${takesNoValue(before.rawName)}`)
    if (token.kind === 'positional')
      throw new UsageError(`${JSON.stringify(token.value)} is not a flag (--name value)`)
    if (token.kind !== 'option') throw new UsageError('"--" is not a flag (--name value)')
    const { name, rawName, value } = token
    if (name === 'token')
      throw new UsageError('--token: give the token in GITHUB_TOKEN, not on the command line')
    if (!(name in OPTIONS))
      throw new UsageError(
        `${rawName} is not a flag; the flags are ${[...VALUE_FLAGS, ...SWITCHES].map(n => `--${n}`).join(', ')}`
      )
    if (seen.has(name)) throw new UsageError(`${rawName} is given twice`)
    seen.add(name)
    const isSwitch = (SWITCHES as readonly string[]).includes(name)
    if (isSwitch && value !== undefined) throw new UsageError(`${rawName}=${value}: ${takesNoValue(rawName)}`)
    if (!isSwitch && (value === undefined || (!token.inlineValue && value.startsWith('-'))))
      throw new UsageError(`${rawName} needs a value (${rawName} VALUE or ${rawName}=VALUE)`)
  }
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError(errorMessage(error))
  }
  const flags = new Map<string, string>()
  for (const [name, value] of Object.entries(values))
    if (typeof value === 'string' || value === true) flags.set(name, String(value))
  if (flags.has('delete') && flags.has('dry-run'))
    throw new UsageError('--delete and --dry-run contradict each other')
  return flags
}

function stderrLogger(verbose: boolean): Logger {
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`)
  }
  return {
    debug: message => (verbose ? write(`debug: ${message}`) : undefined),
    info: message => (verbose ? write(message) : undefined),
    warning: message => write(`warning: ${message}`),
    error: message => write(`error: ${message}`)
  }
}

async function cli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void
): Promise<number> {
  let flags: Map<string, string>
  let config: Config
  if (argv.length === 0) {
    process.stderr.write(`${usage()}\n`)
    return 2
  }
  const workspace = { ...env, GITHUB_WORKSPACE: env.GITHUB_WORKSPACE || process.cwd() }
  try {
    flags = parseFlags(argv)
    if (flags.has('help')) {
      out(usage())
      return 0
    }
    if (flags.has('version')) {
      out(VERSION)
      return 0
    }
    const dryRun = flags.has('delete') ? 'false' : 'true'
    const read = (name: string): string =>
      name === 'token'
        ? (env.GITHUB_TOKEN ?? '')
        : name === 'dry-run'
          ? dryRun
          : (flags.get(name) ?? DEFAULTS[name] ?? '')
    config = await loadConfig(read, workspace, stderrLogger(flags.has('verbose')), FLAG_WORDS)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nSee package-retention --help for the flags and examples.\n`)
      return 2
    }
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) process.stderr.write(`${problem}\n`)
    process.stderr.write(`${error.problems.length} problem(s); nothing was requested or changed.\n`)
    return 2
  }

  const log = stderrLogger(flags.has('verbose'))
  const { report, stopped } = await runRetention(config, {
    log,
    group: (_title, step) => step(),
    // A run that writes leaves its record where a restore reads one: RUNNER_TEMP, or the workspace (the current
    // directory); a dry run's plan goes to the system's temporary folder.
    recordDirectory: config.dryRun ? tmpdir() : env.RUNNER_TEMP || workspaceOf(workspace)
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
  const record = config.dryRun ? undefined : report.recordFile
  if (record) out(`record: ${record}`)
  if (record && verb === 'delete') out(`undo: ${undoCommand(config, flags, record)}`)
  for (const failure of JSON.parse(outputs.failed) as { package: string; id: number; message: string }[])
    out(`failed: ${failure.package} ${failure.id}: ${failure.message}`)
  if (stopped) out(`stopped by ${stopped}: no write was sent after it`)
  return stopped || Number(outputs['failed-count']) > 0 || report.packages.some(p => p.error) ? 1 : 0
}

/**
 * The command that restores what a delete run removed, from its record, ready to paste into a shell: this
 * program by its path (it runs as it is, wherever it was installed, npx included), the run's target and URLs.
 */
function undoCommand(config: Config, flags: ReadonlyMap<string, string>, record: string): string {
  const words = [process.argv[1], '--owner', config.owner, '--package-type', config.packageType]
  for (const name of ['package-names', 'api-url', 'registry-url']) {
    const value = flags.get(name)
    if (value !== undefined) words.push(`--${name}`, value)
  }
  words.push('--restore', record, '--delete')
  return words
    .map(word => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(' ')
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
