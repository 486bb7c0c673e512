/**
 * The read strategy as a property: over generated container packages and any set of tagged deletions that
 * GitHub refuses, planning with reads and carrying out the writes reads no version it then deletes (but a
 * referrer whose own manifest shows its subject is gone), and never leaves a kept or refused image without
 * one of its manifests.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { executeWrites } from '../../src/run/execute.js'
import { refusedImageParts } from '../../src/run/inventory.js'
import { planWithReads } from '../../src/engine/reads.js'
import type { ImageStructure, ManifestInfo, WriteTarget } from '../../src/types.js'
import { NOW } from './builder.js'
import { containerScenario } from './scenarios.js'

const DOWNLOADS =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'

describe('reading only what the plan needs, as a property', () => {
  it('reads no version it deletes, and no kept or refused image loses a manifest', async () => {
    await fc.assert(
      fc.asyncProperty(containerScenario({ modes: ['full'] }), fc.gen(), async (scenario, gen) => {
        const truth = scenario.truth as Map<string, ManifestInfo>
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
              refused.has(target.version.id)
                ? { status: 400, message: DOWNLOADS }
                : { status: 204, message: '' },
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
