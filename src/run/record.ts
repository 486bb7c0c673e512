/**
 * The run's record, written as it goes: one JSON line when a write is sent and one when it ends, appended
 * synchronously next to the plan file, so that a run killed at any moment leaves what a restore run needs.
 * `readRunRecord` (pure) reads it back for `restore`.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import type { ExecutedWrite, PackageType, WriteTarget, WriteVerb } from '../types.js'

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
  | ({ event: 'ended'; package: string; id: number; name: string; tags: string[] } & Pick<
      ExecutedWrite,
      'outcome'
    >)

export class RunJournal {
  constructor(readonly path: string) {}

  static create(path: string, header: Omit<RecordHeader, 'record'>): RunJournal {
    writeFileSync(path, line({ record: RECORD_KIND, ...header }))
    return new RunJournal(path)
  }

  sent(target: WriteTarget): void {
    const { id, name, tags } = target.version
    this.#append({ event: 'sent', package: target.packageName, id, name, tags })
  }

  ended(write: ExecutedWrite): void {
    const { id, name, tags } = write.version
    this.#append({ event: 'ended', package: write.packageName, id, name, tags, outcome: write.outcome })
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

/** Reads a record back; a problem (for the `restore` input's message) when it is not one, or not of a delete run. */
export function readRunRecord(text: string): RecordedDeletes | { problem: string } {
  const lines = text.split(/\r?\n/).filter(l => l.trim() !== '')
  const entries: Record<string, unknown>[] = []
  for (const [i, l] of lines.entries()) {
    try {
      const parsed: unknown = JSON.parse(l)
      if (typeof parsed !== 'object' || parsed === null)
        return { problem: `line ${i + 1} is not a JSON object` }
      entries.push(parsed as Record<string, unknown>)
    } catch {
      // A kill can cut the last line short; any other bad line means this is not a record.
      if (i === lines.length - 1 && i > 0) break
      return { problem: `line ${i + 1} is not JSON` }
    }
  }
  const header = entries[0] as unknown as RecordHeader | undefined
  if (header?.record !== RECORD_KIND) return { problem: `its first line is not a ${RECORD_KIND} header` }
  if (header.mode !== 'delete') return { problem: 'it is the record of a restore run, not of a delete run' }
  if (header.dryRun) return { problem: 'it is the record of a dry run, which deleted nothing' }
  const sent = new Set<number>()
  const deleted = new Set<number>()
  const answered = new Set<number>()
  for (const entry of entries.slice(1)) {
    const id = entry.id
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
      return { problem: 'a line has no version id' }
    if (entry.event === 'sent') sent.add(id)
    else if (entry.event === 'ended') {
      answered.add(id)
      // A later line for the same version (the check after the run) wins.
      if ((entry.outcome as { kind?: unknown } | undefined)?.kind === 'done') deleted.add(id)
      else deleted.delete(id)
    }
  }
  const unsure = [...sent].filter(id => !answered.has(id))
  return { header, deleted: [...deleted], unsure }
}
