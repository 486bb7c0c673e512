/**
 * The run's record, written as it goes: one JSON line when a write is sent and one when it ends, appended
 * synchronously next to the plan file, so that a run killed at any moment leaves what a restore run needs.
 * A dry run sends nothing: its record has one `would` line per write, with the outcome it would have.
 * `readRunRecord` (pure) reads it back for `restore`.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import {
  PACKAGE_TYPES,
  type ExecutedWrite,
  type PackageType,
  type WriteTarget,
  type WriteVerb
} from '../types.js'

export const RECORD_KIND = 'package-retention-run'

export interface RecordHeader {
  record: typeof RECORD_KIND
  owner: string
  packageType: PackageType
  mode: WriteVerb
  dryRun: boolean
  startedAt: string
  planFile: string
}

type RecordLine =
  | RecordHeader
  | { event: 'sent'; package: string; id: number; name: string; tags: string[] }
  | ({ event: 'ended' | 'would'; package: string; id: number; name: string; tags: string[] } & Pick<
      ExecutedWrite,
      'outcome'
    >)

export class RunRecord {
  constructor(
    readonly path: string,
    private readonly dryRun = false
  ) {}

  static create(path: string, header: Omit<RecordHeader, 'record'>): RunRecord {
    writeFileSync(path, line({ record: RECORD_KIND, ...header }))
    return new RunRecord(path, header.dryRun)
  }

  sent(target: WriteTarget): void {
    if (this.dryRun) return
    const { id, name, tags } = target.version
    this.#append({ event: 'sent', package: target.packageName, id, name, tags })
  }

  ended(write: ExecutedWrite): void {
    const { id, name, tags } = write.version
    const event = this.dryRun ? 'would' : 'ended'
    this.#append({ event, package: write.packageName, id, name, tags, outcome: write.outcome })
  }

  #append(entry: RecordLine): void {
    appendFileSync(this.path, line(entry))
  }
}

function line(entry: RecordLine): string {
  return `${JSON.stringify(entry)}\n`
}

/** What a run's record says went: ids its deletes removed, and ids sent but never answered (a killed run). */
export interface RecordedDeletes {
  header: RecordHeader
  deleted: number[]
  unsure: number[]
}

/** A problem with one field of a record's line, or undefined when every field is as a run writes it. */
type FieldCheck = (entry: Record<string, unknown>) => string | undefined

const nonEmpty =
  (field: string): FieldCheck =>
  entry =>
    typeof entry[field] === 'string' && entry[field] !== ''
      ? undefined
      : `"${field}" is not a non-empty string`
const oneOf =
  (field: string, allowed: readonly unknown[]): FieldCheck =>
  entry =>
    allowed.includes(entry[field])
      ? undefined
      : `"${field}" is not one of ${allowed.map(a => JSON.stringify(a)).join(', ')}`

/** GitHub logins: letters, digits and single hyphens inside, up to 39 characters (and `_` for EMU logins). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$/

const HEADER_CHECKS: FieldCheck[] = [
  nonEmpty('owner'),
  entry => (LOGIN.test(String(entry.owner)) ? undefined : '"owner" is not a GitHub login'),
  oneOf('packageType', PACKAGE_TYPES),
  oneOf('mode', ['delete', 'restore']),
  oneOf('dryRun', [true, false]),
  entry =>
    typeof entry.startedAt === 'string' && !Number.isNaN(Date.parse(entry.startedAt))
      ? undefined
      : '"startedAt" is not a date'
]

const WRITE_CHECKS: FieldCheck[] = [
  oneOf('event', ['sent', 'ended']),
  nonEmpty('package'),
  entry =>
    Number.isSafeInteger(entry.id) && (entry.id as number) > 0 ? undefined : '"id" is not a version id',
  nonEmpty('name'),
  entry =>
    Array.isArray(entry.tags) && entry.tags.every(tag => typeof tag === 'string')
      ? undefined
      : '"tags" is not a list of strings',
  entry => {
    if (entry.event !== 'ended') return undefined
    const outcome = entry.outcome as { kind?: unknown } | null | undefined
    return typeof outcome === 'object' &&
      outcome !== null &&
      ['done', 'skipped', 'failed'].includes(String(outcome.kind))
      ? undefined
      : '"outcome" is not a write\'s outcome'
  }
]

/**
 * Reads a record back, every field of every line checked as a run writes it; a problem naming the line and the
 * field (for the `restore` input's message) when it is not a record, or not of a delete run.
 */
export function readRunRecord(text: string): RecordedDeletes | { problem: string } {
  const lines = text.split(/\r?\n/).filter(l => l.trim() !== '')
  const entries: Record<string, unknown>[] = []
  for (const [i, l] of lines.entries()) {
    let parsed: unknown
    try {
      parsed = JSON.parse(l)
    } catch {
      // A kill can cut the last line short; any other bad line means this is not a record.
      if (i === lines.length - 1 && i > 0) break
      return { problem: `line ${i + 1} is not JSON` }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return { problem: `line ${i + 1} is not a JSON object` }
    const entry = parsed as Record<string, unknown>
    if (i === 0 && entry.record !== RECORD_KIND)
      return { problem: `its first line is not a ${RECORD_KIND} header` }
    const problem = (i === 0 ? HEADER_CHECKS : WRITE_CHECKS).map(check => check(entry)).find(Boolean)
    if (problem) return { problem: `line ${i + 1}: ${problem}` }
    if (i === 0 && entry.mode !== 'delete')
      return { problem: 'it is the record of a restore run, not of a delete run' }
    if (i === 0 && entry.dryRun) return { problem: 'it is the record of a dry run, which deleted nothing' }
    entries.push(entry)
  }
  if (entries.length === 0) return { problem: `its first line is not a ${RECORD_KIND} header` }
  const header = entries[0] as unknown as RecordHeader
  const sent = new Set<number>()
  const deleted = new Set<number>()
  const answered = new Set<number>()
  for (const entry of entries.slice(1)) {
    const id = entry.id as number
    if (entry.event === 'sent') sent.add(id)
    else {
      answered.add(id)
      // A later line for the same version (the check after the run) wins.
      if ((entry.outcome as { kind: string }).kind === 'done') deleted.add(id)
      else deleted.delete(id)
    }
  }
  const unsure = [...sent].filter(id => !answered.has(id))
  return { header, deleted: [...deleted], unsure }
}
