/**
 * The read strategy as a property: over generated container packages and any set of tagged deletions that
 * GitHub refuses, planning with reads and carrying out the writes reads no version it then deletes (but a
 * referrer whose own manifest shows its subject is gone), and never leaves a kept or refused image without
 * one of its manifests.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { decodeWrite } from '../../src/github/answers.js'
import { executeWrites } from '../../src/run/execute.js'
import { refusedImageParts } from '../../src/run/inventory.js'
import { checkRun } from '../../src/run/check.js'
import { planWithReads } from '../../src/engine/reads.js'
import type { ImageStructure, PackageVersion, WriteTarget } from '../../src/types.js'
import { NOW } from './builder.js'
import { containerScenario } from './scenarios.js'

const DOWNLOADS =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'

describe('reading only what the plan needs, as a property', () => {
  it('reads no version it deletes, and no kept or refused image loses a manifest', async () => {
    await fc.assert(
      fc.asyncProperty(containerScenario({ modes: ['full'] }), fc.gen(), async (scenario, gen) => {
        const truth = scenario.truth
        const readFrom = (digests: readonly string[]): ImageStructure =>
          new Map(digests.map(digest => [digest, truth.get(digest) ?? { children: [] }]))
        const read: string[] = []
        let rounds = 0
        const { plan } = await planWithReads(scenario.versions, scenario.policy, NOW, async digests => {
          if (++rounds > scenario.versions.length + 1)
            throw new Error(`read round ${rounds}: ${digests.join(', ')}`)
          read.push(...digests)
          return readFrom(digests)
        })
        // A version read is kept, unless its own manifest showed it refers to a subject that is gone.
        const deletedByPlan = new Set(plan.deletions.map(d => d.version.name))
        const readThenDeleted = read.filter(digest => deletedByPlan.has(digest))
        expect(readThenDeleted.filter(digest => truth.get(digest)?.subject === undefined)).toEqual([])

        // GitHub refuses some of the tagged deletions.
        const refused = new Set(
          plan.deletions.filter(d => d.version.tags.length > 0 && gen(fc.boolean)).map(d => d.version.id)
        )
        const targets: WriteTarget[] = plan.deletions.map(d => ({
          packageName: 'app',
          version: d.version,
          ...(d.partOf && { partOf: d.partOf }),
          ...(d.after && { after: d.after })
        }))
        const registry = {
          readImageStructure: async (_owner: string, _name: string, digests: readonly string[]) =>
            readFrom(digests),
          rememberedStructure: () => new Map()
        }
        const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
        const results = await executeWrites(
          targets,
          {
            write: async target =>
              decodeWrite(
                'delete',
                refused.has(target.version.id)
                  ? { status: 400, message: DOWNLOADS }
                  : { status: 204, message: '' }
              ),
            budgetLeft: () => undefined
          },
          {
            verb: 'delete',
            reserve: 0,
            concurrency: 4,
            log: { info() {}, warning() {} },
            onRefused: refusedImageParts(registry, scope, [{ name: 'app', plan, writes: [] }])
          }
        )
        const gone = new Set(results.filter(r => r.outcome.kind === 'done').map(r => r.version.name))
        for (const version of scenario.versions) {
          if (gone.has(version.name)) continue
          const missing = (truth.get(version.name)?.children ?? []).filter(child => gone.has(child))
          expect({ image: version.name, missing }).toEqual({ image: version.name, missing: [] })
        }
      }),
      { numRuns: 1000 }
    )
  })
})

describe('deciding only from verified facts, as a property', () => {
  it('whatever reads fail, answers are lost and the cache says: no image left loses a part, and deleted is what went', async () => {
    await fc.assert(
      fc.asyncProperty(
        containerScenario({ modes: ['full'] }),
        fc.gen(),
        fc.boolean(),
        async (scenario, gen, readCandidates) => {
          const truth = scenario.truth
          const readFrom = (digests: readonly string[]): ImageStructure =>
            new Map(digests.map(digest => [digest, truth.get(digest) ?? { children: [] }]))
          // The cache remembers some digests. A lie in it (no children, another subject) is dropped when its
          // entry is checked against its digest on load (the manifest cache), so what reaches the plan is true.
          const cached = new Set(
            scenario.versions.map(v => v.name).filter(() => gen(fc.integer, { min: 0, max: 4 }) === 0)
          )
          const remembered = (digests: string[]) => readFrom(digests.filter(d => cached.has(d)))
          let failedRead = false
          const planned = await planWithReads(
            scenario.versions,
            scenario.policy,
            NOW,
            async digests => {
              if (gen(fc.integer, { min: 0, max: 9 }) === 0) {
                failedRead = true
                return undefined
              }
              return readFrom(digests)
            },
            remembered,
            readCandidates
          ).catch((error: unknown) => {
            if (!failedRead) throw error
            expect(String(error)).toContain('nothing in this package is deleted')
            return undefined
          })
          if (planned === undefined) return
          const { plan } = planned

          // GitHub refuses, answers, or loses the answer to each delete (having done it, or not).
          const real = new Set<number>()
          const refused = new Set<number>()
          const targets: WriteTarget[] = plan.deletions.map(d => ({
            packageName: 'app',
            version: d.version,
            ...(d.partOf && { partOf: d.partOf }),
            ...(d.after && { after: d.after })
          }))
          const registry = {
            readImageStructure: async (_owner: string, _name: string, digests: readonly string[]) =>
              gen(fc.integer, { min: 0, max: 9 }) === 0 ? undefined : readFrom(digests),
            rememberedStructure: () => new Map()
          }
          const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
          const results = await executeWrites(
            targets,
            {
              write: async target => {
                const id = target.version.id
                const answer = gen(
                  fc.constantFrom,
                  'done',
                  'refused',
                  'lost-done',
                  'lost-not-done',
                  'lost-then-gone'
                )
                if (answer === 'refused') {
                  refused.add(id)
                  return decodeWrite('delete', { status: 400, message: DOWNLOADS })
                }
                if (answer !== 'lost-not-done') real.add(id)
                if (answer === 'done') return decodeWrite('delete', { status: 204, message: '' })
                if (answer === 'lost-then-gone')
                  return decodeWrite('delete', {
                    status: 404,
                    message: 'Package version not found.',
                    afterLostAnswer: true
                  })
                return decodeWrite('delete', { status: 502, message: 'Bad Gateway' })
              },
              budgetLeft: () => undefined
            },
            {
              verb: 'delete',
              reserve: 0,
              concurrency: 4,
              maxWrites: gen(fc.boolean) ? gen(fc.nat, { max: targets.length }) : undefined,
              log: { info() {}, warning() {} },
              onRefused: refusedImageParts(registry, scope, [{ name: 'app', plan, writes: [] }])
            }
          )
          const goneNames = new Set(scenario.versions.filter(v => real.has(v.id)).map(v => v.name))
          // An image that stays: kept, or tagged (refused, failed or never sent; read or not). An untagged image
          // the plan deletes unread (in a public package a read is a download) whose delete GitHub refuses or
          // fails may be left without its parts: the README says so.
          const kept = new Set(plan.decisions.filter(d => d.action === 'keep').map(d => d.version.id))
          const protectedImage = (v: PackageVersion) => kept.has(v.id) || v.tags.length > 0
          for (const version of scenario.versions) {
            if (goneNames.has(version.name) || !protectedImage(version)) continue
            const missing = (truth.get(version.name)?.children ?? []).filter(child => goneNames.has(child))
            expect({ image: version.name, missing }).toEqual({ image: version.name, missing: [] })
          }
          // After the check (the package listed again), `deleted` is exactly what this run removed.
          const after = scenario.versions.filter(v => !real.has(v.id))
          const { writes } = checkRun({ name: 'app', plan, writes: results }, after)
          const deleted = writes.filter(w => w.outcome.kind === 'done').map(w => w.version.id)
          expect(deleted.sort()).toEqual([...real].sort())
        }
      ),
      { numRuns: 3000, endOnFailure: true }
    )
  }, 300_000)
})
