/**
 * The only module that reads the action's inputs. Every input is read once and validated before the first
 * request; a bad value fails the run with one message per input, naming the input, the value and what is
 * allowed.
 */
import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError, errorMessage } from './errors.js'
import { readRunRecord } from './journal.js'
import { formatAge, hasAmbiguousMinutes, parseDuration } from './time.js'
import { globProblem, parseList } from './globs.js'
import {
  PACKAGE_TYPES,
  UNTAGGED_MODES,
  type PackageType,
  type RestoreRequest,
  type RetentionPolicy,
  type UntaggedMode
} from './types.js'

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

/** A login, or an Enterprise Managed User's `handle_shortcode`. */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:_[A-Za-z0-9]+)?$/
const WHOLE = /^\d+$/
const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']
const DEFAULT_UNTAGGED: UntaggedMode = 'include'

export function readConfig(
  read: InputReader = name => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env
): Config {
  const problems: string[] = []
  const input = (name: string): string => {
    const value = read(name).trim()
    if (name !== 'token') core.debug(`${name}: ${JSON.stringify(value)}`)
    return value
  }
  const fail = (name: string, value: string, allowed: string): undefined => {
    problems.push(`${name}: ${JSON.stringify(value)} ${allowed}`)
    return undefined
  }

  const token = input('token')
  if (!token) problems.push('token: is empty; pass a token (the default is the workflow’s GITHUB_TOKEN)')

  const owner = input('owner')
  if (!LOGIN.test(owner)) fail('owner', owner, 'is not a GitHub user or organisation login')

  const typeText = input('package-type')
  const packageType = (PACKAGE_TYPES as readonly string[]).includes(typeText)
    ? (typeText as PackageType)
    : fail('package-type', typeText, `is not one of ${PACKAGE_TYPES.join(', ')}`)

  const namesText = input('package-names')
  // The runner cannot tell an unset input from an empty one, and `github.event.repository` is empty on
  // `schedule` runs, so the repository's name is taken from GITHUB_REPOSITORY here.
  const packageNames = namesText ? parseList(namesText) : [(env.GITHUB_REPOSITORY ?? '').split('/')[1] ?? '']
  if (packageNames.length === 0 || packageNames.some(name => name === '')) {
    fail('package-names', namesText, 'names no package; give names or globs separated by newlines or commas')
  }
  globList('package-names', packageNames)

  const keepLastText = input('keep-last')
  const keepLast = WHOLE.test(keepLastText)
    ? Number(keepLastText)
    : fail('keep-last', keepLastText, 'is not a whole number (0 or more)')

  const minAgeText = input('min-age')
  const minAgeMs = duration('min-age', minAgeText, minAgeText)
  if (minAgeMs === 0)
    core.warning(
      `min-age: ${JSON.stringify(minAgeText)} sets no age floor: a version pushed a moment ago may be deleted`
    )

  const deleteTags = globList('delete-tags', parseList(input('delete-tags')))
  const keepTags = globList('keep-tags', parseList(input('keep-tags')))

  const untaggedText = input('untagged')
  let untagged: UntaggedMode | undefined
  if (untaggedText && !(UNTAGGED_MODES as readonly string[]).includes(untaggedText)) {
    fail('untagged', untaggedText, `is not one of ${UNTAGGED_MODES.join(', ')}`)
  } else if (untaggedText && packageType && packageType !== 'container') {
    fail('untagged', untaggedText, `applies to container packages only, and package-type is "${packageType}"`)
  } else if (packageType === 'container') {
    untagged = (untaggedText || DEFAULT_UNTAGGED) as UntaggedMode
  }

  const dryRunText = input('dry-run')
  const dryRun = TRUE.includes(dryRunText)
  if (!dryRun && !FALSE.includes(dryRunText)) fail('dry-run', dryRunText, 'is not true or false')

  const maxText = input('max-deletions')
  let maxDeletions: number | undefined
  if (maxText) {
    if (WHOLE.test(maxText) && Number(maxText) >= 1) maxDeletions = Number(maxText)
    else fail('max-deletions', maxText, 'is not a whole number of 1 or more (leave it empty for no cap)')
  }

  const apiUrl = httpUrl('api-url', input('api-url'))
  const registryUrl = input('registry-url')
    ? httpUrl('registry-url', input('registry-url'))
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
      untagged
    }),
    dryRun,
    maxDeletions,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    registryUrl: registryUrl.replace(/\/+$/, ''),
    restore
  })

  /** A duration, or a problem naming the input; a bare `m` is refused as ambiguous. */
  function duration(name: string, value: string, text: string): number | undefined {
    const ms = parseDuration(text)
    if (ms !== undefined) return ms
    if (hasAmbiguousMinutes(text))
      return fail(
        name,
        value,
        'is ambiguous: `m` could be minutes or months; write minutes as `1min`, or days as `30d`'
      )
    return fail(name, value, 'is not a duration; use 30d, 12h, 2w or P30D')
  }

  function globList(name: string, globs: string[]): string[] {
    for (const glob of globs) {
      const problem = globProblem(glob)
      if (problem) problems.push(`${name}: ${JSON.stringify(glob)} is not a valid glob: ${problem}`)
    }
    return globs
  }

  function httpUrl(name: string, value: string): string {
    try {
      if (['http:', 'https:'].includes(new URL(value).protocol)) return value
    } catch {
      // Not a URL at all: reported below like any other bad value.
    }
    fail(name, value, 'is not an http(s) URL')
    return value
  }

  /** A delete run's record (JSON Lines), given as its path (`*.jsonl`) or its content: what that run deleted. */
  function recordRequest(value: string): RestoreRequest | undefined {
    let text = value
    if (!value.startsWith('{')) {
      try {
        text = readFileSync(resolve(env.GITHUB_WORKSPACE ?? '.', value), 'utf8')
      } catch (error) {
        return fail('restore', value, `is not a readable run record (${errorMessage(error)})`)
      }
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
   * The container registry of the GitHub that `api-url` names: ghcr.io for github.com, `containers.HOST` for
   * a GitHub Enterprise Server (`https://HOST/api/v3`). Any other API needs `registry-url` for containers.
   */
  function defaultRegistryUrl(api: string, type: PackageType | undefined): string {
    let url: URL | undefined
    try {
      url = new URL(api)
    } catch {
      return '' // api-url is reported already
    }
    if (url.hostname === 'api.github.com') return 'https://ghcr.io'
    if (/^\/api\/v3\/?$/.test(url.pathname)) return `https://containers.${url.host}`
    if (type === 'container')
      fail('registry-url', '', `has no default for api-url ${api}; give the container registry's URL`)
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
