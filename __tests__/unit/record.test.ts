import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { RunRecord, readRunRecord } from '../../src/run/record.js'
import type { ExecutedWrite, Outcome } from '../../src/types.js'

const header = {
  record: 'package-retention-run',
  owner: 'acme',
  packageType: 'container',
  mode: 'delete',
  dryRun: false,
  startedAt: '2026-11-01T10:00:00.000Z',
  planFile: '/tmp/package-retention-plan-1.json'
}
const version = (id: number) => ({
  package: 'app',
  id,
  name: `sha256:${String(id).padStart(64, '0')}`,
  tags: []
})
const sent = (id: number) => ({ event: 'sent', ...version(id) })
const ended = (id: number, outcome: unknown) => ({ event: 'ended', ...version(id), outcome })
const text = (...lines: object[]) => lines.map(l => `${JSON.stringify(l)}\n`).join('')

describe('the run record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads a record as earlier versions wrote it, failures with a status alone (0: no answer)', () => {
    const record = text(
      header,
      sent(1),
      ended(1, { kind: 'done' }),
      sent(2),
      ended(2, { kind: 'failed', status: 0, message: 'socket hang up' }),
      ended(3, {
        kind: 'failed',
        status: 0,
        message: "not sent: the run's record could not be written (ENOSPC); no further write is sent"
      }),
      sent(4),
      ended(4, { kind: 'failed', status: 502, message: 'Bad Gateway' }),
      sent(5),
      ended(5, { kind: 'failed', status: 403, message: 'Forbidden' }),
      // The check after the run found 2 gone and 1 still listed, and recorded them again.
      ended(2, {
        kind: 'done',
        note: 'reported failed (no answer), but gone at the check after the run: deleted by this run'
      }),
      ended(1, {
        kind: 'failed',
        status: 0,
        message: 'GitHub answered the delete with success, but the version is still listed after the run'
      }),
      sent(6)
    )
    expect(readRunRecord(record)).toEqual({ header, deleted: [2], unsure: [6] })
  })

  it('reads back what a run writes now, each failure with its cause', () => {
    const path = join(dir, 'run.jsonl')
    const record = RunRecord.create(path, {
      owner: 'acme',
      packageType: 'container',
      mode: 'delete',
      dryRun: false,
      startedAt: header.startedAt,
      planFile: header.planFile
    })
    const write = (id: number, outcome: Outcome): ExecutedWrite => ({
      packageName: 'app',
      version: { id, name: version(id).name, tags: [] },
      outcome
    })
    const writes = [
      write(1, { kind: 'done' }),
      write(2, { kind: 'failed', cause: 'no-answer', message: 'socket hang up' }),
      write(3, { kind: 'failed', cause: 'server-error', status: 502, message: 'Bad Gateway' }),
      write(4, { kind: 'failed', cause: 'refused', status: 403, message: 'Forbidden' })
    ]
    for (const w of writes) {
      record.sent(w)
      record.ended(w)
    }
    record.sent(write(5, { kind: 'done' }))
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(JSON.parse(lines[4])).toEqual(
      ended(2, { kind: 'failed', cause: 'no-answer', message: 'socket hang up' })
    )
    expect(readRunRecord(readFileSync(path, 'utf8'))).toEqual({ header, deleted: [1], unsure: [5] })
  })
})
