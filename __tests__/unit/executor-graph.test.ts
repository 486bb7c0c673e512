import { decodeWrite } from '../../src/github/answers.js'
import { describe, expect, it } from '@jest/globals'
import { dependencyOrder, executeWrites, type VersionWriter } from '../../src/run/execute.js'
import type { ApiAnswer, ExecutedWrite, WriteTarget } from '../../src/types.js'

const DOWNLOADS =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
const quiet = { info: () => {}, warning: () => {} }

const target = (id: number, extra: Partial<WriteTarget> = {}): WriteTarget => ({
  packageName: 'app',
  version: { id, name: `sha256:${id}`, tags: extra.partOf ? [] : [`v${id}`] },
  ...extra
})

/** Answers from a table, each after a turn of the event loop, recording the order writes were sent in. */
function writer(answers: Record<number, ApiAnswer> = {}) {
  const asked: number[] = []
  const w: VersionWriter = {
    write: async t => {
      asked.push(t.version.id)
      await new Promise(resolve => setTimeout(resolve, 1))
      return decodeWrite('delete', answers[t.version.id] ?? { status: 204, message: '' })
    },
    budgetLeft: () => undefined
  }
  return { w, asked }
}

const byId = (results: ExecutedWrite[]) => new Map(results.map(r => [r.version.id, r.outcome]))

describe('the executor honours the plan graph', () => {
  it('keeps the parts of a refused image, naming it, and still deletes the parts of the others', async () => {
    const { w, asked } = writer({ 1: { status: 400, message: DOWNLOADS } })
    const results = await executeWrites(
      [
        target(1),
        target(11, { partOf: [1] }),
        target(12, { partOf: [1] }),
        target(2),
        target(21, { partOf: [2] }),
        target(30, { partOf: [1, 2] })
      ],
      w,
      { verb: 'delete', reserve: 0, concurrency: 8, log: quiet }
    )
    const outcomes = byId(results)
    expect(asked.sort((a, b) => a - b)).toEqual([1, 2, 21])
    for (const id of [11, 12, 30]) {
      expect(outcomes.get(id)).toMatchObject({ kind: 'skipped', reason: 'image-not-deleted' })
      const outcome = outcomes.get(id)
      expect(outcome?.kind === 'skipped' && outcome.detail).toContain('v1 (sha256:1), id 1')
    }
    expect(outcomes.get(21)).toEqual({ kind: 'done' })
  })

  it('sends a part only after its image answered, whatever the concurrency', async () => {
    const { w, asked } = writer()
    await executeWrites([target(11, { partOf: [1] }), target(1), target(12, { partOf: [1] })], w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 8,
      log: quiet
    })
    expect(asked[0]).toBe(1)
    expect(asked.slice(1).sort()).toEqual([11, 12])
  })

  it('treats an image already gone as gone: its parts go', async () => {
    const { w, asked } = writer({ 1: { status: 404, message: 'Package version not found.' } })
    const results = await executeWrites([target(1), target(11, { partOf: [1] })], w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 2,
      log: quiet
    })
    expect(asked).toEqual([1, 11])
    expect(byId(results).get(1)).toMatchObject({ kind: 'skipped', reason: 'already-gone' })
    expect(byId(results).get(11)).toEqual({ kind: 'done' })
  })

  it('keeps the parts of an image the cap leaves for the next run', async () => {
    const { w, asked } = writer()
    const results = await executeWrites(
      [target(1), target(11, { partOf: [1] }), target(2), target(21, { partOf: [2] })],
      w,
      { verb: 'delete', reserve: 0, concurrency: 4, maxWrites: 3, log: quiet }
    )
    expect(asked.sort((a, b) => a - b)).toEqual([1, 2, 11])
    expect(byId(results).get(21)).toMatchObject({ kind: 'skipped' })
  })

  it('keeps a part whose image is not in the run at all', async () => {
    const { w, asked } = writer()
    const results = await executeWrites([target(11, { partOf: [1] })], w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 1,
      log: quiet
    })
    expect(asked).toEqual([])
    expect(byId(results).get(11)).toMatchObject({ kind: 'skipped', reason: 'image-not-deleted' })
  })

  it('waits for `after` writes whatever they answer, and holds back what onRefused names', async () => {
    const { w, asked } = writer({ 1: { status: 403, message: 'Forbidden' } })
    const refused: number[] = []
    const results = await executeWrites(
      [
        target(1),
        target(11, { after: [1] }),
        target(12, { after: [1] }),
        target(2),
        target(13, { after: [2] })
      ],
      w,
      {
        verb: 'delete',
        reserve: 0,
        concurrency: 8,
        log: quiet,
        onRefused: async t => (refused.push(t.version.id), [11])
      }
    )
    expect(refused).toEqual([1])
    expect(asked.sort((a, b) => a - b)).toEqual([1, 2, 12, 13])
    expect(asked.indexOf(12)).toBeGreaterThan(asked.indexOf(1))
    expect(byId(results).get(11)).toMatchObject({ kind: 'skipped', reason: 'image-not-deleted' })
    expect(byId(results).get(12)).toEqual({ kind: 'done' })
  })

  it('holds back every write waiting for a refused image when its parts cannot be learnt', async () => {
    const { w, asked } = writer({ 1: { status: 500, message: 'Server Error' } })
    const warnings: string[] = []
    const results = await executeWrites(
      [target(1), target(11, { after: [1] }), target(12, { after: [1] })],
      w,
      {
        verb: 'delete',
        reserve: 0,
        concurrency: 4,
        log: { info: () => {}, warning: m => warnings.push(m) },
        onRefused: async () => {
          throw new Error('registry down')
        }
      }
    )
    expect(asked).toEqual([1])
    expect([...byId(results).values()].filter(o => o.kind === 'skipped')).toHaveLength(2)
    expect(warnings.join('\n')).toContain('registry down')
  })

  it('restores parts before the image that waits for them', async () => {
    const { w, asked } = writer({ 11: { status: 500, message: 'Server Error' } })
    const results = await executeWrites([target(1, { partOf: [11, 12] }), target(11), target(12)], w, {
      verb: 'restore',
      reserve: 0,
      concurrency: 4,
      log: quiet
    })
    expect(asked.sort((a, b) => a - b)).toEqual([11, 12])
    expect(byId(results).get(1)).toMatchObject({ kind: 'skipped', reason: 'part-not-restored' })
  })

  it('orders dependencies first and survives a cycle', () => {
    const order = dependencyOrder([
      target(11, { partOf: [1] }),
      target(1),
      target(5, { after: [6] }),
      target(6, { after: [5] })
    ])
    expect(order.map(t => t.version.id)).toEqual([1, 11, 6, 5])
  })

  it('ends a run stopped by the rate limit with a warning', async () => {
    const { w } = writer({ 1: { status: 403, message: 'API rate limit exceeded for user ID 1.' } })
    const warnings: string[] = []
    await executeWrites([target(1), target(2)], w, {
      verb: 'delete',
      reserve: 0,
      concurrency: 1,
      log: { info: () => {}, warning: m => warnings.push(m) }
    })
    expect(warnings).toContain(
      'Stopped by the API rate limit: 2 version(s) not deleted, left for the next run.'
    )
  })
})
