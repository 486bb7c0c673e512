/**
 * Reads a policy file (YAML) into rules, or says, for each problem, where it is: the line, the rule's number
 * and name, the field, the value and what is allowed. The shape is checked against the JSON Schema
 * (policy-schema.ts); what a schema cannot say (durations, globs, names used twice, contradictions) here.
 * Pure: the caller reads the file.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml'
import { itemProblem } from '../engine/globs.js'
import { rangeProblem } from '../engine/versions.js'
import { POLICY_SCHEMA } from './policy-schema.js'
import { parseDuration } from '../engine/time.js'
import { ALLOWED, durationProblem } from './allowed.js'
import { REPOSITORY_INPUTS, type PolicyRule } from '../types.js'

const FIELD_PROBLEMS: Record<string, string> = {
  rules: 'is not a list of rules (one or more, at most 100)',
  name: 'is not a name (a non-empty text)',
  match: 'is neither "untagged", a list of globs (one or more), nor { semver: RANGE }',
  semver: 'is not a node-semver range (a text such as <2.0.0, ^1.4 or 1.x)',
  prerelease: 'is not one of only, exclude, include',
  order: 'is not one of created, semver',
  per: 'is not one of major, minor',
  packages: 'is not a list of package names or globs (one or more)',
  keep: 'is not "forever" (for a number of versions, use keep-last)',
  'keep-last': ALLOWED.wholeNumber,
  'min-age': ALLOWED.duration,
  'delete-closed': 'is not a list of pull-requests, branches',
  'keep-in-use': 'is not a list of releases, deployments',
  'pull-request-tags': 'is not a list of tag templates',
  'branch-tags': 'is not a list of tag templates',
  'commit-tags': 'is not a list of tag templates',
  'release-tags': 'is not a list of tag templates',
  repository: 'is not a repository (owner/name)'
}

const RULE_KEYS = Object.keys(POLICY_SCHEMA.properties.rules.items.properties)
const TOP_KEYS = Object.keys(POLICY_SCHEMA.properties)

/** Compiled on first use: a run without a policy does not pay for it. */
let compiled: ValidateFunction | undefined
const schemaValidator = (): ValidateFunction =>
  (compiled ??= new Ajv({ allErrors: true, strict: true }).compile(POLICY_SCHEMA))

export type PolicyFileResult =
  | {
      rules: PolicyRule[]
      /** The repository keys given, each as the text its input would hold (a list one item a line). */
      repository: Record<string, string>
      problems?: undefined
      warnings: string[]
    }
  | { rules?: undefined; problems: string[] }

interface RawRule {
  name: string
  match: string[] | 'untagged' | { semver: string }
  packages?: string[]
  prerelease?: PolicyRule['prerelease']
  order?: PolicyRule['order']
  per?: PolicyRule['per']
  keep?: 'forever'
  'keep-last'?: number
  'min-age'?: string | 0
}

/** `where` names the policy in messages: `policy` for inline YAML, `policy retention.yml` for a file. */
export function parsePolicyFile(text: string, where: string): PolicyFileResult {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number =>
    node?.range ? lines.linePos(node.range[0]).line : 1
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map(
        error =>
          `${where} line ${lineOf({ range: error.pos.concat(0) as [number, number, number] })}: not valid YAML: ${error.message.split('\n')[0]}`
      )
    }
  }
  const value: unknown = doc.toJS()
  const problems: string[] = []
  const at = (path: (string | number)[], problem: string, node?: Node | null): void => {
    const target = node ?? (doc.getIn(path, true) as Node | undefined) ?? nearest(doc, path)
    const rule = typeof path[1] === 'number' ? ruleLabel(value, path[1]) : ''
    problems.push(`${where} line ${lineOf(target)}${rule}: ${problem}`)
  }

  const validate = schemaValidator()
  if (!validate(value)) {
    for (const error of reportable(validate.errors ?? [])) {
      const path = pointerPath(error.instancePath)
      if (error.keyword === 'additionalProperties') {
        const key = (error.params as { additionalProperty: string }).additionalProperty
        const allowed =
          path.length === 0 ? TOP_KEYS : path[path.length - 1] === 'match' ? ['semver'] : RULE_KEYS
        at(
          path,
          `unknown key ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`,
          keyNode(doc, path, key)
        )
      } else if (error.keyword === 'required') {
        const key = (error.params as { missingProperty: string }).missingProperty
        at(path, `${key}: is missing`)
      } else if (path.length === 0) {
        at(path, 'is not a map with a list of rules (rules: - name: ...)')
      } else if (path.length === 2 && path[0] === 'rules') {
        at(path, `${JSON.stringify(doc.getIn(path))} is not a rule (a map: name, match, keep-last, ...)`)
      } else {
        const field = [...path].reverse().find((part): part is string => typeof part === 'string') as string
        const item = typeof path[path.length - 1] === 'number' && path.length > 2 && path[0] === 'rules'
        const found = doc.getIn(path)
        const shown = JSON.stringify(found)
        const allowed =
          field === 'min-age' && typeof found === 'string' ? durationProblem(found) : FIELD_PROBLEMS[field]
        const problem = item
          ? `${field} item ${(path[path.length - 1] as number) + 1}: ${shown} is not a glob (a non-empty text)`
          : `${field}: ${shown} ${allowed}`
        at(path, problem)
      }
    }
    return { problems }
  }

  const rules = (value as { rules: RawRule[] }).rules
  const names = new Map<string, number>()
  const warnings: string[] = []
  const parsed = rules.map((raw, i): PolicyRule => {
    const field = (key: string, problem: string) => at(['rules', i, key], problem)
    const first = names.get(raw.name)
    if (first !== undefined)
      field(
        'name',
        `name: ${JSON.stringify(raw.name)} is the name of rule ${first + 1} too; give each rule its own`
      )
    else names.set(raw.name, i)
    // `match: untagged` matches nothing in other package types, so one policy file can serve them all.
    if (Array.isArray(raw.match)) globs('match', raw.match, field)
    else if (raw.match !== 'untagged') {
      const problem = rangeProblem(raw.match.semver)
      if (problem)
        at(['rules', i, 'match', 'semver'], `match: semver: ${JSON.stringify(raw.match.semver)} ${problem}`)
    }
    if (raw.packages) globs('packages', raw.packages, field)
    const forever = raw.keep === 'forever'
    if (forever && (raw['keep-last'] !== undefined || raw['min-age'] !== undefined))
      field('keep', 'keep: "forever" keeps every match; it cannot go with keep-last or min-age')
    if (!forever && raw['keep-last'] === undefined && raw['min-age'] === undefined)
      at(
        ['rules', i],
        'says neither keep, keep-last nor min-age; write keep-last: 0 to delete every version it matches'
      )
    const minAgeText = String(raw['min-age'] ?? 0)
    const minAgeMs = parseDuration(minAgeText)
    if (minAgeMs === undefined)
      field('min-age', `min-age: ${JSON.stringify(minAgeText)} ${durationProblem(minAgeText)}`)
    // As the min-age input warns: without a floor, a version pushed a moment ago may be deleted.
    if (minAgeMs === 0 && !forever) {
      const node = doc.getIn(['rules', i, ...(raw['min-age'] === undefined ? [] : ['min-age'])], true)
      const what = raw['min-age'] === undefined ? 'has no min-age' : `min-age: ${JSON.stringify(minAgeText)}`
      warnings.push(
        `${where} line ${lineOf(node as Node)}${ruleLabel(value, i)}: ${what}, so it sets no age floor: a version pushed a moment ago may be deleted`
      )
    }
    return {
      name: raw.name,
      match: raw.match,
      ...(raw.packages && { packages: raw.packages }),
      ...(raw.prerelease && { prerelease: raw.prerelease }),
      ...(raw.order && { order: raw.order }),
      ...(raw.per && { per: raw.per }),
      keepForever: forever,
      keepLast: raw['keep-last'] ?? 0,
      minAgeMs: minAgeMs ?? 0,
      minAgeText
    }
  })
  const top = value as Record<string, string | string[] | undefined>
  const repository = Object.fromEntries(
    REPOSITORY_INPUTS.map(key => {
      const given = top[key]
      return [key, Array.isArray(given) ? given.join('\n') : (given ?? '')]
    })
  )
  return problems.length > 0 ? { problems } : { rules: parsed, repository, warnings }
}

function globs(name: string, list: string[], field: (key: string, problem: string) => void): void {
  for (const glob of list) {
    const problem = itemProblem(glob)
    if (problem) field(name, `${name}: ${problem}`)
  }
}

/** `, rule 2 "pull requests"` (the name when the rule has a usable one). */
function ruleLabel(value: unknown, index: number): string {
  const rule = (value as { rules?: unknown[] })?.rules?.[index] as { name?: unknown } | undefined
  const name = typeof rule?.name === 'string' && rule.name !== '' ? ` ${JSON.stringify(rule.name)}` : ''
  return `, rule ${index + 1}${name}`
}

/** One error per place: the deepest ones (a bad glob in a list, not the list), and one per field. */
function reportable(errors: ErrorObject[]): ErrorObject[] {
  const kept = new Map<string, ErrorObject>()
  for (const error of errors) {
    const key =
      error.keyword === 'additionalProperties' || error.keyword === 'required'
        ? `${error.instancePath}#${JSON.stringify(error.params)}`
        : error.instancePath
    const deeper = errors.some(
      other =>
        other.instancePath.startsWith(`${error.instancePath}/`) &&
        other.keyword !== 'additionalProperties' &&
        other.keyword !== 'required' &&
        error.keyword !== 'additionalProperties' &&
        error.keyword !== 'required'
    )
    if (!deeper && !kept.has(key)) kept.set(key, error)
  }
  return [...kept.values()]
}

function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(part => (/^\d+$/.test(part) ? Number(part) : part))
}

function keyNode(doc: Document, path: (string | number)[], key: string): Node | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true)
  if (!isMap(map)) return undefined
  const pair = map.items.find(item => isPair(item) && isScalar(item.key) && item.key.value === key)
  return (pair?.key as Node | undefined) ?? undefined
}

/** The deepest node that exists on the way to `path` (a missing key is reported where its map is). */
function nearest(doc: Document, path: (string | number)[]): Node | undefined {
  for (let length = path.length - 1; length > 0; length--) {
    const node = doc.getIn(path.slice(0, length), true) as Node | undefined
    if (node) return node
  }
  return doc.contents ?? undefined
}
