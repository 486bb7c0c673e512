/**
 * The only module that reads the action's inputs. Every input is read once and validated before the first
 * request; a bad value fails the run with one message per input, naming the input, the value and what is
 * allowed.
 */
import * as core from '@actions/core'
import { ConfigError } from '../errors.js'
import { addressesOf, isLoopback, looksLoopback } from './urls.js'
import {
  closedPullRequestEvent,
  readInside,
  registryPackageEvent,
  workspaceOf,
  type PackageEvent,
  type PullRequestEvent
} from './files.js'
import { DEFAULT_TEMPLATES, templateProblem } from '../engine/repository.js'
import { restoreRequest, type Fail } from './restore-request.js'
import { parseDuration } from '../engine/time.js'
import { itemProblem, parseList } from '../engine/globs.js'
import { matchItemProblem } from '../engine/versions.js'
import { ALLOWED, durationProblem } from './allowed.js'
import type { parsePolicyFile } from './policy-file.js'
import {
  CLOSED_KINDS,
  IN_USE_KINDS,
  PACKAGE_TYPES,
  REPOSITORY_INPUTS,
  UNTAGGED_MODES,
  VERSION_LINES,
  VERSION_ORDERS,
  type Logger,
  type PackageType,
  type PolicyRule,
  type RateReserve,
  type RepositoryRules,
  type RestoreRequest,
  type Shard,
  type TagTemplates,
  type RetentionPolicy,
  type UntaggedMode
} from '../types.js'

export interface Config {
  readonly token: string
  readonly owner: string
  readonly packageType: PackageType
  /** Exact names or globs (with `!` exclusions), as given. */
  readonly packageNames: readonly string[]
  readonly policy: Readonly<RetentionPolicy>
  readonly dryRun: boolean
  /** Undefined: no cap. */
  readonly maxDeletions?: number
  readonly apiUrl: string
  readonly registryUrl: string
  /** Undefined: a normal (deleting) run. */
  readonly restore?: RestoreRequest
  /** Requests kept back from the rate budget for the steps after this one. */
  readonly rateLimitReserve: RateReserve
  /** Undefined: every matched package (no matrix). */
  readonly shard?: Shard
}

/** Reads one input by its action.yml name; `core.getInput` on the runner, a plain map in tests. */
export type InputReader = (name: string) => string

/**
 * How messages speak of what was given: the action names its inputs (`package-type`), the command line its
 * flags (`--package-type`); and where a value left out comes from: the workflow, or the environment.
 */
export interface InputWords {
  /** An input as messages name it. */
  name(input: string): string
  /** The whole message when there is no token. */
  readonly noToken: string
  /** Said after "give one of ..." when package-type is empty. */
  readonly packageTypeSource: string
}

export const ACTION_WORDS: InputWords = {
  name: input => input,
  noToken: 'token: is empty; pass a token (the default is the workflow’s GITHUB_TOKEN)',
  packageTypeSource: ' (only a registry_package event supplies it)'
}

/** Every input, by its action.yml name; the command line takes them as flags. */
export const INPUT_NAMES: readonly string[] = [
  'token',
  'owner',
  'package-type',
  'package-names',
  'policy',
  'keep-last',
  'min-age',
  'delete-tags',
  'keep-tags',
  'untagged',
  'order',
  'keep-last-per',
  ...REPOSITORY_INPUTS,
  'dry-run',
  'max-deletions',
  'rate-limit-reserve',
  'shard',
  'api-url',
  'registry-url',
  'restore'
]

/**
 * The single-rule inputs' defaults live here, not in action.yml, so that an input given can be told from one
 * left out: `policy` goes with none of them.
 */
export const RULE_INPUT_DEFAULTS = {
  'keep-last': '10',
  'min-age': '7d',
  'delete-tags': '',
  'keep-tags': '',
  untagged: '',
  order: '',
  'keep-last-per': ''
} as const
const RULE_INPUTS = Object.keys(RULE_INPUT_DEFAULTS) as (keyof typeof RULE_INPUT_DEFAULTS)[]

/** What the repository says decides with these; their defaults are in engine/repository.ts. */
const TEMPLATE_INPUTS: Record<string, keyof TagTemplates> = {
  'pull-request-tags': 'pullRequest',
  'branch-tags': 'branch',
  'commit-tags': 'commit',
  'release-tags': 'release'
}
const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/

/** A login, or an Enterprise Managed User's `handle_shortcode`. */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:_[A-Za-z0-9]+)?$/
const WHOLE = /^\d+$/
const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']
const DEFAULT_UNTAGGED: UntaggedMode = 'include'

/**
 * Reads every input (see readConfig); the policy parser (`yaml`, `ajv`, about a third of the bundle) is loaded
 * only when a `policy` is given, so a run without one starts without it.
 */
export async function loadConfig(
  read: InputReader = name => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  log: Pick<Logger, 'debug' | 'warning'> = core,
  words: InputWords = ACTION_WORDS
): Promise<Config> {
  const parser = read('policy').trim() ? (await import('./policy-file.js')).parsePolicyFile : undefined
  const config = readConfig(read, env, log, words, parser)
  const problems = await plainHttpProblems(config, words)
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/** A plain http URL spelled as loopback whose host resolves to anything but loopback addresses. */
async function plainHttpProblems(config: Config, words: InputWords): Promise<string[]> {
  const urls = { 'api-url': config.apiUrl, 'registry-url': config.registryUrl }
  const problems: string[] = []
  for (const [name, value] of Object.entries(urls)) {
    const url = value ? new URL(value) : undefined
    if (url?.protocol !== 'http:' || (await isLoopback(url.hostname))) continue
    const addresses = (await addressesOf(url.hostname)).join(', ') || 'no address'
    problems.push(
      `${words.name(name)}: ${JSON.stringify(value)} is plain http to ${url.hostname}, which resolves to ${addresses}, not only to loopback addresses; give an https URL`
    )
  }
  return problems
}

/**
 * `parsePolicy`: policy-file.ts's parser, needed only when a `policy` is given (loadConfig loads it). The
 * inputs are read in steps, in this order: whom and what (target), the rules, the mode, the URLs, a restore.
 */
export function readConfig(
  read: InputReader = name => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  log: Pick<Logger, 'debug' | 'warning'> = core,
  words: InputWords = ACTION_WORDS,
  parsePolicy?: typeof parsePolicyFile
): Config {
  const r = reading(read, env, log, words)
  const target = readTarget(r)
  const { packageType } = target
  const rules = readRules(r, target, parsePolicy)
  const mode = readMode(r)
  const sharing = readSharing(r)
  const urls = readUrls(r, packageType)
  const restore = restoreRequest(r.input('restore'), target, env, r.fail)

  const { keepLast, minAgeMs, order, keepLastPer, rules: policyRules, repository } = rules
  if (r.problems.length > 0 || !packageType || keepLast === undefined || minAgeMs === undefined) {
    throw new ConfigError(r.problems)
  }
  return Object.freeze({
    ...target,
    packageType,
    packageNames: Object.freeze(target.packageNames),
    policy: Object.freeze({
      packageType,
      keepLast,
      minAgeMs,
      minAgeText: rules.minAgeText,
      deleteTags: rules.deleteTags,
      keepTags: rules.keepTags,
      untagged: rules.untagged,
      ...(repository && { repository: Object.freeze(repository) }),
      ...(order && { order }),
      ...(keepLastPer && { keepLastPer }),
      ...(policyRules && { rules: Object.freeze(policyRules) })
    }),
    ...mode,
    ...sharing,
    apiUrl: urls.apiUrl.replace(/\/+$/, ''),
    registryUrl: urls.registryUrl.replace(/\/+$/, ''),
    restore
  })
}

/** What every step shares: the inputs, read and logged, and the problems found so far. */
interface Reading {
  readonly env: NodeJS.ProcessEnv
  readonly log: Pick<Logger, 'debug' | 'warning'>
  readonly words: InputWords
  readonly problems: string[]
  /** An input as messages name it. */
  named(name: string): string
  /** An input's value, trimmed; logged, unless it is the token. */
  input(name: string): string
  fail: Fail
}

function reading(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  log: Pick<Logger, 'debug' | 'warning'>,
  words: InputWords
): Reading {
  const problems: string[] = []
  const named = words.name
  return {
    env,
    log,
    words,
    problems,
    named,
    input(name) {
      const value = read(name).trim()
      if (name !== 'token') log.debug(`${name}: ${JSON.stringify(value)}`)
      return value
    },
    fail(name, value, allowed) {
      problems.push(`${named(name)}: ${JSON.stringify(value)} ${allowed}`)
      return undefined
    }
  }
}

/** Whom and what the run is for: the token, the owner, the package type and the package names. */
interface Target {
  readonly token: string
  readonly owner: string
  readonly packageType?: PackageType
  readonly packageNames: string[]
}

function readTarget(r: Reading): Target {
  const token = r.input('token')
  if (!token) r.problems.push(r.words.noToken)
  const owner = r.input('owner')
  if (!LOGIN.test(owner)) r.fail('owner', owner, 'is not a GitHub user or organisation login')
  const event = registryPackageEvent(r.env)
  const pullRequest = closedPullRequestEvent(r.env)
  const packageType = readPackageType(r, event, pullRequest)
  const packageNames = readPackageNames(r, event, { owner, packageType })
  return { token, owner, packageType, packageNames }
}

/** `package-type`, or a registry_package event's type when it is empty. */
function readPackageType(
  r: Reading,
  event: PackageEvent | undefined,
  pullRequest: PullRequestEvent | undefined
): PackageType | undefined {
  const typeText = r.input('package-type')
  // A closed pull request's images are container images, in the package named after the repository.
  if (!typeText && pullRequest) return 'container'
  if (typeText)
    return (PACKAGE_TYPES as readonly string[]).includes(typeText)
      ? (typeText as PackageType)
      : r.fail('package-type', typeText, `is not one of ${PACKAGE_TYPES.join(', ')}`)
  if (event) {
    // Webhook payloads spell the type in capitals (`CONTAINER`); the API in lower case.
    const eventType = String(event.package_type ?? '').toLowerCase()
    if ((PACKAGE_TYPES as readonly string[]).includes(eventType)) return eventType as PackageType
    r.problems.push(
      `${r.named('package-type')}: is empty, and the registry_package event's package_type ${JSON.stringify(event.package_type)} is not one of ${PACKAGE_TYPES.join(', ')}`
    )
    return undefined
  }
  r.problems.push(
    `${r.named('package-type')}: is empty; give one of ${PACKAGE_TYPES.join(', ')}${r.words.packageTypeSource}`
  )
  return undefined
}

/** `package-names`, or the name of the event's package, or of the repository. */
function readPackageNames(r: Reading, event: PackageEvent | undefined, target: NpmOwner): string[] {
  const namesText = r.input('package-names')
  // The runner cannot tell an unset input from an empty one, and `github.event.repository` is empty on
  // `schedule` runs, so the repository's name is taken from GITHUB_REPOSITORY here; a registry_package event
  // names its package.
  const eventName =
    event && typeof event.name === 'string' && String(event.package_type).toLowerCase() === target.packageType
      ? event.name
      : undefined
  const packageNames = namesText
    ? withoutNpmScope(r, 'package-names', parseList(namesText), target)
    : [eventName ?? (r.env.GITHUB_REPOSITORY ?? '').split('/')[1] ?? '']
  // One message for names that name nothing: the empty name is not also reported as an empty glob.
  if (packageNames.length === 0 || packageNames.some(name => name === ''))
    r.fail(
      'package-names',
      namesText,
      'names no package; give names or globs separated by newlines or commas'
    )
  else globList(r, 'package-names', namesText, packageNames, false)
  return packageNames
}

/** The policy, from the `policy` input or from the single-rule inputs (with their defaults). */
function readRules(r: Reading, target: Target, parsePolicy: typeof parsePolicyFile | undefined) {
  const policyText = r.input('policy')
  const ruleTexts = Object.fromEntries(RULE_INPUTS.map(name => [name, r.input(name)]))
  const given = RULE_INPUTS.filter(name => ruleTexts[name] !== '')
  const repositoryTexts = Object.fromEntries(REPOSITORY_INPUTS.map(name => [name, r.input(name)]))
  const repositoryGiven = REPOSITORY_INPUTS.filter(name => repositoryTexts[name] !== '')
  let rules: PolicyRule[] | undefined
  let policyRepository: Record<string, string> | undefined
  if (policyText) {
    if (given.length + repositoryGiven.length > 0)
      r.problems.push(
        `${r.named('policy')}: cannot go with ${[...given, ...repositoryGiven].map(r.named).join(', ')}; a policy says everything in its rules (move them into a rule)`
      )
    ;({ rules, repository: policyRepository } = policyRules(r, policyText, target, parsePolicy) ?? {})
  }
  const repository = readRepositoryRules(
    r,
    policyText ? (policyRepository ?? {}) : repositoryTexts,
    !policyText && given.length === 0,
    target.packageType
  )
  // delete-closed alone (or a closed pull request's event) is the whole policy: nothing else is deleted, at any age.
  const only = repository?.only === true
  const ruleInput = (name: keyof typeof RULE_INPUT_DEFAULTS): string =>
    policyText ? '' : only ? ONLY_CLOSED[name] : ruleTexts[name] || RULE_INPUT_DEFAULTS[name]

  // "Untagged only, older than a week" means every such image: under `untagged: only` a count is kept only
  // when one is written.
  const keepLastText = ruleTexts.untagged === 'only' && !ruleTexts['keep-last'] ? '0' : ruleInput('keep-last')
  const keepLast = policyText
    ? 0
    : WHOLE.test(keepLastText)
      ? Number(keepLastText)
      : r.fail('keep-last', keepLastText, ALLOWED.wholeNumber)

  const minAgeText = policyText ? '0' : ruleInput('min-age')
  const minAgeMs = parseDuration(minAgeText) ?? r.fail('min-age', minAgeText, durationProblem(minAgeText))
  if (minAgeMs === 0 && !policyText && !only)
    r.log.warning(
      `${r.named('min-age')}: ${JSON.stringify(minAgeText)} sets no age floor: a version pushed a moment ago may be deleted`
    )
  return {
    rules,
    repository,
    keepLast,
    minAgeMs,
    minAgeText,
    deleteTags: listInput(r, 'delete-tags', ruleInput('delete-tags')),
    keepTags: listInput(r, 'keep-tags', ruleInput('keep-tags')),
    untagged: readUntagged(r, ruleInput('untagged'), target.packageType, policyText !== ''),
    order: oneOf(r, 'order', ruleInput('order'), VERSION_ORDERS),
    keepLastPer: oneOf(r, 'keep-last-per', ruleInput('keep-last-per'), VERSION_LINES)
  }
}

/** The rule delete-closed alone leaves: it selects nothing itself, keeps no count and ages nothing. */
const ONLY_CLOSED: Record<keyof typeof RULE_INPUT_DEFAULTS, string> = {
  ...RULE_INPUT_DEFAULTS,
  'keep-last': '0',
  'min-age': '0',
  untagged: 'exclude'
}

/**
 * `delete-closed`, `keep-in-use`, their tag templates and `repository`; undefined when neither rule is given. On
 * a closed pull request's event with no rule input at all, that pull request's images go (`event`).
 */
function readRepositoryRules(
  r: Reading,
  given: Readonly<Record<string, string>>,
  noOtherRule: boolean,
  packageType: PackageType | undefined
): RepositoryRules | undefined {
  const texts = Object.fromEntries(REPOSITORY_INPUTS.map(name => [name, given[name] ?? '']))
  const kinds = <T extends string>(name: string, allowed: readonly T[]): T[] =>
    parseList(texts[name]).filter((item): item is T =>
      (allowed as readonly string[]).includes(item)
        ? true
        : (r.fail(name, item, `is not one of ${allowed.join(', ')}`), false)
    )
  const deleteClosed = kinds('delete-closed', CLOSED_KINDS)
  const keepInUse = kinds('keep-in-use', IN_USE_KINDS)
  const templates = { ...DEFAULT_TEMPLATES }
  for (const [name, kind] of Object.entries(TEMPLATE_INPUTS)) {
    if (!texts[name]) continue
    const list = parseList(texts[name])
    for (const template of list) {
      const problem = templateProblem(kind, template)
      if (problem) r.fail(name, template, problem)
    }
    templates[kind] = list
  }
  const repository = texts.repository || undefined
  if (repository !== undefined && !REPOSITORY_NAME.test(repository))
    r.fail('repository', repository, 'is not a repository (owner/name)')
  const pullRequest = closedPullRequestEvent(r.env)
  const event =
    pullRequest && noOtherRule && deleteClosed.length === 0 && keepInUse.length === 0 && !repository
      ? eventFact(pullRequest)
      : undefined
  if (event === undefined && deleteClosed.length === 0 && keepInUse.length === 0) {
    const stray = REPOSITORY_INPUTS.slice(2).filter(name => texts[name] !== '')
    if (stray.length > 0)
      r.problems.push(
        `${stray.map(r.named).join(', ')}: apply only with ${r.named('delete-closed')} or ${r.named('keep-in-use')}, and neither is given`
      )
    return undefined
  }
  if (packageType !== undefined && packageType !== 'container') {
    r.fail(
      deleteClosed.length > 0 ? 'delete-closed' : 'keep-in-use',
      texts[deleteClosed.length > 0 ? 'delete-closed' : 'keep-in-use'],
      `applies to container packages only (images tagged as docker/metadata-action tags them), and ${r.named('package-type')} is "${packageType}"`
    )
    return undefined
  }
  return {
    ...(repository !== undefined && { repository }),
    ...(r.env.GITHUB_REPOSITORY && { workflowRepository: r.env.GITHUB_REPOSITORY }),
    deleteClosed: event ? ['pull-requests'] : deleteClosed,
    keepInUse,
    templates,
    only: noOtherRule && (event !== undefined || deleteClosed.length > 0),
    ...(event && { event })
  }
}

/** The closed pull request an event names; its head branch only when it is in the repository itself. */
function eventFact(pull: PullRequestEvent): RepositoryRules['event'] {
  if (typeof pull.number !== 'number') return undefined
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  const closedAt = text(pull.closed_at)
  const mergedAt = text(pull.merged_at)
  return {
    number: pull.number,
    state: 'closed',
    ...(closedAt && { closedAt }),
    ...(mergedAt && { mergedAt })
  }
}

/** `untagged`: container packages only; their default when no policy is given. */
function readUntagged(
  r: Reading,
  untaggedText: string,
  packageType: PackageType | undefined,
  policyGiven: boolean
): UntaggedMode | undefined {
  if (untaggedText && !(UNTAGGED_MODES as readonly string[]).includes(untaggedText))
    return r.fail('untagged', untaggedText, `is not one of ${UNTAGGED_MODES.join(', ')}`)
  if (untaggedText && packageType && packageType !== 'container')
    return r.fail(
      'untagged',
      untaggedText,
      `applies to container packages only, and ${r.named('package-type')} is "${packageType}"`
    )
  if (packageType === 'container' && !policyGiven) return (untaggedText || DEFAULT_UNTAGGED) as UntaggedMode
  return undefined
}

/** The rules of a policy given inline, or as the path of a file in the workspace. */
function policyRules(
  r: Reading,
  text: string,
  target: NpmOwner,
  parsePolicy: typeof parsePolicyFile | undefined
): { rules?: PolicyRule[]; repository?: Record<string, string> } | undefined {
  let yaml = text
  let where = r.named('policy')
  if (!text.includes('\n') && !text.includes(':')) {
    const workspace = workspaceOf(r.env)
    const read = readInside(text, [workspace])
    if ('outside' in read)
      return r.fail(
        'policy',
        text,
        `is outside the workspace (${workspace})${read.outside}; give a path in it, or the policy's YAML`
      )
    if ('error' in read)
      return r.fail('policy', text, `cannot be read as a file in the workspace ${workspace} (${read.error})`)
    yaml = read.text
    where = `${r.named('policy')} ${text}`
  }
  if (!parsePolicy) throw new Error('readConfig: a policy is given, but no policy parser (use loadConfig)')
  const result = parsePolicy(yaml, where)
  if (result.problems) r.problems.push(...result.problems)
  else result.warnings.forEach(warning => r.log.warning(warning))
  return {
    rules: result.rules?.map(rule =>
      rule.packages ? { ...rule, packages: withoutNpmScope(r, 'policy', rule.packages, target) } : rule
    ),
    repository: result.problems ? undefined : result.repository
  }
}

/** `dry-run` and `max-deletions`: whether the run writes, and how much. */
function readMode(r: Reading): { dryRun: boolean; maxDeletions?: number } {
  const dryRunText = r.input('dry-run')
  const dryRun = TRUE.includes(dryRunText)
  if (!dryRun && !FALSE.includes(dryRunText)) r.fail('dry-run', dryRunText, 'is not true or false')

  const maxText = r.input('max-deletions')
  let maxDeletions: number | undefined
  if (maxText) {
    if (WHOLE.test(maxText) && Number(maxText) >= 1) maxDeletions = Number(maxText)
    else r.fail('max-deletions', maxText, 'is not a whole number of 1 or more (leave it empty for no cap)')
  }
  return { dryRun, maxDeletions }
}

/** The most jobs a matrix may split a run into: GitHub allows 100 requests in flight for a token, one each. */
export const MAX_SHARDS = 100

/** `rate-limit-reserve` (default 10%) and `shard`: how the run shares the rate budget. */
function readSharing(r: Reading): { rateLimitReserve: RateReserve; shard?: Shard } {
  const reserveText = r.input('rate-limit-reserve') || '10%'
  const reserve = /^(\d+)(%?)$/.exec(reserveText)
  let rateLimitReserve: RateReserve = { percent: 10 }
  if (reserve && reserve[2] === '' && Number.isSafeInteger(Number(reserve[1])))
    rateLimitReserve = { requests: Number(reserve[1]) }
  else if (reserve && reserve[2] === '%' && Number(reserve[1]) <= 99)
    rateLimitReserve = { percent: Number(reserve[1]) }
  else
    r.fail(
      'rate-limit-reserve',
      reserveText,
      'is not a whole number of requests (0 or more, e.g. 500) or a percentage of the rate limit from 0% to 99% (e.g. 10%)'
    )
  const shardText = r.input('shard')
  if (!shardText) return { rateLimitReserve }
  const shard = /^(\d+)\/(\d+)$/.exec(shardText)
  const [index, count] = shard ? [Number(shard[1]), Number(shard[2])] : [0, 0]
  if (index >= 1 && index <= count && count <= MAX_SHARDS)
    return { rateLimitReserve, shard: { index, count } }
  r.fail(
    'shard',
    shardText,
    `is not K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. 2/4: the second of four matrix jobs); leave it empty for no matrix`
  )
  return { rateLimitReserve }
}

/** `api-url`, and `registry-url` or its default for the GitHub that `api-url` names. */
function readUrls(r: Reading, packageType: PackageType | undefined): { apiUrl: string; registryUrl: string } {
  const apiUrl = secureUrl(r, 'api-url', r.input('api-url'))
  const registryText = r.input('registry-url')
  // A refused api-url has no registry to derive: its own message is the one problem.
  const registryUrl = registryText
    ? secureUrl(r, 'registry-url', registryText)
    : apiUrl && defaultRegistryUrl(r, apiUrl, packageType)
  return { apiUrl: apiUrl ?? '', registryUrl: registryUrl ?? '' }
}

/** The owner and package type, by which npm scopes are read. */
interface NpmOwner {
  readonly owner: string
  readonly packageType?: PackageType
}

/**
 * npm packages are named without their scope in the API: `@acme/web-ui` of owner acme is package `web-ui`.
 * Names and globs (and `!` exclusions) in the owner's scope are taken without it; any other scope is a
 * mistake, since every npm package of an owner on GitHub lives in the owner's scope.
 */
function withoutNpmScope(
  r: Reading,
  name: string,
  items: readonly string[],
  { owner, packageType }: NpmOwner
): string[] {
  if (packageType !== 'npm') return [...items]
  return items.map(item => {
    const not = item.startsWith('!') ? '!' : ''
    const scoped = /^@([^/]*)\/(.*)$/.exec(item.slice(not.length))
    if (!scoped) return item
    if (scoped[1].toLowerCase() !== owner.toLowerCase())
      r.fail(
        name,
        item,
        `is in the npm scope @${scoped[1]}, but GitHub keeps ${owner}'s npm packages in the scope @${owner.toLowerCase()}; write @${owner.toLowerCase()}/${scoped[2]} (or ${scoped[2]}), or change owner`
      )
    return `${not}${scoped[2]}`
  })
}

/** A value from a fixed list, or undefined when empty. */
function oneOf<T extends string>(
  r: Reading,
  name: string,
  value: string,
  allowed: readonly T[]
): T | undefined {
  if (value === '') return undefined
  if ((allowed as readonly string[]).includes(value)) return value as T
  return r.fail(name, value, `is not one of ${allowed.join(', ')}`)
}

/**
 * Checks a list input's items (package-names: names, globs, expressions; delete-tags and keep-tags: ranges
 * too). A problem names the line the item came from when the item is only a part of it, so that a range cut
 * at a comma is shown as written.
 */
function globList(r: Reading, name: string, text: string, items: string[], ranges: boolean): string[] {
  const lines = text.split(/\r?\n/).map(line => line.trim())
  for (const item of items) {
    const problem = ranges ? matchItemProblem(item) : itemProblem(item)
    if (problem === undefined) continue
    const line = lines.find(line => line !== item && parseList(line).includes(item))
    r.problems.push(`${r.named(name)}: ${line === undefined ? '' : `${JSON.stringify(line)}: `}${problem}`)
  }
  return items
}

/** delete-tags or keep-tags: its items, checked. */
const listInput = (r: Reading, name: string, text: string): string[] =>
  globList(r, name, text, parseList(text), true)

/**
 * An https URL; plain http only on loopback (a local registry, tests, the demo), where no one listens in.
 * Undefined, and reported, when it is neither.
 */
function secureUrl(r: Reading, name: string, value: string): string | undefined {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    // Not a URL at all: reported below like any other bad value.
  }
  if (url?.protocol === 'https:' || (url?.protocol === 'http:' && looksLoopback(url.hostname))) return value
  return r.fail(
    name,
    value,
    url?.protocol === 'http:'
      ? 'is plain http, which only loopback hosts may use (localhost, *.localhost, 127.0.0.0/8, [::1]); give an https URL'
      : 'is not an https URL'
  )
}

/**
 * The registry (`containers` or `npm`) of the GitHub that `api-url` names, or undefined for any other API:
 * ghcr.io and npm.pkg.github.com for github.com; `KIND.HOST` for a GitHub Enterprise Server at `HOST/api/v3`
 * (in the API's scheme, so a local server at `http://localhost:PORT/api/v3` has its registries at
 * `http://containers.localhost:PORT` and `http://npm.localhost:PORT`); `KIND.SUBDOMAIN.ghe.com` for GitHub
 * Enterprise Cloud with data residency at `https://api.SUBDOMAIN.ghe.com`. Evidence: fake-github/README.md.
 */
function registryOf(url: URL, kind: 'containers' | 'npm'): string | undefined {
  if (url.hostname === 'api.github.com')
    return kind === 'npm' ? 'https://npm.pkg.github.com' : 'https://ghcr.io'
  if (/^\/api\/v3\/?$/.test(url.pathname)) return `${url.protocol}//${kind}.${url.host}`
  const dataResidency = /^api\.([a-z0-9-]+\.ghe\.com)$/.exec(url.hostname)
  if (dataResidency && url.pathname === '/') return `https://${kind}.${dataResidency[1]}`
  return undefined
}

/**
 * `registry-url` left empty: the registry of the package type (containers, npm) derived from `api-url`, or an
 * input error when there is none; other package types need no registry.
 */
function defaultRegistryUrl(r: Reading, api: string, type: PackageType | undefined): string {
  const kind = type === 'npm' ? 'npm' : type === 'container' ? 'containers' : undefined
  const url = new URL(api)
  if (kind === undefined) return registryOf(url, 'containers') ?? ''
  const what = kind === 'npm' ? 'npm' : 'container'
  return (
    registryOf(url, kind) ??
    r.fail(
      'registry-url',
      '',
      `has no default for ${r.named('api-url')} ${api}; give the ${what} registry's URL`
    ) ??
    ''
  )
}
