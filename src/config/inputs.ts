/**
 * The only module that reads the action's inputs. Every input is read once and validated before the first
 * request; a bad value fails the run with one message per input, naming the input, the value and what is
 * allowed.
 */
import * as core from '@actions/core'
import { readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { ConfigError, errorMessage } from '../errors.js'
import { readRunRecord } from '../run/record.js'
import { isLoopback } from './urls.js'
import { formatAge, hasAmbiguousMinutes, parseDuration } from '../engine/time.js'
import { itemProblem, parseList } from '../engine/globs.js'
import { SEMVER_ITEM, rangeProblem } from '../engine/versions.js'
import { ALLOWED, durationProblem } from './allowed.js'
import type { parsePolicyFile } from './policy-file.js'
import {
  PACKAGE_TYPES,
  UNTAGGED_MODES,
  VERSION_LINES,
  VERSION_ORDERS,
  type Logger,
  type PackageType,
  type PolicyRule,
  type RestoreRequest,
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
  'dry-run',
  'max-deletions',
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

/** What a `registry_package` event says about its package (the workflow's event payload). */
interface RegistryPackageEvent {
  registry_package?: { name?: unknown; package_type?: unknown }
}

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
  return readConfig(read, env, log, words, parser)
}

/** `parsePolicy`: policy-file.ts's parser, needed only when a `policy` is given (loadConfig loads it). */
export function readConfig(
  read: InputReader = name => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  log: Pick<Logger, 'debug' | 'warning'> = core,
  words: InputWords = ACTION_WORDS,
  parsePolicy?: typeof parsePolicyFile
): Config {
  const problems: string[] = []
  const { name: named } = words
  const input = (name: string): string => {
    const value = read(name).trim()
    if (name !== 'token') log.debug(`${name}: ${JSON.stringify(value)}`)
    return value
  }
  const fail = (name: string, value: string, allowed: string): undefined => {
    problems.push(`${named(name)}: ${JSON.stringify(value)} ${allowed}`)
    return undefined
  }

  const token = input('token')
  if (!token) problems.push(words.noToken)

  const owner = input('owner')
  if (!LOGIN.test(owner)) fail('owner', owner, 'is not a GitHub user or organisation login')

  const event = registryPackageEvent(env)
  const typeText = input('package-type')
  let packageType: PackageType | undefined
  if (typeText) {
    packageType = (PACKAGE_TYPES as readonly string[]).includes(typeText)
      ? (typeText as PackageType)
      : fail('package-type', typeText, `is not one of ${PACKAGE_TYPES.join(', ')}`)
  } else if (event) {
    // Webhook payloads spell the type in capitals (`CONTAINER`); the API in lower case.
    const eventType = String(event.package_type ?? '').toLowerCase()
    packageType = (PACKAGE_TYPES as readonly string[]).includes(eventType)
      ? (eventType as PackageType)
      : undefined
    if (!packageType)
      problems.push(
        `${named('package-type')}: is empty, and the registry_package event's package_type ${JSON.stringify(event.package_type)} is not one of ${PACKAGE_TYPES.join(', ')}`
      )
  } else {
    problems.push(
      `${named('package-type')}: is empty; give one of ${PACKAGE_TYPES.join(', ')}${words.packageTypeSource}`
    )
  }

  const namesText = input('package-names')
  // The runner cannot tell an unset input from an empty one, and `github.event.repository` is empty on
  // `schedule` runs, so the repository's name is taken from GITHUB_REPOSITORY here; a registry_package event
  // names its package.
  const eventName =
    event && typeof event.name === 'string' && String(event.package_type).toLowerCase() === packageType
      ? event.name
      : undefined
  const packageNames = namesText
    ? withoutNpmScope('package-names', parseList(namesText))
    : [eventName ?? (env.GITHUB_REPOSITORY ?? '').split('/')[1] ?? '']
  // One message for names that name nothing: the empty name is not also reported as an empty glob.
  if (packageNames.length === 0 || packageNames.some(name => name === ''))
    fail('package-names', namesText, 'names no package; give names or globs separated by newlines or commas')
  else globList('package-names', packageNames)

  const policyText = input('policy')
  const ruleTexts = Object.fromEntries(RULE_INPUTS.map(name => [name, input(name)]))
  const given = RULE_INPUTS.filter(name => ruleTexts[name] !== '')
  let rules: PolicyRule[] | undefined
  if (policyText) {
    if (given.length > 0)
      problems.push(
        `${named('policy')}: cannot go with ${given.map(named).join(', ')}; a policy says everything in its rules (move them into a rule)`
      )
    rules = policyRules(policyText)
  }
  const ruleInput = (name: keyof typeof RULE_INPUT_DEFAULTS): string =>
    policyText ? '' : ruleTexts[name] || RULE_INPUT_DEFAULTS[name]

  // "Untagged only, older than a week" means every such image: under `untagged: only` a count is kept only
  // when one is written.
  const keepLastText = ruleTexts.untagged === 'only' && !ruleTexts['keep-last'] ? '0' : ruleInput('keep-last')
  const keepLast = policyText
    ? 0
    : WHOLE.test(keepLastText)
      ? Number(keepLastText)
      : fail('keep-last', keepLastText, ALLOWED.wholeNumber)

  const minAgeText = policyText ? '0' : ruleInput('min-age')
  const minAgeMs = duration('min-age', minAgeText, minAgeText)
  if (minAgeMs === 0 && !policyText)
    log.warning(
      `${named('min-age')}: ${JSON.stringify(minAgeText)} sets no age floor: a version pushed a moment ago may be deleted`
    )

  const deleteTags = globList('delete-tags', parseList(ruleInput('delete-tags')))
  const keepTags = globList('keep-tags', parseList(ruleInput('keep-tags')))

  const untaggedText = ruleInput('untagged')
  let untagged: UntaggedMode | undefined
  if (untaggedText && !(UNTAGGED_MODES as readonly string[]).includes(untaggedText)) {
    fail('untagged', untaggedText, `is not one of ${UNTAGGED_MODES.join(', ')}`)
  } else if (untaggedText && packageType && packageType !== 'container') {
    fail(
      'untagged',
      untaggedText,
      `applies to container packages only, and ${named('package-type')} is "${packageType}"`
    )
  } else if (packageType === 'container' && !policyText) {
    untagged = (untaggedText || DEFAULT_UNTAGGED) as UntaggedMode
  }

  const order = oneOf('order', ruleInput('order'), VERSION_ORDERS)
  const keepLastPer = oneOf('keep-last-per', ruleInput('keep-last-per'), VERSION_LINES)

  const dryRunText = input('dry-run')
  const dryRun = TRUE.includes(dryRunText)
  if (!dryRun && !FALSE.includes(dryRunText)) fail('dry-run', dryRunText, 'is not true or false')

  const maxText = input('max-deletions')
  let maxDeletions: number | undefined
  if (maxText) {
    if (WHOLE.test(maxText) && Number(maxText) >= 1) maxDeletions = Number(maxText)
    else fail('max-deletions', maxText, 'is not a whole number of 1 or more (leave it empty for no cap)')
  }

  const apiUrl = secureUrl('api-url', input('api-url'))
  const registryUrl = input('registry-url')
    ? secureUrl('registry-url', input('registry-url'))
    : defaultRegistryUrl(apiUrl, packageType)
  const restore = restoreRequest(input('restore'))

  if (problems.length > 0 || !packageType || keepLast === undefined || minAgeMs === undefined) {
    throw new ConfigError(problems)
  }
  return Object.freeze({
    token,
    owner,
    packageType,
    packageNames: Object.freeze(packageNames),
    policy: Object.freeze({
      packageType,
      keepLast,
      minAgeMs,
      minAgeText: minAgeText,
      deleteTags,
      keepTags,
      untagged,
      ...(order && { order }),
      ...(keepLastPer && { keepLastPer }),
      ...(rules && { rules: Object.freeze(rules) })
    }),
    dryRun,
    maxDeletions,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    registryUrl: registryUrl.replace(/\/+$/, ''),
    restore
  })

  /** A duration, or a problem naming the input; a bare `m` is refused as ambiguous. */
  function duration(name: string, value: string, text: string): number | undefined {
    return parseDuration(text) ?? fail(name, value, durationProblem(text))
  }

  /** The rules of a policy given inline, or as the path of a file in the workspace. */
  function policyRules(text: string): PolicyRule[] | undefined {
    let yaml = text
    let where = named('policy')
    if (!text.includes('\n') && !text.includes(':')) {
      const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd())
      const read = readInside(text, [workspace])
      if ('outside' in read) {
        fail(
          'policy',
          text,
          `is outside the workspace (${workspace})${read.outside}; give a path in it, or the policy's YAML`
        )
        return undefined
      }
      if ('error' in read) {
        fail('policy', text, `cannot be read as a file in the workspace ${workspace} (${read.error})`)
        return undefined
      }
      yaml = read.text
      where = `${named('policy')} ${text}`
    }
    if (!parsePolicy) throw new Error('readConfig: a policy is given, but no policy parser (use loadConfig)')
    const result = parsePolicy(yaml, where)
    if (result.problems) problems.push(...result.problems)
    else result.warnings.forEach(warning => log.warning(warning))
    return result.rules?.map(rule =>
      rule.packages ? { ...rule, packages: withoutNpmScope('policy', rule.packages) } : rule
    )
  }

  /**
   * npm packages are named without their scope in the API: `@acme/web-ui` of owner acme is package `web-ui`.
   * Names and globs (and `!` exclusions) in the owner's scope are taken without it; any other scope is a
   * mistake, since every npm package of an owner on GitHub lives in the owner's scope.
   */
  function withoutNpmScope(name: string, items: readonly string[]): string[] {
    if (packageType !== 'npm') return [...items]
    return items.map(item => {
      const not = item.startsWith('!') ? '!' : ''
      const scoped = /^@([^/]*)\/(.*)$/.exec(item.slice(not.length))
      if (!scoped) return item
      if (scoped[1].toLowerCase() !== owner.toLowerCase())
        fail(
          name,
          item,
          `is in the npm scope @${scoped[1]}, but GitHub keeps ${owner}'s npm packages in the scope @${owner.toLowerCase()}; write @${owner.toLowerCase()}/${scoped[2]} (or ${scoped[2]}), or change owner`
        )
      return `${not}${scoped[2]}`
    })
  }

  /** A value from a fixed list, or undefined when empty. */
  function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T | undefined {
    if (value === '') return undefined
    if ((allowed as readonly string[]).includes(value)) return value as T
    return fail(name, value, `is not one of ${allowed.join(', ')}`)
  }

  function globList(name: string, globs: string[]): string[] {
    for (const glob of globs) {
      if (glob.startsWith(SEMVER_ITEM)) {
        const problem = rangeProblem(glob.slice(SEMVER_ITEM.length))
        if (problem) problems.push(`${named(name)}: ${JSON.stringify(glob)} ${problem}`)
        continue
      }
      const problem = itemProblem(glob)
      if (problem) problems.push(`${named(name)}: ${problem}`)
    }
    return globs
  }

  /** An https URL; plain http only on loopback (a local registry, tests, the demo), where no one listens in. */
  function secureUrl(name: string, value: string): string {
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      // Not a URL at all: reported below like any other bad value.
    }
    if (url?.protocol === 'https:' || (url?.protocol === 'http:' && isLoopback(url.hostname))) return value
    fail(
      name,
      value,
      url?.protocol === 'http:'
        ? 'is plain http, which only loopback hosts may use (localhost, *.localhost, 127.0.0.0/8, [::1]); give an https URL'
        : 'is not an https URL'
    )
    return value
  }

  /** A delete run's record (JSON Lines), given as its path (`*.jsonl`) or its content: what that run deleted. */
  function recordRequest(value: string): RestoreRequest | undefined {
    let text = value
    if (!value.startsWith('{')) {
      // Where the action writes its record (RUNNER_TEMP), or a copy in the workspace.
      const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd())
      const roots = [workspace, ...(env.RUNNER_TEMP ? [resolve(env.RUNNER_TEMP)] : [])]
      const read = readInside(value, roots)
      if ('outside' in read)
        return fail(
          'restore',
          value,
          `is outside the workspace and RUNNER_TEMP (${roots.join(', ')})${read.outside}; give a record there`
        )
      if ('error' in read) return fail('restore', value, `is not a readable run record (${read.error})`)
      text = read.text
    }
    const record = readRunRecord(text)
    if ('problem' in record)
      return fail('restore', shortened(value), `is not a run record: ${record.problem}`)
    const { header } = record
    if (header.owner.toLowerCase() !== owner.toLowerCase() || header.packageType !== packageType) {
      return fail(
        'restore',
        shortened(value),
        `is the record of a run on ${header.owner}'s ${header.packageType} packages, not ${owner}'s ${packageType ?? ''} packages`
      )
    }
    if (record.deleted.length + record.unsure.length === 0)
      return fail('restore', shortened(value), 'is the record of a run that deleted nothing')
    return { kind: 'ids', ids: [...record.deleted, ...record.unsure], unsure: record.unsure }
  }

  /**
   * The npm registry of the GitHub that `api-url` names: npm.pkg.github.com for github.com; `npm.HOST` for a
   * GitHub Enterprise Server at `HOST/api/v3` (in the API's scheme, so a local server at
   * `http://localhost:PORT/api/v3` has its registry at `http://npm.localhost:PORT`); `npm.SUBDOMAIN.ghe.com`
   * for GHE.com. Evidence: fake-github/README.md.
   */
  function npmRegistryUrl(url: URL): string | undefined {
    if (url.hostname === 'api.github.com') return 'https://npm.pkg.github.com'
    if (/^\/api\/v3\/?$/.test(url.pathname)) return `${url.protocol}//npm.${url.host}`
    const ghe = /^api\.([a-z0-9-]+)\.ghe\.com$/.exec(url.hostname)
    return ghe ? `https://npm.${ghe[1]}.ghe.com` : undefined
  }

  /**
   * The container registry of the GitHub that `api-url` names: ghcr.io for github.com, `containers.HOST` for
   * a GitHub Enterprise Server (`https://HOST/api/v3`) and `containers.SUBDOMAIN.ghe.com` for GitHub Enterprise
   * Cloud with data residency (`https://api.SUBDOMAIN.ghe.com`; evidence in fake-github/README.md). Any other
   * API needs `registry-url` for containers; other package types need no registry.
   */
  function defaultRegistryUrl(api: string, type: PackageType | undefined): string {
    let url: URL | undefined
    try {
      url = new URL(api)
    } catch {
      return '' // api-url is reported already
    }
    if (type === 'npm')
      return (
        npmRegistryUrl(url) ??
        fail('registry-url', '', `has no default for api-url ${api}; give the npm registry's URL`) ??
        ''
      )
    if (url.hostname === 'api.github.com') return 'https://ghcr.io'
    if (/^\/api\/v3\/?$/.test(url.pathname)) return `${url.protocol}//containers.${url.host}`
    const dataResidency = /^api\.([a-z0-9-]+\.ghe\.com)$/.exec(url.hostname)
    if (dataResidency && url.pathname === '/') return `https://containers.${dataResidency[1]}`
    if (type === 'container')
      fail(
        'registry-url',
        '',
        `has no default for ${named('api-url')} ${api}; give the container registry's URL`
      )
    return ''
  }

  function restoreRequest(value: string): RestoreRequest | undefined {
    if (!value) return undefined
    const within = /^deleted-within:(.*)$/.exec(value)
    if (within && hasAmbiguousMinutes(within[1]))
      return fail(
        'restore',
        value,
        'is ambiguous: `m` could be minutes or months; write `deleted-within:30min` or `deleted-within:7d`'
      )
    if (within) {
      const windowMs = parseDuration(within[1])
      if (windowMs && windowMs > 0)
        return { kind: 'deleted-within', windowMs, windowText: formatAge(windowMs) }
      return fail('restore', value, 'has no valid window; use deleted-within:7d (a duration above 0)')
    }
    if (value.endsWith('.jsonl') || value.startsWith('{')) return recordRequest(value)
    if (value.startsWith('[') && /"more"\s*:/.test(value) && /"see"\s*:/.test(value))
      return fail(
        'restore',
        shortened(value),
        'is a `deleted` output that was cut short; pass the run’s record instead (the `journal-file` output, or its content)'
      )
    const ids = restoreIds(value)
    if (ids) return { kind: 'ids', ids }
    return fail(
      'restore',
      value,
      'is neither version ids, an earlier run’s `deleted` output (JSON), nor deleted-within:<duration>'
    )
  }
}

/** A value as error messages show it: long ones (a record's content) cut. */
function shortened(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value
}

/**
 * A file named by an input, read only if it lies in one of `roots` (the first resolves a relative path) both as
 * written and once symbolic links are resolved: a link in the workspace cannot make the action read elsewhere.
 */
function readInside(
  value: string,
  roots: string[]
): { text: string } | { outside: string } | { error: string } {
  const within = (path: string, root: string) => {
    const inside = relative(root, path)
    return !inside.startsWith('..') && !isAbsolute(inside)
  }
  const path = resolve(roots[0], value)
  if (!roots.some(root => within(path, root))) return { outside: '' }
  try {
    const real = realpathSync(path)
    if (!roots.some(root => within(real, realpathOr(root))))
      return { outside: ` once links are resolved (${real})` }
    return { text: readFileSync(real, 'utf8') }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return { error: typeof code === 'string' ? code : errorMessage(error) }
  }
}

/** A directory's real path, or the path itself when it does not exist. */
function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** The package of a `registry_package` event, when the workflow runs on one. */
function registryPackageEvent(env: NodeJS.ProcessEnv): RegistryPackageEvent['registry_package'] | undefined {
  if (env.GITHUB_EVENT_NAME !== 'registry_package' || !env.GITHUB_EVENT_PATH) return undefined
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as RegistryPackageEvent
    return payload.registry_package ?? undefined
  } catch {
    return undefined
  }
}

/** Ids from a list (`123, 456`) or from the JSON `deleted` output of an earlier run. */
function restoreIds(value: string): number[] | undefined {
  let items: unknown[]
  if (value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value)
      items = Array.isArray(parsed) ? parsed : []
    } catch {
      return undefined
    }
  } else {
    items = parseList(value)
  }
  const ids = items.map(item =>
    typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : item
  )
  if (ids.length === 0 || !ids.every(id => WHOLE.test(String(id)) && Number(id) > 0)) return undefined
  return [...new Set(ids.map(Number))]
}
