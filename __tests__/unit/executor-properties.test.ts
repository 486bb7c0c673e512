/**
 * Safety of the executor as a property: over generated image graphs and generated answers, no part of an image
 * that stays (kept by the plan, or refused by GitHub) is ever deleted, and no part is sent before its images
 * answered. The writer is a fake; no HTTP.
 */
import { decodeWrite } from '../../src/github/answers.js'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { GitHubPackagesClient } from '../../src/github/rest-client.js'
import { cleared, classify, executeWrites, writerFor, type VersionWriter } from '../../src/run/execute.js'
import type { ApiAnswer, OwnerScope, WriteTarget } from '../../src/types.js'

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

/**
 * A signal at any moment of a run with more writes than one pacing window holds: writes wait in the window, for
 * their turn, or for an answer when it comes. The client is the real one (its window, its request hook) over a
 * recording fetch that answers 204.
 */
const signalled = fc
  .record({
    limit: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: 1, max: 12 }),
    concurrency: fc.integer({ min: 1, max: 8 }),
    answerMs: fc.integer({ min: 0, max: 4 }),
    /** The signal comes as this many deletes have reached GitHub (0: before the first)... */
    signalAt: fc.nat(),
    /** ...or this many milliseconds after the run began, while writes wait in the window. */
    signalMs: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined })
  })
  .map(w => ({ ...w, writes: w.limit + w.extra, signalAt: w.signalAt % (w.limit + w.extra + 1) }))

describe('a signal at any moment', () => {
  it('lets no write start after it, and the outputs say exactly what GitHub did', async () => {
    const scope: OwnerScope = { login: 'acme', kind: 'organization', path: '/orgs/acme' }
    const quiet = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }
    await fc.assert(
      fc.asyncProperty(signalled, async w => {
        const stop = new AbortController()
        const arrived: { id: number; afterSignal: boolean }[] = []
        const fetch = async (url: string | URL | Request): Promise<Response> => {
          arrived.push({ id: Number(String(url).split('/').pop()), afterSignal: stop.signal.aborted })
          if (w.signalMs === undefined && arrived.length === w.signalAt) stop.abort('SIGINT')
          await new Promise(resolve => setTimeout(resolve, w.answerMs))
          return new Response(null, { status: 204 })
        }
        if (w.signalMs === undefined && w.signalAt === 0) stop.abort('SIGINT')
        const timer =
          w.signalMs === undefined ? undefined : setTimeout(() => stop.abort('SIGINT'), w.signalMs)
        const client = new GitHubPackagesClient({
          token: 't',
          apiUrl: 'https://api.github.test',
          log: quiet,
          writesPerWindow: w.limit,
          writeWindowMs: 30,
          fetch,
          signal: stop.signal
        })
        const targets: WriteTarget[] = Array.from({ length: w.writes }, (_, i) => ({
          packageName: 'p',
          version: { id: i + 1, name: `1.0.${i}`, tags: [] }
        }))
        const writer = writerFor(client, scope, { dryRun: false, packageType: 'maven' }, 'delete')
        const results = await executeWrites(targets, writer, {
          verb: 'delete',
          reserve: 0,
          concurrency: w.concurrency,
          log: quiet,
          signal: stop.signal,
          // Long enough for every answer (the run ends as soon as all have come): the outputs can be exact.
          graceMs: 5_000
        })
        clearTimeout(timer)
        expect(arrived.filter(a => a.afterSignal)).toEqual([])
        if (w.signalMs === undefined) expect(arrived.length).toBe(w.signalAt)
        const deleted = results.filter(r => r.outcome.kind === 'done').map(r => r.version.id)
        expect(deleted.sort((a, b) => a - b)).toEqual(arrived.map(a => a.id).sort((a, b) => a - b))
        const stopped = results.filter(r => r.outcome.kind === 'skipped' && r.outcome.reason === 'stopped')
        expect(stopped.length).toBe(stop.signal.aborted ? w.writes - arrived.length : 0)
      }),
      { numRuns: 60 }
    )
  }, 60_000)
})
