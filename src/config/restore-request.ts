/**
 * The `restore` input: version ids, an earlier run's `deleted` output, `deleted-within:<duration>`, or a delete
 * run's record (its path or its content), checked against the owner and package type of this run.
 */
import { resolve } from 'node:path'
import { readRunRecord } from '../run/record.js'
import { formatAge, hasAmbiguousMinutes, parseDuration } from '../engine/time.js'
import { parseList } from '../engine/globs.js'
import { readInside, workspaceOf } from './files.js'
import type { PackageType, RestoreRequest } from '../types.js'

/** Records that `value` of input `name` is not allowed (`name: "value" allowed`); returns undefined. */
export type Fail = (name: string, value: string, allowed: string) => undefined

/** Whom this run is for, which a record must match. */
interface Target {
  readonly owner: string
  readonly packageType?: PackageType
}

const WHOLE = /^\d+$/

export function restoreRequest(
  value: string,
  target: Target,
  env: NodeJS.ProcessEnv,
  fail: Fail
): RestoreRequest | undefined {
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
    if (windowMs && windowMs > 0) return { kind: 'deleted-within', windowMs, windowText: formatAge(windowMs) }
    return fail('restore', value, 'has no valid window; use deleted-within:7d (a duration above 0)')
  }
  if (value.endsWith('.jsonl') || value.startsWith('{')) return recordRequest(value, target, env, fail)
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

/** A delete run's record (JSON Lines), given as its path (`*.jsonl`) or its content: what that run deleted. */
function recordRequest(
  value: string,
  { owner, packageType }: Target,
  env: NodeJS.ProcessEnv,
  fail: Fail
): RestoreRequest | undefined {
  let text = value
  if (!value.startsWith('{')) {
    // Where the action writes its record (RUNNER_TEMP), or a copy in the workspace.
    const roots = [workspaceOf(env), ...(env.RUNNER_TEMP ? [resolve(env.RUNNER_TEMP)] : [])]
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
  if ('problem' in record) return fail('restore', shortened(value), `is not a run record: ${record.problem}`)
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
