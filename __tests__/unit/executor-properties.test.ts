/**
 * Safety of the executor as a property: over generated image graphs and generated answers, no part of an image
 * that stays (kept by the plan, or refused by GitHub) is ever deleted, and no part is sent before its images
 * answered. The writer is a fake; no HTTP.
 */
import { decodeWrite } from '../../src/github/answers.js'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { cleared, classify, executeWrites, type VersionWriter } from '../../src/run/execute.js'
import type { ApiAnswer, WriteTarget } from '../../src/types.js'

const ANSWERS: ApiAnswer[] = [
  { status: 204, message: '' },
  {
    status: 400,
    message:
      'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
  },
  {
    status: 403,
    message: 'You need at least delete:packages and read:packages scopes to delete a package version.'
  },
  { status: 502, message: 'Bad Gateway' },
  { status: 404, message: 'Package version not found.' },
  { status: 404, message: 'Package not found.' },
  { status: 403, message: 'API rate limit exceeded for user ID 1.' }
]

/** Images 0..images-1 (ids 1..), parts (ids 100..) each of one to three images; some images kept. */
const graphs = fc
  .record({ images: fc.integer({ min: 1, max: 6 }), parts: fc.integer({ min: 0, max: 10 }) })
  .chain(({ images, parts }) =>
    fc.record({
      kept: fc.array(fc.boolean(), { minLength: images, maxLength: images }),
      owners: fc.array(
        fc.uniqueArray(fc.integer({ min: 0, max: images - 1 }), { minLength: 1, maxLength: 3 }),
        {
          minLength: parts,
          maxLength: parts
        }
      ),
      answers: fc.array(fc.integer({ min: 0, max: ANSWERS.length - 1 }), {
        minLength: images + parts,
        maxLength: images + parts
      }),
      delays: fc.array(fc.integer({ min: 0, max: 3 }), {
        minLength: images + parts,
        maxLength: images + parts
      }),
      cap: fc.option(fc.integer({ min: 1, max: images + parts }), { nil: undefined }),
      concurrency: fc.integer({ min: 1, max: 8 }),
      shuffle: fc.boolean()
    })
  )

describe('executor safety over generated graphs and answers', () => {
  it('never deletes a part of an image that stays, nor before its images answered', async () => {
    await fc.assert(
      fc.asyncProperty(graphs, async g => {
        const imageId = (i: number) => i + 1
        const partId = (j: number) => 100 + j
        // As the planner does: a part of a kept image is kept; the others go with all their images.
        const deletedImages = g.kept.map((k, i) => (k ? -1 : i)).filter(i => i >= 0)
        const targets: WriteTarget[] = []
        for (const i of deletedImages) {
          targets.push({ packageName: 'p', version: { id: imageId(i), name: `i${i}`, tags: ['t'] } })
          g.owners.forEach((owners, j) => {
            if (owners.some(o => g.kept[o])) return
            if (Math.max(...owners) !== i) return
            targets.push({
              packageName: 'p',
              version: { id: partId(j), name: `p${j}`, tags: [] },
              partOf: owners.map(imageId)
            })
          })
        }
        if (g.shuffle) targets.reverse()
        const answerOf = (id: number) => ANSWERS[g.answers[id >= 100 ? g.kept.length + id - 100 : id - 1]]
        const delayOf = (id: number) => g.delays[id >= 100 ? g.kept.length + id - 100 : id - 1]
        const answered = new Map<number, ApiAnswer>()
        const early: number[] = []
        const writer: VersionWriter = {
          write: async t => {
            for (const image of t.partOf ?? []) {
              const answer = answered.get(image)
              if (!answer || !cleared(classify(decodeWrite('delete', answer), 'delete')))
                early.push(t.version.id)
            }
            for (let k = 0; k < delayOf(t.version.id); k++) await Promise.resolve()
            const answer = answerOf(t.version.id)
            answered.set(t.version.id, answer)
            return decodeWrite('delete', answer)
          },
          budgetLeft: () => undefined
        }
        const results = await executeWrites(targets, writer, {
          verb: 'delete',
          reserve: 0,
          concurrency: g.concurrency,
          maxWrites: g.cap,
          log: { info: () => {}, warning: () => {} }
        })
        expect(early).toEqual([])
        expect(results).toHaveLength(targets.length)
        // An image stays when the plan keeps it or its delete did not clear; none of its parts may be gone.
        const imageGone = (i: number) => {
          const answer = answered.get(imageId(i))
          return answer !== undefined && cleared(classify(decodeWrite('delete', answer), 'delete'))
        }
        g.owners.forEach((owners, j) => {
          const partGone = answered.get(partId(j))?.status === 204
          if (partGone) expect(owners.every(imageGone)).toBe(true)
        })
      }),
      { numRuns: 3000 }
    )
  })
})
