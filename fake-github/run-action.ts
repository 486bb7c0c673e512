import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { FakeGitHub } from './server.js'
import type { StateDump } from './state.js'

/** Where action.yml and dist/ live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Node options that resolve `*.localhost` to loopback (RFC 6761) in the harness's processes only. */
export const LOCALHOST_DNS = ['--import', fileURLToPath(new URL('localhost-dns.mjs', import.meta.url))]

export interface InputDeclaration {
  name: string
  default?: string
}

/** What `${{ github.* }}` expressions in action.yml defaults resolve to. */
export interface RunnerContext {
  token: string
  /** `owner/name` of the repository the workflow runs in. */
  repository: string
  apiUrl: string
}

export type InputValue = string | number | boolean

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface RunActionOptions {
  /** By action.yml name (`package-type`); the rest take action.yml's defaults. */
  inputs: Record<string, InputValue>
  fake: Pick<FakeGitHub, 'url' | 'registryUrl' | 'state'>
  token: string
  /** Default `acme/app`. */
  repository?: string
  /** Added last, so they win. */
  env?: Record<string, string>
  /** Sets RUNNER_DEBUG=1, as re-running a job with debug logging does. */
  debug?: boolean
  /** Default 60 s; the action is killed after it and the run rejects. */
  timeoutMs?: number
  /** Kill the action (SIGKILL, as a cancelled job or a lost runner would) after this long and return what it left. */
  killAfterMs?: number
  /**
   * Cancel the run as GitHub cancels a workflow: SIGINT after this long (then SIGTERM 7.5 s later, as the
   * runner does if the step is still running). `cancelledAt` in the result says when.
   */
  cancelAfterMs?: number
  /** Cancel the same way as soon as this holds (asked every 10 ms): a signal at a chosen moment of the run. */
  cancelWhen?: () => boolean
  root?: string
}

export interface ActionRun {
  exitCode: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  state: StateDump
  /** Temporary directory of this run (workspace, RUNNER_TEMP, command files); left for the caller to inspect. */
  workDir: string
  /** When SIGINT was sent (`cancelAfterMs`), ISO 8601. */
  cancelledAt?: string
}

export function readInputDeclarations(actionYml: string): InputDeclaration[] {
  const action = parseYaml(actionYml) as { inputs?: Record<string, { default?: unknown } | null> }
  return Object.entries(action.inputs ?? {}).map(([name, spec]) => ({
    name,
    ...(spec?.default !== undefined && { default: String(spec.default) })
  }))
}

function githubContext({ token, repository, apiUrl }: RunnerContext) {
  const [owner, name] = repository.split('/')
  return {
    token,
    repository,
    repository_owner: owner,
    actor: owner,
    api_url: apiUrl,
    server_url: 'https://github.com',
    graphql_url: `${apiUrl}/graphql`,
    event_name: 'workflow_dispatch',
    event: { repository: { name, full_name: repository, owner: { login: owner } } }
  }
}

/** Evaluates the simple `${{ github.a.b }}` expressions action.yml defaults use; anything else is refused. */
export function evaluateExpressions(text: string, context: RunnerContext): string {
  const github = githubContext(context)
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const path = /^github(?:\.[A-Za-z_][\w-]*)+$/.test(expression)
      ? expression.split('.').slice(1)
      : undefined
    const value = path?.reduce<unknown>(
      (object, key) => (object as Record<string, unknown> | undefined)?.[key],
      github
    )
    if (typeof value !== 'string') throw new Error(`action.yml: cannot evaluate \${{ ${expression} }} here`)
    return value
  })
}

/** `INPUT_<NAME>` for every declared input that has a value or a default: name upper-cased, hyphens kept. */
export function inputEnv(
  declared: InputDeclaration[],
  inputs: Record<string, InputValue>,
  context: RunnerContext
): Record<string, string> {
  const unknown = Object.keys(inputs).filter(name => !declared.some(input => input.name === name))
  if (unknown.length > 0)
    throw new Error(
      `action.yml declares no input ${unknown.join(', ')}; it has ${declared.map(i => i.name).join(', ')}`
    )
  const env: Record<string, string> = {}
  for (const { name, default: fallback } of declared) {
    const value = name in inputs ? String(inputs[name]) : fallback && evaluateExpressions(fallback, context)
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  return env
}

/** The runner's own variables; host ones (a CI job's GITHUB_*, jest's NODE_OPTIONS) are left out. */
function hostEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|STATE_)/.test(entry[0]) &&
        entry[0] !== 'NODE_OPTIONS'
    )
  )
}

/**
 * Everything a JavaScript action sees on a runner: inputs, GITHUB_* variables and fresh command files in a new
 * temporary directory. Only the inputs given are set (as a workflow's `with:`): serve the fake GHES-style
 * (`hostname: 'localhost'`, `apiPath: '/api/v3'`) for the action to find the fake's registry itself.
 */
export async function prepareActionEnv(
  options: RunActionOptions
): Promise<{ env: Record<string, string>; workDir: string; files: { output: string; summary: string } }> {
  const root = options.root ?? PACKAGE_ROOT
  const actionYml = await readFile(join(root, 'action.yml'), 'utf8')
  const declared = readInputDeclarations(actionYml)
  const repository = options.repository ?? 'acme/app'
  const context = { token: options.token, repository, apiUrl: options.fake.url }
  const inputs = { ...options.inputs }

  const workDir = await mkdtemp(join(tmpdir(), 'run-action-'))
  const path = (name: string) => join(workDir, name)
  await Promise.all([mkdir(path('workspace')), mkdir(path('runner-temp'))])
  const files = { output: path('output'), summary: path('step-summary') }
  const github = githubContext(context)
  await Promise.all([
    ...['output', 'step-summary', 'env', 'path', 'state'].map(name => writeFile(path(name), '')),
    writeFile(path('event.json'), JSON.stringify({ repository: github.event.repository }))
  ])

  const env: Record<string, string> = {
    ...hostEnv(),
    ...inputEnv(declared, inputs, context),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: github.api_url,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_GRAPHQL_URL: github.graphql_url,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_ACTOR: github.actor,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_EVENT_PATH: path('event.json'),
    GITHUB_WORKSPACE: path('workspace'),
    GITHUB_WORKFLOW: 'retention',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: path('env'),
    GITHUB_PATH: path('path'),
    GITHUB_STATE: path('state'),
    RUNNER_TEMP: path('runner-temp'),
    RUNNER_OS: 'Linux',
    ...(options.debug && { RUNNER_DEBUG: '1' }),
    ...options.env
  }
  return { env, workDir, files }
}

/**
 * The Node that starts the bundle: the runners' (ACTION_NODE, which the end-to-end suites' setup sets to the
 * major action.yml's `using:` names), else the one running this process (the demo).
 */
export function actionNode(): string {
  return process.env.ACTION_NODE || process.execPath
}

/** Runs `dist/index.js` with `node` as the runner does, asynchronously, so an in-process fake keeps serving. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const root = options.root ?? PACKAGE_ROOT
  const timeoutMs = options.timeoutMs ?? 60_000
  const { env, workDir, files } = await prepareActionEnv(options)
  const child = spawn(actionNode(), [...LOCALHOST_DNS, join(root, 'dist', 'index.js')], {
    cwd: env.GITHUB_WORKSPACE,
    env
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))

  let cancelledAt: string | undefined
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`dist/index.js did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    if (options.killAfterMs !== undefined)
      setTimeout(() => child.kill('SIGKILL'), options.killAfterMs).unref()
    const cancel = () => {
      if (cancelledAt !== undefined) return
      cancelledAt = new Date().toISOString()
      child.kill('SIGINT')
      setTimeout(() => child.kill('SIGTERM'), 7_500).unref()
    }
    if (options.cancelAfterMs !== undefined) setTimeout(cancel, options.cancelAfterMs).unref()
    const { cancelWhen } = options
    if (cancelWhen !== undefined) {
      const poll = setInterval(() => {
        if (!cancelWhen()) return
        clearInterval(poll)
        cancel()
      }, 10)
      poll.unref()
      child.once('close', () => clearInterval(poll))
    }
    child.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', code => {
      clearTimeout(timer)
      resolve(code)
    })
  })

  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
    annotations: parseAnnotations(stdout),
    state: options.fake.state(),
    workDir,
    ...(cancelledAt ? { cancelledAt } : {})
  }
}

/** Reads GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc <= 0)
      throw new Error(`GITHUB_OUTPUT line ${i + 1} is neither name=value nor name<<DELIMITER: ${line}`)
    const name = line.slice(0, heredoc)
    const delimiter = line.slice(heredoc + 2)
    const end = lines.indexOf(delimiter, i + 1)
    if (end < 0) throw new Error(`GITHUB_OUTPUT: ${name}'s value never ends with ${delimiter}`)
    outputs[name] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return outputs
}

const ESCAPES: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' }

/** One pass, so an escaped `%` followed by `0A` stays the text `%0A`. */
function unescape(text: string, pattern: RegExp): string {
  return text.replace(pattern, code => ESCAPES[code.toUpperCase()])
}

/** Finds `::error|warning|notice key=value,...::message` workflow commands in the action's stdout. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const command = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!command) continue
    const properties: Record<string, string> = {}
    for (const pair of (command[2] ?? '').split(',').filter(Boolean)) {
      const equals = pair.indexOf('=')
      if (equals > 0)
        properties[pair.slice(0, equals)] = unescape(pair.slice(equals + 1), /%(25|0D|0A|3A|2C)/gi)
    }
    annotations.push({
      level: command[1] as Annotation['level'],
      message: unescape(command[3], /%(25|0D|0A)/gi),
      properties
    })
  }
  return annotations
}
