import { decodeWrite } from '../../src/github/answers.js'
import { describe, expect, it } from '@jest/globals'
import { classify, executeWrites, writerFor, type VersionWriter } from '../../src/run/execute.js'
import type { ApiAnswer, OwnerScope, PackageType, WriteTarget } from '../../src/types.js'

const DOWNLOADS =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'

describe('classify', () => {
  it.each<[ApiAnswer, 'delete' | 'restore', string, string]>([
    [{ status: 204, message: '' }, 'delete', 'done', ''],
    [{ status: 404, message: 'Package version not found.' }, 'delete', 'skipped', 'already-gone'],
    [{ status: 404, message: 'Package not found.' }, 'delete', 'failed', 'refused'],
    [{ status: 404, message: 'Package not found.' }, 'restore', 'failed', 'refused'],
    [{ status: 400, message: DOWNLOADS }, 'delete', 'skipped', 'download-limit'],
    [{ status: 400, message: DOWNLOADS.replace('5000', '5,000') }, 'delete', 'skipped', 'download-limit'],
    [
      {
        status: 400,
        message: 'You cannot delete the last version of a package. You must delete the package instead.'
      },
      'delete',
      'skipped',
      'last-version'
    ],
    [
      {
        status: 400,
        message:
          'You cannot delete the last tagged version of a package. You must delete the package instead.'
      },
      'delete',
      'skipped',
      'last-version'
    ],
    [{ status: 403, message: 'API rate limit exceeded for user ID 1.' }, 'delete', 'skipped', 'rate-limit'],
    [
      { status: 429, message: 'You have exceeded a secondary rate limit.' },
      'delete',
      'skipped',
      'rate-limit'
    ],
    [{ status: 401, message: 'Bad credentials' }, 'delete', 'failed', 'refused'],
    [{ status: 403, message: 'Resource not accessible by integration' }, 'delete', 'failed', 'refused'],
    [{ status: 500, message: 'Server Error' }, 'delete', 'failed', 'server-error'],
    [{ status: 0, message: 'socket hang up' }, 'delete', 'failed', 'no-answer'],
    [{ status: 404, message: 'Package version not found.' }, 'restore', 'failed', 'refused'],
    [
      { status: 400, message: 'Active package version already exists with given name.' },
      'restore',
      'failed',
      'refused'
    ]
  ])('%j on %s is %s %s', (answer, verb, kind, why) => {
    const outcome = classify(decodeWrite(verb, answer), verb)
    expect(outcome.kind).toBe(kind)
    expect(outcome.kind === 'skipped' ? outcome.reason : outcome.kind === 'failed' ? outcome.cause : '').toBe(
      why
    )
  })

  it('names the missing permission on a 403', () => {
    const outcome = classify(
      decodeWrite('delete', {
        status: 403,
        message: 'You need at least delete:packages and read:packages scopes to delete a package version.'
      }),
      'delete'
    )
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'refused', status: 403 })
    expect(outcome.kind === 'failed' && outcome.message).toContain('Manage Actions access')
  })

  it('names the Admin role on a 404 "Package not found." to a delete', () => {
    const outcome = classify(decodeWrite('delete', { status: 404, message: 'Package not found.' }), 'delete')
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'refused', status: 404 })
    expect(outcome.kind === 'failed' && outcome.message).toContain('Admin role')
  })
})

const targets = (n: number): WriteTarget[] =>
  Array.from({ length: n }, (_, i) => ({
    packageName: 'app',
    version: {
      id: i + 1,
      name: `v${i + 1}`,
      tags: [],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z'
    }
  }))
const quiet = { info: () => {}, warning: () => {} }

/** A writer that answers from a table and counts what it was asked, in the order asked. */
function writer(answers: Record<number, ApiAnswer> = {}, budget: () => number | undefined = () => undefined) {
  const asked: number[] = []
  const w: VersionWriter = {
    write: async t => {
      asked.push(t.version.id)
      return decodeWrite('delete', answers[t.version.id] ?? { status: 204, message: '' })
    },
    budgetLeft: budget
  }
  return { w, asked }
}

describe('executeWrites', () => {
  it('goes on after a failure and keeps every target in the result, in order', async () => {
    const { w, asked } = writer({
      2: { status: 500, message: 'boom' },
      3: { status: 400, message: DOWNLOADS }
    })
    const results = await executeWrites(targets(4), w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 2,
      log: quiet
    })
    expect(asked.sort()).toEqual([1, 2, 3, 4])
    expect(results.map(r => r.outcome.kind)).toEqual(['done', 'failed', 'skipped', 'done'])
  })

  it('takes only the oldest up to max-deletions and reports the rest as left for the next run', async () => {
    const { w, asked } = writer()
    const results = await executeWrites(targets(5), w, {
      verb: 'delete',
      maxWrites: 2,
      reserve: 0,
      concurrency: 3,
      log: quiet
    })
    expect(asked.sort()).toEqual([1, 2])
    expect(results.slice(2).map(r => r.outcome)).toEqual(
      Array(3).fill({
        kind: 'skipped',
        reason: 'max-deletions',
        detail: 'over max-deletions (2); left for the next run'
      })
    )
  })

  it('stops before the primary budget runs out', async () => {
    let budget = 13
    const { w, asked } = writer({}, () => budget)
    const counting: VersionWriter = { ...w, write: async t => (budget--, w.write(t)) }
    const results = await executeWrites(targets(10), counting, {
      verb: 'delete',
      reserve: 10,
      concurrency: 1,
      log: quiet
    })
    expect(asked).toEqual([1, 2, 3])
    expect(results.filter(r => r.outcome.kind === 'skipped').length).toBe(7)
  })

  it('stops after GitHub says the rate limit is spent', async () => {
    const { w, asked } = writer({ 2: { status: 403, message: 'API rate limit exceeded for user ID 1.' } })
    const results = await executeWrites(targets(4), w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 1,
      log: quiet
    })
    expect(asked).toEqual([1, 2])
    expect(results.map(r => r.outcome.kind)).toEqual(['done', 'skipped', 'skipped', 'skipped'])
  })

  it('logs progress with done, rate and time left', async () => {
    let now = 0
    const lines: string[] = []
    const { w } = writer()
    const timed: VersionWriter = { ...w, write: async t => ((now += 1000), w.write(t)) }
    await executeWrites(targets(6), timed, {
      verb: 'delete',
      reserve: 0,
      concurrency: 1,
      log: { info: l => lines.push(l), warning: () => {} },
      clock: () => now,
      progressEveryMs: 2000
    })
    expect(lines[0]).toBe('delete: 2 of 6 done, 60 a minute, about 4s left')
    expect(lines.at(-1)).toBe('delete: 6 of 6 done, 60 a minute, about 0s left')
  })

  it('sends nothing after the record cannot be written: the rest fail as not sent', async () => {
    const { w, asked } = writer()
    const errors: string[] = []
    const results = await executeWrites(targets(3), w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 1,
      log: { ...quiet, error: e => errors.push(e) },
      onOutcome: () => {
        throw new Error('disk full')
      }
    })
    expect(asked).toEqual([1])
    const why = "the run's record could not be written (disk full); no further write is sent"
    expect(errors).toEqual([why])
    expect(results.map(r => r.outcome)).toEqual([
      { kind: 'done' },
      { kind: 'failed', cause: 'not-sent', message: `not sent: ${why}` },
      { kind: 'failed', cause: 'not-sent', message: `not sent: ${why}` }
    ])
  })

  /** A writer whose writes never answer; the `stopAt`-th write stops the run (SIGTERM). */
  function stoppingWriter(stop: AbortController, stopAt: number) {
    const asked: number[] = []
    const w: VersionWriter = {
      write: t => {
        if (asked.push(t.version.id) === stopAt) stop.abort('SIGTERM')
        return new Promise(() => {})
      },
      budgetLeft: () => undefined
    }
    return { w, asked }
  }
  const stoppable = (stop: AbortController) =>
    ({ verb: 'delete', reserve: 0, concurrency: 2, log: quiet, signal: stop.signal, graceMs: 10 }) as const
  const unanswered = {
    kind: 'failed',
    cause: 'no-answer',
    message: 'sent, but no answer came before the run stopped; it may or may not have gone'
  }

  it('reports the writes still unanswered when the grace of a stopped run ends as sent without an answer', async () => {
    const stop = new AbortController()
    const { w, asked } = stoppingWriter(stop, 2)
    const results = await executeWrites(targets(2), w, stoppable(stop))
    expect(asked).toEqual([1, 2])
    expect(results.map(r => r.outcome)).toEqual([unanswered, unanswered])
  })

  it('reports the writes never sent when the grace of a stopped run ends as stopped, not as sent', async () => {
    const stop = new AbortController()
    const { w, asked } = stoppingWriter(stop, 1)
    // Two at a time: the second waits for the first, which never answers; the third is never started.
    const all = targets(3)
    all[1] = { ...all[1], partOf: [all[0].version.id] }
    const results = await executeWrites(all, w, stoppable(stop))
    expect(asked).toEqual([1])
    const stopped = {
      kind: 'skipped',
      reason: 'stopped',
      detail: 'not sent: the run was stopped (SIGTERM); left for the next run'
    }
    expect(results.map(r => r.outcome)).toEqual([unanswered, stopped, stopped])
  })

  it('reports a refused write whose follow-up read is still running when the grace ends with GitHub’s answer', async () => {
    const stop = new AbortController()
    const refusal = {
      status: 400,
      message:
        'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
    }
    const w: VersionWriter = {
      write: () => Promise.resolve(decodeWrite('delete', refusal)),
      budgetLeft: () => undefined
    }
    // The image's parts wait for it; the read of what the refusal holds back stops the run and never ends.
    const all = targets(2)
    all[1] = { ...all[1], after: [all[0].version.id] }
    const onRefused = () => {
      stop.abort('SIGTERM')
      return new Promise<readonly number[]>(() => {})
    }
    const results = await executeWrites(all, w, { ...stoppable(stop), onRefused })
    expect(results[0].outcome).toMatchObject({ kind: 'skipped', reason: 'download-limit' })
    expect(results[1].outcome).toMatchObject({ kind: 'skipped', reason: 'stopped' })
  })
})

describe('writes that wait for others (partOf, after)', () => {
  const target = (id: number, extra: Partial<WriteTarget> = {}): WriteTarget => ({
    packageName: 'app',
    version: { id, name: `sha256:${id}`, tags: [] },
    ...extra
  })
  /** Answers as scripted per id (204 otherwise) after a delay, and records the order writes were sent. */
  function scripted(answers: Record<number, ApiAnswer>, delayMs = 5) {
    const sent: number[] = []
    const writer: VersionWriter = {
      write: async t => {
        sent.push(t.version.id)
        await new Promise(resolve => setTimeout(resolve, delayMs))
        return decodeWrite('delete', answers[t.version.id] ?? { status: 204, message: '' })
      },
      budgetLeft: () => undefined
    }
    return { sent, writer }
  }
  const options = { verb: 'delete' as const, reserve: 0, concurrency: 8, log: { info() {}, warning() {} } }

  it('holds back what a refused image names, sends the rest after it', async () => {
    const { sent, writer } = scripted({ 1: { status: 400, message: DOWNLOADS } })
    const refused: number[] = []
    const results = await executeWrites(
      [
        target(1, { version: { id: 1, name: 'sha256:1', tags: ['v1'] } }),
        target(2, { after: [1] }),
        target(3, { after: [1] })
      ],
      writer,
      { ...options, onRefused: async t => (refused.push(t.version.id), [2]) }
    )
    expect(refused).toEqual([1])
    expect(sent).toEqual([1, 3])
    expect(
      results.map(r => [r.version.id, r.outcome.kind === 'skipped' ? r.outcome.reason : r.outcome.kind])
    ).toEqual([
      [1, 'download-limit'],
      [2, 'image-not-deleted'],
      [3, 'done']
    ])
  })

  it('holds back every write that waited when the refused image cannot be read', async () => {
    const { sent, writer } = scripted({ 1: { status: 500, message: 'Server Error' } })
    const results = await executeWrites(
      [target(1), target(2, { after: [1] }), target(3, { after: [1] })],
      writer,
      {
        ...options,
        onRefused: () => Promise.reject(new Error('registry down'))
      }
    )
    expect(sent).toEqual([1])
    expect(results.slice(1).map(r => r.outcome.kind)).toEqual(['skipped', 'skipped'])
  })

  it('goes on along a chain of waits past a held-back write: a wait is an order, not a dependency', async () => {
    // 1 is refused and holds back its part 2; 3 waits for 2 (held back, never sent) and 4 for 3.
    const { sent, writer } = scripted({ 1: { status: 400, message: DOWNLOADS } })
    const results = await executeWrites(
      [target(1), target(2, { after: [1] }), target(3, { after: [2] }), target(4, { after: [3] })],
      writer,
      { ...options, onRefused: async () => [2] }
    )
    expect(sent).toEqual([1, 3, 4])
    expect(results.map(r => (r.outcome.kind === 'skipped' ? r.outcome.reason : r.outcome.kind))).toEqual([
      'download-limit',
      'image-not-deleted',
      'done',
      'done'
    ])
  })

  it('holds back the whole chain behind a refused image that cannot be read', async () => {
    const { sent, writer } = scripted({ 1: { status: 400, message: DOWNLOADS } })
    const results = await executeWrites(
      [target(1), target(2, { after: [1] }), target(3, { after: [2] }), target(4)],
      writer,
      { ...options, onRefused: () => Promise.reject(new Error('registry down')) }
    )
    expect(sent).toEqual([1, 4])
    expect(results.map(r => r.outcome.kind)).toEqual(['skipped', 'skipped', 'skipped', 'done'])
  })

  it('sends a part only after its image is deleted, and skips it when the image is not', async () => {
    const { sent, writer } = scripted({ 1: { status: 403, message: 'Forbidden' } }, 20)
    const results = await executeWrites(
      [target(1), target(4), target(2, { partOf: [1] }), target(5, { partOf: [4] })],
      writer,
      options
    )
    expect(sent.indexOf(5)).toBeGreaterThan(sent.indexOf(4))
    expect(sent).not.toContain(2)
    expect(results[2].outcome).toMatchObject({ kind: 'skipped', reason: 'image-not-deleted' })
    expect(results[3].outcome.kind).toBe('done')
  })
})

describe('writerFor', () => {
  const scope: OwnerScope = { login: 'acme', kind: 'organization', path: '/orgs/acme' }
  const target: WriteTarget = { packageName: 'web', version: { id: 7, name: '1.0.0', tags: [] } }

  /** A client that records every write it is asked for and answers 204. */
  function recordingClient() {
    const sent: string[] = []
    const answer = (verb: string) => async (_s: OwnerScope, type: PackageType, name: string, id: number) => {
      sent.push(`${verb} ${type} ${name} ${id}`)
      return { kind: 'done' as const, status: 204, message: '' }
    }
    return {
      sent,
      deleteVersion: answer('delete'),
      restoreVersion: answer('restore'),
      rateLimitRemaining: 42
    }
  }

  it.each(['delete', 'restore'] as const)(
    'in a dry run answers as GitHub would and sends no %s',
    async verb => {
      const client = recordingClient()
      const writer = writerFor(client, scope, { dryRun: true, packageType: 'npm' }, verb)
      expect(await writer.write(target)).toEqual({ kind: 'done', status: 204, message: '' })
      expect(writer.budgetLeft()).toBeUndefined()
      expect(client.sent).toEqual([])
    }
  )

  it.each(['delete', 'restore'] as const)('otherwise sends the %s to the client', async verb => {
    const client = recordingClient()
    const writer = writerFor(client, scope, { dryRun: false, packageType: 'npm' }, verb)
    await writer.write(target)
    expect(client.sent).toEqual([`${verb} npm web 7`])
    expect(writer.budgetLeft()).toBe(42)
  })
})
