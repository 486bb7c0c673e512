import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { planDeletions } from '../../src/engine/policy.js'
import type { Decision, DeletionPlan, PackageVersion } from '../../src/types.js'
import { NOW } from './builder.js'
import {
  type Scenario,
  containerScenario,
  keptByKeepLast,
  lostParts,
  newestFirst,
  npmScenario,
  protectedByKeepTagsOrAge,
  selectedImages,
  shuffle,
  subjectOf
} from './scenarios.js'

const RUNS = { numRuns: 2000 }

function plan(scenario: Scenario): DeletionPlan {
  return planDeletions(scenario.versions, scenario.policy, NOW, scenario.structure)
}

const ids = (versions: readonly PackageVersion[]) => versions.map(version => version.id)
const deletedIds = (planned: DeletionPlan) => new Set(planned.deletions.map(decision => decision.version.id))

/** What the rules delete when no version is a part of another: the selected versions nothing protects. */
function expectedDeletions(scenario: Scenario): number[] {
  const container = scenario.policy.packageType === 'container'
  const protectedIds = new Set([...protectedByKeepTagsOrAge(scenario), ...keptByKeepLast(scenario)])
  const newest = newestFirst(scenario.versions)
  const structureUnknown = container && scenario.structure === undefined
  let deleted = selectedImages(scenario)
    .map(image => image.version)
    .filter(version => !protectedIds.has(version.id) && !(structureUnknown && version.tags.length === 0))
  const tagged = newest.filter(version => version.tags.length > 0)
  if (container && tagged.length > 0 && tagged.every(version => deleted.includes(version))) {
    deleted = deleted.filter(version => version !== tagged[0])
  }
  if (deleted.length === scenario.versions.length && deleted.length > 0) {
    deleted = deleted.filter(version => version !== newest[0])
  }
  return ids(deleted).sort((a, b) => a - b)
}

function expectWellFormed(scenario: Scenario, planned: DeletionPlan): void {
  const order = ids(planned.decisions.map(decision => decision.version))
  expect(order).toEqual(ids(newestFirst(scenario.versions)))
  const unexplained = planned.decisions.filter(
    decision =>
      decision.reasons.length === 0 ||
      decision.reasons.some(reason => !reason.startsWith(`${decision.action}: `))
  )
  expect(unexplained).toEqual([])
  const deletes = planned.decisions.filter(decision => decision.action === 'delete')
  const sorted = (decisions: Decision[]) =>
    ids(decisions.map(decision => decision.version)).sort((a, b) => a - b)
  expect(sorted(planned.deletions)).toEqual(sorted(deletes))
  expect(planned.deletions.filter(decision => decision.action !== 'delete')).toEqual([])
}

function expectProtectedKept(scenario: Scenario, planned: DeletionPlan): void {
  const deleted = deletedIds(planned)
  const protectedIds = [...protectedByKeepTagsOrAge(scenario), ...keptByKeepLast(scenario)]
  expect(protectedIds.filter(id => deleted.has(id))).toEqual([])
  if (scenario.versions.length > 0) expect(deleted.size).toBeLessThan(scenario.versions.length)
}

describe('any package', () => {
  it('deletes exactly the selected versions nothing protects, and never the last one', () => {
    fc.assert(
      fc.property(npmScenario, scenario => {
        const planned = plan(scenario)
        expectWellFormed(scenario, planned)
        expectProtectedKept(scenario, planned)
        expect([...deletedIds(planned)].sort((a, b) => a - b)).toEqual(expectedDeletions(scenario))
      }),
      { numRuns: 3000 }
    )
  })

  it('deletes the oldest first', () => {
    fc.assert(
      fc.property(npmScenario, scenario => {
        const deletions = plan(scenario).deletions.map(decision => decision.version)
        expect(ids(deletions)).toEqual(ids(newestFirst(deletions).reverse()))
      }),
      RUNS
    )
  })

  it('gives the same plan for any order of the versions', () => {
    fc.assert(
      fc.property(npmScenario, fc.integer(), (scenario, seed) => {
        expect(plan({ ...scenario, versions: shuffle(scenario.versions, seed) })).toEqual(plan(scenario))
      }),
      RUNS
    )
  })
})

describe('a container package without images of several versions', () => {
  it('deletes exactly the selected versions nothing protects, and never the last (tagged) one', () => {
    fc.assert(
      fc.property(containerScenario({ standalone: true }), scenario => {
        const planned = plan(scenario)
        expectWellFormed(scenario, planned)
        expect([...deletedIds(planned)].sort((a, b) => a - b)).toEqual(expectedDeletions(scenario))
      }),
      RUNS
    )
  })
})

describe('a container package', () => {
  it('plans every version once, with its reasons, and deletes no protected one', () => {
    fc.assert(
      fc.property(containerScenario(), scenario => {
        const planned = plan(scenario)
        expectWellFormed(scenario, planned)
        expectProtectedKept(scenario, planned)
      }),
      RUNS
    )
  })

  it('never loses its last tagged version', () => {
    fc.assert(
      fc.property(containerScenario(), scenario => {
        const kept = plan(scenario).decisions.filter(decision => decision.action === 'keep')
        const anyTagged = scenario.versions.some(version => version.tags.length > 0)
        expect(kept.some(decision => decision.version.tags.length > 0)).toBe(anyTagged)
      }),
      RUNS
    )
  })

  it('keeps every part of every kept version, as far as the structure shows', () => {
    fc.assert(
      fc.property(containerScenario({ modes: ['full'] }), scenario => {
        const planned = plan(scenario)
        expect(lostParts(scenario, planned)).toEqual([])
      }),
      RUNS
    )
  })

  it('never leaves a kept tagged image without one of its manifests or signatures', () => {
    fc.assert(
      fc.property(containerScenario(), scenario => {
        const planned = plan(scenario)
        const kept = new Set(planned.decisions.filter(d => d.action === 'keep').map(d => d.version.name))
        const signatures = (name: string) =>
          scenario.versions.filter(
            version => version.tags.length > 0 && subjectOf(version, undefined) === name
          )
        const images = scenario.versions.filter(
          v => v.tags.length > 0 && subjectOf(v, undefined) === undefined
        )
        const lost: string[] = []
        for (const image of images.filter(version => kept.has(version.name))) {
          const pending = [image.name]
          while (pending.length > 0) {
            const name = pending.pop() as string
            if (!kept.has(name)) lost.push(name)
            pending.push(...(scenario.truth.get(name)?.children ?? []), ...signatures(name).map(v => v.name))
          }
        }
        expect(lost).toEqual([])
      }),
      RUNS
    )
  })

  it('deletes no untagged version when the structure is unknown, or under untagged: exclude none but parts of deleted images', () => {
    fc.assert(
      fc.property(containerScenario(), fc.boolean(), (scenario, exclude) => {
        const unknown = { ...scenario, structure: undefined }
        const excluded = { ...scenario, policy: { ...scenario.policy, untagged: 'exclude' as const } }
        const deleted = plan(exclude ? excluded : unknown).deletions
        expect(
          deleted.filter(decision => decision.version.tags.length === 0 && decision.partOf === undefined)
        ).toEqual([])
      }),
      RUNS
    )
  })

  it('deletes the oldest image first, and a version after those it is a part of', () => {
    fc.assert(
      fc.property(containerScenario(), scenario => {
        const deletions = plan(scenario).deletions.map(decision => decision.version)
        const at = new Map(deletions.map((version, i) => [version.name, i]))
        const present = new Set(scenario.versions.map(version => version.name))
        const parts = new Set<string>()
        const tooEarly: string[] = []
        for (const version of deletions) {
          const subject = subjectOf(version, scenario.structure)
          if (subject !== undefined && present.has(subject)) parts.add(version.name)
          if (subject !== undefined && (at.get(subject) ?? -1) > (at.get(version.name) as number)) {
            tooEarly.push(version.name)
          }
          for (const child of scenario.structure?.get(version.name)?.children ?? []) {
            parts.add(child)
            if ((at.get(child) ?? Infinity) < (at.get(version.name) as number)) tooEarly.push(child)
          }
        }
        expect(tooEarly).toEqual([])
        const images = deletions.filter(version => !parts.has(version.name))
        expect(ids(images)).toEqual(ids(newestFirst(images).reverse()))
      }),
      RUNS
    )
  })

  it('gives the same plan for any order of the versions and of the structure', () => {
    fc.assert(
      fc.property(containerScenario(), fc.integer(), (scenario, seed) => {
        const structure = scenario.structure && new Map(shuffle([...scenario.structure], seed))
        const shuffled = { ...scenario, versions: shuffle(scenario.versions, seed), structure }
        expect(plan(shuffled)).toEqual(plan(scenario))
      }),
      RUNS
    )
  })
})
